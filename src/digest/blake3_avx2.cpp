// BLAKE3 "hash many" kernel for AVX2: 8 inputs at once, one per 32-bit lane
// of each 256-bit register (compiled with -mavx2; run only when the CPU has
// it). Each register holds the same state word of 8 independent
// compressions, so the rounds are the portable ones written with vectors;
// the message is transposed from 8 input blocks into that layout.
//
// Everything here has internal linkage on purpose (see blake3_detail.hpp).
#include <immintrin.h>

#include "digest/blake3_detail.hpp"

namespace zastava::digest::detail {
namespace {

constexpr std::size_t kLanes = 8;

struct Schedule {
  std::uint8_t word[kBlake3Rounds][16];
};
constexpr Schedule kSchedule = [] {
  Schedule schedule{};
  for (std::size_t r = 0; r < kBlake3Rounds; ++r) {
    for (std::size_t i = 0; i < 16; ++i) schedule.word[r][i] = kBlake3MessageSchedule[r][i];
  }
  return schedule;
}();
// Plain copies, so that no std::array member is instantiated in this file.
constexpr std::uint32_t kIv[4] = {kBlake3Iv[0], kBlake3Iv[1], kBlake3Iv[2], kBlake3Iv[3]};

inline __m256i add(__m256i a, __m256i b) {
  return _mm256_add_epi32(a, b);
}
inline __m256i xor_(__m256i a, __m256i b) {
  return _mm256_xor_si256(a, b);
}

// Rotations by 16 and 8 move whole bytes: one shuffle instead of two shifts.
inline __m256i rotr16(__m256i x) {
  const __m256i bytes = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3,
                                         0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
  return _mm256_shuffle_epi8(x, bytes);
}
inline __m256i rotr8(__m256i x) {
  const __m256i bytes = _mm256_setr_epi8(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12, 1, 2,
                                         3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
  return _mm256_shuffle_epi8(x, bytes);
}
inline __m256i rotr12(__m256i x) {
  return _mm256_or_si256(_mm256_srli_epi32(x, 12), _mm256_slli_epi32(x, 20));
}
inline __m256i rotr7(__m256i x) {
  return _mm256_or_si256(_mm256_srli_epi32(x, 7), _mm256_slli_epi32(x, 25));
}

inline void mix(__m256i* v, std::size_t a, std::size_t b, std::size_t c, std::size_t d, __m256i x,
                __m256i y) {
  v[a] = add(add(v[a], v[b]), x);
  v[d] = rotr16(xor_(v[d], v[a]));
  v[c] = add(v[c], v[d]);
  v[b] = rotr12(xor_(v[b], v[c]));
  v[a] = add(add(v[a], v[b]), y);
  v[d] = rotr8(xor_(v[d], v[a]));
  v[c] = add(v[c], v[d]);
  v[b] = rotr7(xor_(v[b], v[c]));
}

inline void round_function(__m256i* v, const __m256i* m, const std::uint8_t* s) {
  mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
  mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
  mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
  mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
  mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
  mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
  mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
  mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
}

// Transposes an 8x8 matrix of 32-bit words held as 8 rows: afterwards r[j]
// holds column j. Interleave pairs of rows, then pairs of pairs (each
// 128-bit half now holds a 4x4 transposed block), then swap the halves.
inline void transpose8x8(__m256i* r) {
  __m256i t[8];
  for (std::size_t k = 0; k < 8; k += 2) {
    t[k] = _mm256_unpacklo_epi32(r[k], r[k + 1]);
    t[k + 1] = _mm256_unpackhi_epi32(r[k], r[k + 1]);
  }
  __m256i u[8];
  for (std::size_t k = 0; k < 8; k += 4) {
    u[k] = _mm256_unpacklo_epi64(t[k], t[k + 2]);
    u[k + 1] = _mm256_unpackhi_epi64(t[k], t[k + 2]);
    u[k + 2] = _mm256_unpacklo_epi64(t[k + 1], t[k + 3]);
    u[k + 3] = _mm256_unpackhi_epi64(t[k + 1], t[k + 3]);
  }
  for (std::size_t j = 0; j < 4; ++j) {
    r[j] = _mm256_permute2x128_si256(u[j], u[j + 4], 0x20);
    r[j + 4] = _mm256_permute2x128_si256(u[j], u[j + 4], 0x31);
  }
}

// m[j] = word j of the block at `offset` of each of the 8 inputs.
inline void load_message(const std::uint8_t* const* inputs, std::size_t offset, __m256i* m) {
  for (std::size_t lane = 0; lane < kLanes; ++lane) {
    const auto* block = reinterpret_cast<const __m256i*>(inputs[lane] + offset);
    m[lane] = _mm256_loadu_si256(block);
    m[lane + 8] = _mm256_loadu_si256(block + 1);
  }
  transpose8x8(m);
  transpose8x8(m + 8);
}

inline __m256i set_word(std::uint32_t word) {
  return _mm256_set1_epi32(static_cast<int>(word));
}

void hash_eight(const HashManyRequest& request, const std::uint8_t* const* inputs,
                std::uint64_t counter, std::uint8_t* out) {
  alignas(32) std::uint32_t counter_low[kLanes];
  alignas(32) std::uint32_t counter_high[kLanes];
  for (std::size_t lane = 0; lane < kLanes; ++lane) {
    const std::uint64_t lane_counter = counter + (request.increment_counter ? lane : 0);
    counter_low[lane] = static_cast<std::uint32_t>(lane_counter);
    counter_high[lane] = static_cast<std::uint32_t>(lane_counter >> 32);
  }
  const __m256i low = _mm256_load_si256(reinterpret_cast<const __m256i*>(counter_low));
  const __m256i high = _mm256_load_si256(reinterpret_cast<const __m256i*>(counter_high));

  __m256i h[8];
  for (std::size_t i = 0; i < 8; ++i) h[i] = set_word(request.key[i]);
  for (std::size_t b = 0; b < request.blocks; ++b) {
    std::uint32_t flags = request.flags;
    if (b == 0) flags |= request.flags_start;
    if (b + 1 == request.blocks) flags |= request.flags_end;
    __m256i m[16];
    load_message(inputs, b * kBlake3BlockLen, m);
    __m256i v[16] = {h[0],
                     h[1],
                     h[2],
                     h[3],
                     h[4],
                     h[5],
                     h[6],
                     h[7],
                     set_word(kIv[0]),
                     set_word(kIv[1]),
                     set_word(kIv[2]),
                     set_word(kIv[3]),
                     low,
                     high,
                     set_word(kBlake3BlockLen),
                     set_word(flags)};
    for (std::size_t r = 0; r < kBlake3Rounds; ++r) round_function(v, m, kSchedule.word[r]);
    for (std::size_t i = 0; i < 8; ++i) h[i] = xor_(v[i], v[i + 8]);
  }
  // Row i after the transpose is input i's chaining value, in order.
  transpose8x8(h);
  for (std::size_t lane = 0; lane < kLanes; ++lane) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + lane * kBlake3CvLen), h[lane]);
  }
}

}  // namespace

void blake3_hash_many_avx2(const HashManyRequest& request) {
  std::size_t done = 0;
  for (; done + kLanes <= request.count; done += kLanes) {
    const std::uint64_t counter = request.counter + (request.increment_counter ? done : 0);
    hash_eight(request, request.inputs + done, counter, request.out + done * kBlake3CvLen);
  }
  if (done < request.count) {
    HashManyRequest rest = request;
    rest.inputs += done;
    rest.count -= done;
    rest.counter += request.increment_counter ? done : 0;
    rest.out += done * kBlake3CvLen;
    blake3_hash_many_portable(rest);
  }
}

}  // namespace zastava::digest::detail
