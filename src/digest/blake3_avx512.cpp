// BLAKE3 "hash many" kernel for AVX-512: 16 inputs at once, one per 32-bit
// lane of each 512-bit register (compiled with -mavx512f -mavx512vl; run only
// when the CPU has them). Same layout as the AVX2 kernel, twice as wide, and
// AVX-512 has a native rotate.
//
// Everything here has internal linkage on purpose (see blake3_detail.hpp).
// GCC 12's AVX-512 intrinsics start from a self-initialised "undefined"
// register that its own -Wuninitialized then reports at every inlined use
// (GCC bug 105593, fixed in GCC 13); nothing here reads undefined values.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include "digest/blake3_detail.hpp"

namespace zastava::digest::detail {
namespace {

constexpr std::size_t kLanes = 16;

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

inline __m512i add(__m512i a, __m512i b) {
  return _mm512_add_epi32(a, b);
}
inline __m512i xor_(__m512i a, __m512i b) {
  return _mm512_xor_si512(a, b);
}

inline void mix(__m512i* v, std::size_t a, std::size_t b, std::size_t c, std::size_t d, __m512i x,
                __m512i y) {
  v[a] = add(add(v[a], v[b]), x);
  v[d] = _mm512_ror_epi32(xor_(v[d], v[a]), 16);
  v[c] = add(v[c], v[d]);
  v[b] = _mm512_ror_epi32(xor_(v[b], v[c]), 12);
  v[a] = add(add(v[a], v[b]), y);
  v[d] = _mm512_ror_epi32(xor_(v[d], v[a]), 8);
  v[c] = add(v[c], v[d]);
  v[b] = _mm512_ror_epi32(xor_(v[b], v[c]), 7);
}

inline void round_function(__m512i* v, const __m512i* m, const std::uint8_t* s) {
  mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
  mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
  mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
  mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
  mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
  mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
  mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
  mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
}

// Transposes a 16x16 matrix of 32-bit words held as 16 rows: afterwards r[j]
// holds column j. As for 8x8, interleaving words then word pairs leaves a 4x4
// transposed block in each 128-bit lane; two rounds of 128-bit lane shuffles
// then put the blocks in place.
inline void transpose16x16(__m512i* r) {
  __m512i t[16];
  for (std::size_t k = 0; k < 16; k += 2) {
    t[k] = _mm512_unpacklo_epi32(r[k], r[k + 1]);
    t[k + 1] = _mm512_unpackhi_epi32(r[k], r[k + 1]);
  }
  // u[4k + j], 128-bit lane L: rows 4k..4k+3 of column 4L + j.
  __m512i u[16];
  for (std::size_t k = 0; k < 16; k += 4) {
    u[k] = _mm512_unpacklo_epi64(t[k], t[k + 2]);
    u[k + 1] = _mm512_unpackhi_epi64(t[k], t[k + 2]);
    u[k + 2] = _mm512_unpacklo_epi64(t[k + 1], t[k + 3]);
    u[k + 3] = _mm512_unpackhi_epi64(t[k + 1], t[k + 3]);
  }
  // Column 4L + j gathers lane L of u[j], u[4 + j], u[8 + j], u[12 + j].
  for (std::size_t j = 0; j < 4; ++j) {
    const __m512i low01 = _mm512_shuffle_i32x4(u[j], u[j + 4], 0x44);       // lanes 0,1 | 0,1
    const __m512i high01 = _mm512_shuffle_i32x4(u[j], u[j + 4], 0xEE);      // lanes 2,3 | 2,3
    const __m512i low23 = _mm512_shuffle_i32x4(u[j + 8], u[j + 12], 0x44);  // of the other two
    const __m512i high23 = _mm512_shuffle_i32x4(u[j + 8], u[j + 12], 0xEE);
    r[j] = _mm512_shuffle_i32x4(low01, low23, 0x88);
    r[j + 4] = _mm512_shuffle_i32x4(low01, low23, 0xDD);
    r[j + 8] = _mm512_shuffle_i32x4(high01, high23, 0x88);
    r[j + 12] = _mm512_shuffle_i32x4(high01, high23, 0xDD);
  }
}

// m[j] = word j of the block at `offset` of each of the 16 inputs.
inline void load_message(const std::uint8_t* const* inputs, std::size_t offset, __m512i* m) {
  for (std::size_t lane = 0; lane < kLanes; ++lane) {
    m[lane] = _mm512_loadu_si512(inputs[lane] + offset);
  }
  transpose16x16(m);
}

inline __m512i set_word(std::uint32_t word) {
  return _mm512_set1_epi32(static_cast<int>(word));
}

void hash_sixteen(const HashManyRequest& request, const std::uint8_t* const* inputs,
                  std::uint64_t counter, std::uint8_t* out) {
  alignas(64) std::uint32_t counter_low[kLanes];
  alignas(64) std::uint32_t counter_high[kLanes];
  for (std::size_t lane = 0; lane < kLanes; ++lane) {
    const std::uint64_t lane_counter = counter + (request.increment_counter ? lane : 0);
    counter_low[lane] = static_cast<std::uint32_t>(lane_counter);
    counter_high[lane] = static_cast<std::uint32_t>(lane_counter >> 32);
  }
  const __m512i low = _mm512_load_si512(counter_low);
  const __m512i high = _mm512_load_si512(counter_high);

  __m512i h[16];
  for (std::size_t i = 0; i < 8; ++i) h[i] = set_word(request.key[i]);
  for (std::size_t b = 0; b < request.blocks; ++b) {
    std::uint32_t flags = request.flags;
    if (b == 0) flags |= request.flags_start;
    if (b + 1 == request.blocks) flags |= request.flags_end;
    __m512i m[16];
    load_message(inputs, b * kBlake3BlockLen, m);
    __m512i v[16] = {h[0],
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
  // Padded to 16 rows, the transpose leaves input i's chaining value in the
  // low 8 words of row i.
  for (std::size_t i = 8; i < 16; ++i) h[i] = _mm512_setzero_si512();
  transpose16x16(h);
  for (std::size_t lane = 0; lane < kLanes; ++lane) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + lane * kBlake3CvLen),
                        _mm512_castsi512_si256(h[lane]));
  }
}

}  // namespace

void blake3_hash_many_avx512(const HashManyRequest& request) {
  std::size_t done = 0;
  for (; done + kLanes <= request.count; done += kLanes) {
    const std::uint64_t counter = request.counter + (request.increment_counter ? done : 0);
    hash_sixteen(request, request.inputs + done, counter, request.out + done * kBlake3CvLen);
  }
  if (done < request.count) {
    HashManyRequest rest = request;
    rest.inputs += done;
    rest.count -= done;
    rest.counter += request.increment_counter ? done : 0;
    rest.out += done * kBlake3CvLen;
    blake3_hash_many_avx2(rest);  // every AVX-512 CPU has AVX2
  }
}

}  // namespace zastava::digest::detail
