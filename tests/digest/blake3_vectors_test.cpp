// BLAKE3 against the official test vectors (tests/data/blake3/, from the
// BLAKE3-team/BLAKE3 repository), in all three modes, with the full extended
// output, on every backend this machine supports.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "blake3_test_support.hpp"
#include "digest/blake3.hpp"
#include "digest/content_id.hpp"

namespace zastava::digest {
namespace {

using testing::Blake3Backend;

struct VectorFile {
  std::string key;
  std::string context;
  nlohmann::json cases;
};

VectorFile load_vectors() {
  const std::string path = std::string(ZASTAVA_TESTDATA_DIR) + "/blake3/test_vectors.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  const auto json = nlohmann::json::parse(in);
  return {json.at("key").get<std::string>(), json.at("context_string").get<std::string>(),
          json.at("cases")};
}

Blake3Key key_from(const std::string& text) {
  Blake3Key key{};
  if (text.size() != key.size()) throw std::runtime_error("test vector key is not 32 bytes");
  std::copy(text.begin(), text.end(), key.begin());
  return key;
}

// The whole extended output (its length taken from the expected hex), and
// the default 32-byte output, which must be its prefix.
void expect_outputs(const Blake3Hasher& hasher, const std::string& expected_hex,
                    const std::string& what) {
  Bytes extended(expected_hex.size() / 2);
  hasher.finalize_xof(extended);
  EXPECT_EQ(encoding::hex_encode(extended), expected_hex) << what << " (extended output)";
  EXPECT_EQ(testing::hex(hasher.finalize()), expected_hex.substr(0, 64)) << what;
}

class Blake3Vectors : public ::testing::TestWithParam<Blake3Backend> {};

TEST_P(Blake3Vectors, AllModesAtEveryLength) {
  const VectorFile vectors = load_vectors();
  ASSERT_EQ(vectors.cases.size(), 22u) << "the file lists 22 input lengths";
  const Blake3Key key = key_from(vectors.key);
  for (const auto& test_case : vectors.cases) {
    const auto length = test_case.at("input_len").get<std::size_t>();
    const Bytes input = testing::vector_input(length);
    const std::string where =
        "input_len " + std::to_string(length) + " on " + testing::name_of(GetParam());

    Blake3Hasher hash = testing::on(GetParam(), Blake3Hasher());
    hash.update(input);
    expect_outputs(hash, test_case.at("hash"), "hash, " + where);

    Blake3Hasher keyed = testing::on(GetParam(), Blake3Hasher::keyed(key));
    keyed.update(input);
    expect_outputs(keyed, test_case.at("keyed_hash"), "keyed_hash, " + where);

    Blake3Hasher derive = testing::on(GetParam(), Blake3Hasher::derive_key(vectors.context));
    derive.update(input);
    expect_outputs(derive, test_case.at("derive_key"), "derive_key, " + where);
  }
}

INSTANTIATE_TEST_SUITE_P(SupportedBackends, Blake3Vectors,
                         ::testing::ValuesIn(testing::supported_backends()),
                         testing::BackendName());

TEST(Blake3, OneShotFunctionsMatchTheVectors) {
  const VectorFile vectors = load_vectors();
  const Blake3Key key = key_from(vectors.key);
  for (const auto& test_case : vectors.cases) {
    const auto length = test_case.at("input_len").get<std::size_t>();
    const Bytes input = testing::vector_input(length);
    const std::string where = "input_len " + std::to_string(length);
    EXPECT_EQ(testing::hex(blake3(input)), test_case.at("hash").get<std::string>().substr(0, 64))
        << where;
    EXPECT_EQ(testing::hex(blake3_keyed(key, input)),
              test_case.at("keyed_hash").get<std::string>().substr(0, 64))
        << where;
    EXPECT_EQ(testing::hex(blake3_derive_key(vectors.context, input)),
              test_case.at("derive_key").get<std::string>().substr(0, 64))
        << where;
  }
}

TEST(Blake3, ModesAreDomainSeparated) {
  const Bytes input = testing::vector_input(100);
  const Blake3Key zero_key{};
  EXPECT_NE(blake3(input), blake3_keyed(zero_key, input));
  EXPECT_NE(blake3_derive_key("a", input), blake3_derive_key("b", input));
  EXPECT_NE(blake3_derive_key("", input), blake3(input));
}

TEST(Blake3, ExtendedOutputIsAStreamWhosePrefixesAgree) {
  Blake3Hasher hasher;
  hasher.update(testing::vector_input(3000));
  Bytes long_output(1000);
  hasher.finalize_xof(long_output);
  for (const std::size_t length : {0u, 1u, 31u, 32u, 33u, 63u, 64u, 65u, 999u}) {
    Bytes prefix(length);
    hasher.finalize_xof(prefix);
    EXPECT_TRUE(std::equal(prefix.begin(), prefix.end(), long_output.begin()))
        << "length " << length;
  }
  // Output blocks after the first differ (the counter is in the compression).
  EXPECT_FALSE(std::equal(long_output.begin(), long_output.begin() + 64, long_output.begin() + 64));
}

TEST(Blake3, ContentIdUsesBlake3) {
  // The empty input's hash from the official vectors.
  EXPECT_EQ(ContentId::of(Algorithm::kBlake3, ByteView{}).to_string(),
            "blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
  const VectorFile vectors = load_vectors();
  for (const auto& test_case : vectors.cases) {
    const Bytes input = testing::vector_input(test_case.at("input_len").get<std::size_t>());
    const ContentId id = ContentId::of(Algorithm::kBlake3, input);
    EXPECT_EQ(id.algorithm(), Algorithm::kBlake3);
    EXPECT_EQ(id.to_string(), "blake3:" + test_case.at("hash").get<std::string>().substr(0, 64));
    EXPECT_EQ(ContentId::parse(id.to_string()).value(), id);
  }
}

}  // namespace
}  // namespace zastava::digest
