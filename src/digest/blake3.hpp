#pragma once
// BLAKE3 (https://github.com/BLAKE3-team/BLAKE3-specs), written here: the
// three modes of the specification (hash, keyed_hash, derive_key), one-shot
// and streaming, with extendable output.
//
// Large inputs are hashed many chunks at a time with AVX-512 or AVX2 when the
// CPU has them (chosen at run time), else with portable code; every backend
// gives the same bytes. digest/blake3_detail.hpp can force one, for tests.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "base/bytes.hpp"

namespace zastava::digest {

using Blake3Digest = std::array<std::uint8_t, 32>;
using Blake3Key = std::array<std::uint8_t, 32>;

// hash mode, 32-byte output.
Blake3Digest blake3(ByteView data);
// keyed_hash mode: a MAC / PRF under a 32-byte key.
Blake3Digest blake3_keyed(const Blake3Key& key, ByteView data);
// derive_key mode: a key for `context` (a hard-coded, globally unique,
// application-specific string) from `key_material`.
Blake3Digest blake3_derive_key(std::string_view context, ByteView key_material);

namespace detail {
enum class Blake3Backend : std::uint8_t;
struct Blake3HasherAccess;
}  // namespace detail

// Streaming BLAKE3. update() any number of times with any split of the input;
// finalize() does not change the state, so more input may follow and
// finalize() be called again. Memory is fixed (under 2 KiB, no allocation):
// a partial chunk and a stack of subtree chaining values.
class Blake3Hasher {
 public:
  Blake3Hasher();  // hash mode
  static Blake3Hasher keyed(const Blake3Key& key);
  static Blake3Hasher derive_key(std::string_view context);

  void update(ByteView data);

  [[nodiscard]] Blake3Digest finalize() const;
  // Extendable output: fills `out` with the first out.size() bytes of the
  // output stream (any length; the first 32 bytes equal finalize()).
  void finalize_xof(std::span<std::uint8_t> out) const;

  // The chaining-value stack: one entry per tree level, 54 levels for 2^64
  // bytes of 1 KiB chunks, plus one entry not yet merged (merging is lazy:
  // a node can be the root until more input follows it).
  static constexpr std::size_t kMaxStackDepth = 54 + 1;

 private:
  friend struct detail::Blake3HasherAccess;
  using Words = std::array<std::uint32_t, 8>;

  // The chunk being filled: up to 1024 bytes, compressed a block at a time.
  struct ChunkState {
    Words chaining_value{};
    std::uint64_t counter = 0;
    std::array<std::uint8_t, 64> block{};
    std::uint8_t block_len = 0;
    std::uint8_t blocks_compressed = 0;

    [[nodiscard]] std::size_t length() const noexcept {
      return std::size_t{blocks_compressed} * 64 + block_len;
    }
  };
  struct Output;

  Blake3Hasher(const Words& key, std::uint8_t flags);
  void start_chunk(std::uint64_t counter);
  void absorb_into_chunk(ByteView data);
  void absorb_subtree(ByteView& data);
  void merge_stack(std::uint64_t chunks_done);
  void push_cv(const Words& chaining_value, std::uint64_t chunks_before);
  [[nodiscard]] Output chunk_output() const;
  [[nodiscard]] Output root_output() const;

  Words key_;
  std::uint8_t flags_;
  detail::Blake3Backend backend_;
  ChunkState chunk_;
  std::array<Words, kMaxStackDepth> stack_{};
  std::size_t stack_len_ = 0;
};

}  // namespace zastava::digest
