// BLAKE3's compression function in plain C++ (spec section 2.2), and the
// portable "hash many inputs" kernel built on it, used for everything the
// SIMD kernels do not take: partial chunks, parent nodes, root output.
#include <bit>
#include <cstring>

#include "digest/blake3_detail.hpp"

namespace zastava::digest::detail {
namespace {

std::uint32_t load_le32(const std::uint8_t* p) noexcept {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
         std::uint32_t{p[3]} << 24;
}

void store_le32(std::uint8_t* p, std::uint32_t word) noexcept {
  p[0] = static_cast<std::uint8_t>(word);
  p[1] = static_cast<std::uint8_t>(word >> 8);
  p[2] = static_cast<std::uint8_t>(word >> 16);
  p[3] = static_cast<std::uint8_t>(word >> 24);
}

// The quarter-round G mixes two message words into a column or diagonal.
inline void mix(std::uint32_t* v, std::size_t a, std::size_t b, std::size_t c, std::size_t d,
                std::uint32_t x, std::uint32_t y) noexcept {
  v[a] = v[a] + v[b] + x;
  v[d] = std::rotr(v[d] ^ v[a], 16);
  v[c] = v[c] + v[d];
  v[b] = std::rotr(v[b] ^ v[c], 12);
  v[a] = v[a] + v[b] + y;
  v[d] = std::rotr(v[d] ^ v[a], 8);
  v[c] = v[c] + v[d];
  v[b] = std::rotr(v[b] ^ v[c], 7);
}

inline void round_function(std::uint32_t* v, const std::uint32_t* m,
                           const std::array<std::uint8_t, 16>& s) noexcept {
  mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);  // columns
  mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
  mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
  mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
  mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);  // diagonals
  mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
  mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
  mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
}

// The 7 rounds on the 16-word state; leaves v for the caller to fold.
inline void permute_state(std::uint32_t v[16], const std::uint32_t cv[8],
                          const std::uint8_t block[64], std::uint64_t counter,
                          std::uint32_t block_len, std::uint32_t flags) noexcept {
  std::uint32_t m[16];
  for (std::size_t i = 0; i < 16; ++i) m[i] = load_le32(block + 4 * i);
  for (std::size_t i = 0; i < 8; ++i) v[i] = cv[i];
  for (std::size_t i = 0; i < 4; ++i) v[8 + i] = kBlake3Iv[i];
  v[12] = static_cast<std::uint32_t>(counter);
  v[13] = static_cast<std::uint32_t>(counter >> 32);
  v[14] = block_len;
  v[15] = flags;
  for (const auto& schedule : kBlake3MessageSchedule) round_function(v, m, schedule);
}

}  // namespace

void blake3_compress(const std::uint32_t chaining_value[8], const std::uint8_t block[64],
                     std::uint64_t counter, std::uint32_t block_len, std::uint32_t flags,
                     std::uint32_t out[16]) {
  std::uint32_t v[16];
  permute_state(v, chaining_value, block, counter, block_len, flags);
  for (std::size_t i = 0; i < 8; ++i) {
    out[i] = v[i] ^ v[i + 8];
    out[i + 8] = v[i + 8] ^ chaining_value[i];
  }
}

void blake3_hash_many_portable(const HashManyRequest& request) {
  for (std::size_t input = 0; input < request.count; ++input) {
    std::uint32_t cv[8];
    std::memcpy(cv, request.key, sizeof cv);
    const std::uint64_t counter = request.counter + (request.increment_counter ? input : 0);
    const std::uint8_t* block = request.inputs[input];
    for (std::size_t b = 0; b < request.blocks; ++b, block += kBlake3BlockLen) {
      std::uint32_t flags = request.flags;
      if (b == 0) flags |= request.flags_start;
      if (b + 1 == request.blocks) flags |= request.flags_end;
      std::uint32_t v[16];
      permute_state(v, cv, block, counter, kBlake3BlockLen, flags);
      for (std::size_t i = 0; i < 8; ++i) cv[i] = v[i] ^ v[i + 8];
    }
    for (std::size_t i = 0; i < 8; ++i)
      store_le32(request.out + kBlake3CvLen * input + 4 * i, cv[i]);
  }
}

}  // namespace zastava::digest::detail
