#pragma once
// Shared helpers for the BLAKE3 tests: inputs, and the list of backends this
// machine can run.

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "base/hex.hpp"
#include "digest/blake3_detail.hpp"

namespace zastava::digest::testing {

using detail::Blake3Backend;

// The official test vectors' input: 0, 1, ..., 250, 0, 1, ...
inline Bytes vector_input(std::size_t length) {
  Bytes input(length);
  for (std::size_t i = 0; i < length; ++i) input[i] = static_cast<std::uint8_t>(i % 251);
  return input;
}

inline Bytes random_bytes(std::size_t length, std::uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes bytes(length);
  for (auto& byte : bytes) byte = static_cast<std::uint8_t>(rng());
  return bytes;
}

inline std::vector<Blake3Backend> supported_backends() {
  std::vector<Blake3Backend> backends;
  for (const auto backend :
       {Blake3Backend::kPortable, Blake3Backend::kAvx2, Blake3Backend::kAvx512}) {
    if (detail::blake3_backend_supported(backend)) backends.push_back(backend);
  }
  return backends;
}

// The backends to compare with the portable one.
inline std::vector<Blake3Backend> simd_backends() {
  std::vector<Blake3Backend> backends = supported_backends();
  backends.erase(backends.begin());  // kPortable, always first
  return backends;
}

inline std::string name_of(Blake3Backend backend) {
  return std::string(detail::blake3_backend_name(backend));
}

// Names parameterised tests after the backend ("avx2", ...).
struct BackendName {
  std::string operator()(const ::testing::TestParamInfo<Blake3Backend>& param) const {
    return name_of(param.param);
  }
};

inline Blake3Hasher on(Blake3Backend backend, Blake3Hasher hasher) {
  return detail::Blake3HasherAccess::with_backend(std::move(hasher), backend);
}

template <std::size_t N>
std::string hex(const std::array<std::uint8_t, N>& bytes) {
  return encoding::hex_encode(ByteView(bytes));
}

}  // namespace zastava::digest::testing
