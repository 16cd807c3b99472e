#pragma once
// Reading the openssl-generated fixtures under tests/data/crypto, and
// printing key types in test names.

#include <gtest/gtest.h>

#include <fstream>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "crypto/key_type.hpp"

namespace zastava::crypto {

// So GoogleTest prints parameters as "ed25519", not as raw bytes.
inline void PrintTo(KeyType type, std::ostream* out) {
  *out << key_type_name(type);
}

}  // namespace zastava::crypto

namespace zastava::crypto::testing {

inline std::string read_fixture(const std::string& name) {
  const std::string path = std::string(ZASTAVA_TESTDATA_DIR) + "/crypto/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing test fixture " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A *.keyid fixture without its trailing newline.
inline std::string expected_keyid(const std::string& name) {
  std::string text = read_fixture(name);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// Names parameterized tests by key type: "ecdsap256", "ed25519", "rsapss3072".
struct KeyTypeTestName {
  template <typename ParamInfo>
  std::string operator()(const ParamInfo& info) const {
    std::string name(key_type_name(info.param));
    std::erase(name, '-');
    return name;
  }
};

// Every supported key type, for INSTANTIATE_TEST_SUITE_P.
inline auto all_key_types() {
  return ::testing::Values(KeyType::kEcdsaP256, KeyType::kEd25519, KeyType::kRsaPss3072);
}

}  // namespace zastava::crypto::testing
