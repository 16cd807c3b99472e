// Tests for provcache/verikey: the documented encoding written out by hand,
// sensitivity to every component, and order independence of the sets.
#include "provcache/verikey.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/hex.hpp"
#include "digest/sha2.hpp"

namespace zastava::provcache {
namespace {

std::string id_of(char fill) {
  return "sha256:" + std::string(64, fill);
}

VeriKeyInputs example_inputs() {
  VeriKeyInputs inputs;
  inputs.source_hash = id_of('1');
  inputs.sbom_hash = id_of('2');
  inputs.vex_hash_set_hash = id_of('3');
  inputs.merge_policy_hash = id_of('4');
  inputs.signer_set_hash = id_of('5');
  inputs.evaluated_at_seconds = 1766577600 + 1799;  // 2025-12-24T12:29:59Z
  inputs.bucket_seconds = 3600;
  return inputs;
}

std::string sha256_id(const std::string& bytes) {
  return "sha256:" + encoding::hex_encode(digest::sha256(as_bytes(bytes)));
}

TEST(VeriKey, EncodingMatchesTheDocumentedLayoutByteForByte) {
  // Written out from the header's description, not from the implementation.
  std::string expected;
  expected += std::string("\x00\x00\x00\x1c", 4) + "zastava.provcache.verikey.v1";  // 28 bytes
  for (char fill : {'1', '2', '3', '4', '5'}) {
    expected += std::string("\x00\x00\x00\x47", 4) + "sha256:" + std::string(64, fill);  // 71 bytes
  }
  // 1766577600 = 0x694BD5C0 (12:00:00Z, the bucket start), 3600 = 0x0E10.
  expected += std::string("\x00\x00\x00\x00\x69\x4b\xd5\xc0", 8);
  expected += std::string("\x00\x00\x00\x00\x00\x00\x0e\x10", 8);

  auto encoding = verikey_encoding(example_inputs());
  ASSERT_TRUE(encoding.ok()) << encoding.error().describe();
  EXPECT_EQ(as_string(*encoding), expected);
  EXPECT_EQ(encoding->size(), 4u + 28u + 5u * (4u + 71u) + 16u);

  auto key = compute_verikey(example_inputs());
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, sha256_id(expected));
}

TEST(VeriKey, ChangesWhenAnySingleComponentChanges) {
  const std::string base = compute_verikey(example_inputs()).value();
  std::vector<VeriKeyInputs> variants(7, example_inputs());
  variants[0].source_hash = id_of('a');
  variants[1].sbom_hash = id_of('a');
  variants[2].vex_hash_set_hash = id_of('a');
  variants[3].merge_policy_hash = id_of('a');
  variants[4].signer_set_hash = id_of('a');
  variants[5].evaluated_at_seconds += 3600;  // the next bucket
  variants[6].bucket_seconds = 7200;         // same instant, 2 h buckets (12:00 either way)
  std::vector<std::string> keys{base};
  for (const VeriKeyInputs& variant : variants) {
    auto key = compute_verikey(variant);
    ASSERT_TRUE(key.ok()) << key.error().describe();
    for (const std::string& earlier : keys) EXPECT_NE(*key, earlier);
    keys.push_back(*key);
  }
}

TEST(VeriKey, SameBucketSameKey) {
  VeriKeyInputs start = example_inputs();
  start.evaluated_at_seconds = 1766577600;
  VeriKeyInputs end = example_inputs();
  end.evaluated_at_seconds = 1766577600 + 3599;
  EXPECT_EQ(compute_verikey(start).value(), compute_verikey(end).value());
}

TEST(VeriKey, SwappingTwoComponentsChangesTheKey) {
  VeriKeyInputs swapped = example_inputs();
  std::swap(swapped.source_hash, swapped.sbom_hash);
  EXPECT_NE(compute_verikey(swapped).value(), compute_verikey(example_inputs()).value());
}

TEST(VeriKey, TimeWindowIsTheFloorOfTheBucket) {
  EXPECT_EQ(time_window_start(0, 3600).value(), 0);
  EXPECT_EQ(time_window_start(3599, 3600).value(), 0);
  EXPECT_EQ(time_window_start(3600, 3600).value(), 3600);
  EXPECT_EQ(time_window_start(1766579399, 3600).value(), 1766577600);
  EXPECT_EQ(time_window_start(1766579399, 1).value(), 1766579399);
}

TEST(VeriKey, RejectsBadInputsWithClearMessages) {
  auto zero_bucket = time_window_start(10, 0);
  ASSERT_FALSE(zero_bucket.ok());
  EXPECT_EQ(zero_bucket.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(zero_bucket.error().message.find("bucket"), std::string::npos);
  EXPECT_FALSE(time_window_start(10, -3600).ok());
  EXPECT_FALSE(time_window_start(-1, 3600).ok());

  VeriKeyInputs bad = example_inputs();
  bad.merge_policy_hash = "sha256:ABC";
  auto key = compute_verikey(bad);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(key.error().message.find("merge_policy_hash"), std::string::npos)
      << key.error().message;

  VeriKeyInputs upper = example_inputs();
  upper.source_hash = "sha256:" + std::string(64, 'A');
  EXPECT_FALSE(compute_verikey(upper).ok());

  VeriKeyInputs zero_bucket_inputs = example_inputs();
  zero_bucket_inputs.bucket_seconds = 0;
  EXPECT_FALSE(compute_verikey(zero_bucket_inputs).ok());
}

TEST(VeriKeySets, VexSetHashIsTheDocumentedEncodingOfTheSortedSet) {
  const std::vector<std::string> hashes{id_of('b'), id_of('a')};
  std::string expected = std::string("\x00\x00\x00\x1c", 4) + "zastava.provcache.vex-set.v1";
  expected += std::string("\x00\x00\x00\x47", 4) + id_of('a');
  expected += std::string("\x00\x00\x00\x47", 4) + id_of('b');
  EXPECT_EQ(vex_hash_set_hash(hashes).value(), sha256_id(expected));
}

TEST(VeriKeySets, SignerSetHashOfTheEmptySetHashesOnlyTheTag) {
  std::string expected = std::string("\x00\x00\x00\x1f", 4) + "zastava.provcache.signer-set.v1";
  EXPECT_EQ(signer_set_hash({}).value(), sha256_id(expected));
}

TEST(VeriKeySets, StableUnderReorderingAndDuplicates) {
  const std::vector<std::string> vex{id_of('c'), id_of('a'), id_of('b')};
  const std::vector<std::string> vex_reordered{id_of('b'), id_of('c'), id_of('a'), id_of('a')};
  EXPECT_EQ(vex_hash_set_hash(vex).value(), vex_hash_set_hash(vex_reordered).value());

  const std::vector<std::string> signers{"key-2", "key-1"};
  const std::vector<std::string> signers_reordered{"key-1", "key-2", "key-2"};
  EXPECT_EQ(signer_set_hash(signers).value(), signer_set_hash(signers_reordered).value());

  const std::vector<std::string> fewer{"key-1"};
  EXPECT_NE(signer_set_hash(signers).value(), signer_set_hash(fewer).value());
  // Same strings, different set: the VEX and signer tags keep them apart.
  const std::vector<std::string> as_signers{id_of('a')};
  const std::vector<std::string> as_vex{id_of('a')};
  EXPECT_NE(signer_set_hash(as_signers).value(), vex_hash_set_hash(as_vex).value());
}

TEST(VeriKeySets, LengthPrefixesKeepConcatenationsApart) {
  const std::vector<std::string> split{"ab", "c"};
  const std::vector<std::string> joined{"abc"};
  EXPECT_NE(signer_set_hash(split).value(), signer_set_hash(joined).value());
}

TEST(VeriKeySets, RejectsMalformedItems) {
  const std::vector<std::string> vex{id_of('a'), "not-a-hash"};
  auto result = vex_hash_set_hash(vex);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("#1"), std::string::npos) << result.error().message;

  const std::vector<std::string> signers{"key-1", ""};
  auto empty = signer_set_hash(signers);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos);
}

TEST(VeriKeySets, SbomHashIsTheHashOfTheCanonicalForm) {
  // Two spellings of one document; the canonical form is written by hand.
  const std::string canonical = R"({"bomFormat":"CycloneDX","specVersion":"1.6"})";
  EXPECT_EQ(sbom_hash_of(R"({ "specVersion": "1.6", "bomFormat": "CycloneDX" })").value(),
            sha256_id(canonical));
  EXPECT_EQ(sbom_hash_of(canonical).value(), sha256_id(canonical));

  auto broken = sbom_hash_of(R"({"a":1,"a":2})");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, ErrorCode::kParse);
}

}  // namespace
}  // namespace zastava::provcache
