#pragma once
// BLAKE3 internals shared by the hasher (blake3.cpp) and its compression
// kernels (blake3_portable.cpp, blake3_avx2.cpp, blake3_avx512.cpp), and the
// hook tests use to force a backend. Not part of the public API.
//
// The SIMD kernels are compiled with -mavx2 / -mavx512f, so this header must
// stay free of inline functions: an inline function instantiated in one of
// those files could be the copy the linker keeps, and run on a CPU without
// the instructions. Constants are fine.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "digest/blake3.hpp"

namespace zastava::digest::detail {

inline constexpr std::size_t kBlake3BlockLen = 64;
inline constexpr std::size_t kBlake3ChunkLen = 1024;
inline constexpr std::size_t kBlake3BlocksPerChunk = kBlake3ChunkLen / kBlake3BlockLen;
inline constexpr std::size_t kBlake3CvLen = 32;

// Domain-separation flags (spec section 2.1, table 3).
inline constexpr std::uint8_t kChunkStart = 1 << 0;
inline constexpr std::uint8_t kChunkEnd = 1 << 1;
inline constexpr std::uint8_t kParent = 1 << 2;
inline constexpr std::uint8_t kRoot = 1 << 3;
inline constexpr std::uint8_t kKeyedHash = 1 << 4;
inline constexpr std::uint8_t kDeriveKeyContext = 1 << 5;
inline constexpr std::uint8_t kDeriveKeyMaterial = 1 << 6;

// The SHA-256 initial hash value, which BLAKE3 uses as its IV.
inline constexpr std::array<std::uint32_t, 8> kBlake3Iv = {
    0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19};

inline constexpr std::size_t kBlake3Rounds = 7;
using MessageSchedule = std::array<std::array<std::uint8_t, 16>, kBlake3Rounds>;

// Which message word each round reads at each position. The spec permutes the
// message between rounds; reading through this table instead leaves the words
// where they are. Row r is the permutation applied r times.
consteval MessageSchedule make_message_schedule() {
  constexpr std::array<std::uint8_t, 16> kPermutation = {2, 6,  3,  10, 7, 0,  4,  13,
                                                         1, 11, 12, 5,  9, 14, 15, 8};
  MessageSchedule schedule{};
  for (std::uint8_t i = 0; i < 16; ++i) schedule[0][i] = i;
  for (std::size_t round = 1; round < kBlake3Rounds; ++round) {
    for (std::size_t i = 0; i < 16; ++i) {
      schedule[round][i] = schedule[round - 1][kPermutation[i]];
    }
  }
  return schedule;
}
inline constexpr MessageSchedule kBlake3MessageSchedule = make_message_schedule();

// The compression function on one block: all 16 output words (the first 8 are
// the new chaining value; all 16 are a root output block).
void blake3_compress(const std::uint32_t chaining_value[8], const std::uint8_t block[64],
                     std::uint64_t counter, std::uint32_t block_len, std::uint32_t flags,
                     std::uint32_t out[16]);

// Hashes `count` inputs of `blocks` full 64-byte blocks each, independently,
// from the chaining value `key`; writes each final chaining value (32 bytes,
// little-endian) to out + 32 * i. Input i uses counter + i when
// `increment_counter` (chunks), else `counter` (parents). Every block gets
// `flags`; the first also `flags_start`, the last also `flags_end`.
struct HashManyRequest {
  const std::uint8_t* const* inputs;
  std::size_t count;
  std::size_t blocks;
  const std::uint32_t* key;  // 8 words
  std::uint64_t counter;
  bool increment_counter;
  std::uint8_t flags;
  std::uint8_t flags_start;
  std::uint8_t flags_end;
  std::uint8_t* out;
};

void blake3_hash_many_portable(const HashManyRequest& request);
void blake3_hash_many_avx2(const HashManyRequest& request);    // x86-64 builds only
void blake3_hash_many_avx512(const HashManyRequest& request);  // x86-64 builds only

// The kernels, fastest last. The SIMD ones hand a remainder smaller than
// their width to the next one down.
enum class Blake3Backend : std::uint8_t { kPortable, kAvx2, kAvx512 };

std::string_view blake3_backend_name(Blake3Backend backend) noexcept;
// Built in, and the CPU (and OS) support its instructions.
bool blake3_backend_supported(Blake3Backend backend) noexcept;
// The fastest supported backend; what every hasher uses unless forced.
Blake3Backend blake3_best_backend() noexcept;
// Dispatches to the backend's kernel. Precondition: supported.
void blake3_hash_many(Blake3Backend backend, const HashManyRequest& request);

// Test hook: the same hasher (mode and key kept) forced onto `backend`, so
// tests can compare the SIMD kernels with the portable one.
struct Blake3HasherAccess {
  // Precondition: nothing hashed yet and blake3_backend_supported(backend).
  static Blake3Hasher with_backend(Blake3Hasher hasher, Blake3Backend backend);
};

}  // namespace zastava::digest::detail
