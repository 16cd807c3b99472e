// Tests for provcache/entry: the entry's canonical JSON written out by hand,
// round trips, the strict parser's errors, the verdict hash check, and the
// evidence manifest.
#include "provcache/entry.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "entry_samples.hpp"

namespace zastava::provcache {
namespace {

using testing::sample_entry;
using testing::sample_id;

nlohmann::json entry_document(const ProvcacheEntry& entry) {
  return nlohmann::json::parse(entry_to_json(entry).value());
}

TEST(ProvcacheEntry, CanonicalJsonHasTheDocumentedShape) {
  ProvcacheEntry entry = sample_entry(1);
  entry.hit_count = 7;
  const std::string text = entry_to_json(entry).value();
  const std::string decision = to_canonical_json(entry.decision).value();
  const std::string expected =
      "{\"decision\":" + decision +
      ",\"feedEpoch\":\"2026-11-01\",\"hitCount\":7,\"policyHash\":\"" + entry.policy_hash +
      "\",\"signerSetHash\":\"" + entry.signer_set_hash + "\",\"sourceHash\":\"" +
      entry.source_hash +
      "\",\"updatedAt\":\"2025-12-24T12:00:00Z\",\"verdict\":" + entry.verdict_json + "}";
  EXPECT_EQ(text, expected);
}

TEST(ProvcacheEntry, RoundTripsThroughJson) {
  for (const bool deny : {false, true}) {
    testing::SampleOptions options;
    options.deny = deny;
    ProvcacheEntry entry = sample_entry(2, options);
    entry.hit_count = 12345;
    auto parsed = parse_entry(entry_to_json(entry).value());
    ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
    EXPECT_EQ(*parsed, entry);
    EXPECT_EQ(parsed->verdict(), deny ? "deny" : "allow");
  }
}

TEST(ProvcacheEntry, VerdictIsEmptyWithoutAVerdictMember) {
  ProvcacheEntry entry = sample_entry(3);
  entry.verdict_json = "{\"reasons\":[]}";
  EXPECT_EQ(entry.verdict(), "");
  entry.verdict_json = "not json";
  EXPECT_EQ(entry.verdict(), "");
}

TEST(ProvcacheEntry, ParseRejectsATamperedVerdict) {
  nlohmann::json document = entry_document(sample_entry(4));
  document["verdict"]["verdict"] = "deny";
  auto parsed = parse_entry(document.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kVerification);
  EXPECT_NE(parsed.error().message.find("verdictHash"), std::string::npos);
}

TEST(ProvcacheEntry, ToJsonRejectsAVerdictThatDoesNotMatchTheHash) {
  ProvcacheEntry entry = sample_entry(5);
  entry.verdict_json = "{\"verdict\":\"allow\"}";
  auto text = entry_to_json(entry);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code, ErrorCode::kVerification);
}

TEST(ProvcacheEntry, ToJsonRejectsBadContentIdsAndTimes) {
  ProvcacheEntry bad_source = sample_entry(6);
  bad_source.source_hash = "sha256:xyz";
  EXPECT_EQ(entry_to_json(bad_source).error().code, ErrorCode::kInvalidArgument);
  ProvcacheEntry bad_time = sample_entry(6);
  bad_time.updated_at_seconds = -1;
  EXPECT_EQ(entry_to_json(bad_time).error().code, ErrorCode::kInvalidArgument);
  ProvcacheEntry bad_decision = sample_entry(6);
  bad_decision.decision.trust_score = 101;
  EXPECT_EQ(entry_to_json(bad_decision).error().code, ErrorCode::kInvalidArgument);
}

TEST(ProvcacheEntry, ParseNamesTheBadField) {
  const nlohmann::json good = entry_document(sample_entry(7));
  struct Case {
    const char* name;
    nlohmann::json document;
    const char* mention;
  };
  std::vector<Case> cases;
  {
    nlohmann::json d = good;
    d["extra"] = 1;
    cases.push_back({"unknown member", d, "extra"});
  }
  {
    nlohmann::json d = good;
    d.erase("feedEpoch");
    cases.push_back({"missing member", d, "feedEpoch"});
  }
  {
    nlohmann::json d = good;
    d["hitCount"] = -1;
    cases.push_back({"negative count", d, "hitCount"});
  }
  {
    nlohmann::json d = good;
    d["hitCount"] = "1";
    cases.push_back({"string count", d, "hitCount"});
  }
  {
    nlohmann::json d = good;
    d["updatedAt"] = "2025-12-24 12:00:00";
    cases.push_back({"bad time", d, "updatedAt"});
  }
  {
    nlohmann::json d = good;
    d["policyHash"] = "md5:abc";
    cases.push_back({"bad content id", d, "policyHash"});
  }
  {
    nlohmann::json d = good;
    d["decision"]["trustScore"] = 500;
    cases.push_back({"bad decision", d, "trustScore"});
  }
  {
    nlohmann::json d = good;
    d["verdict"] = "allow";
    cases.push_back({"verdict not an object", d, "verdict"});
  }
  for (const Case& c : cases) {
    auto parsed = parse_entry(c.document.dump());
    ASSERT_FALSE(parsed.ok()) << c.name;
    EXPECT_EQ(parsed.error().code, ErrorCode::kParse) << c.name;
    EXPECT_NE(parsed.error().message.find(c.mention), std::string::npos)
        << c.name << ": " << parsed.error().message;
  }
  EXPECT_EQ(parse_entry("[1,2]").error().code, ErrorCode::kParse);
  EXPECT_EQ(parse_entry("{\"a\":1,\"a\":2}").error().code, ErrorCode::kParse);
}

TEST(ProvcacheEntry, ParseAcceptsNonCanonicalTextAndStoresTheCanonicalVerdict) {
  const ProvcacheEntry entry = sample_entry(8);
  const std::string pretty = entry_document(entry).dump(2);
  auto parsed = parse_entry(pretty);
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(parsed->verdict_json, entry.verdict_json);
}

EvidenceManifest sample_manifest() {
  const std::string evidence(150, 'e');
  auto chunked = ChunkedEvidence::split(as_bytes(evidence), "application/vnd.cyclonedx+json",
                                        ChunkingPolicy{64, 10})
                     .value();
  return manifest_of(chunked);
}

TEST(EvidenceManifest, ManifestOfCopiesTheChunking) {
  const EvidenceManifest manifest = sample_manifest();
  EXPECT_EQ(manifest.total_size, 150U);
  ASSERT_EQ(manifest.chunks.size(), 3U);
  EXPECT_EQ(manifest.chunks[2].size, 22U);
  EXPECT_EQ(manifest.chunks[1].index, 1U);
  EXPECT_EQ(manifest.content_type, "application/vnd.cyclonedx+json");
}

TEST(EvidenceManifest, CanonicalJsonHasTheDocumentedShapeAndRoundTrips) {
  const EvidenceManifest manifest = sample_manifest();
  const std::string text = manifest_to_json(manifest).value();
  const std::string expected =
      "{\"chunkCount\":3,\"chunks\":[{\"hash\":\"" + manifest.chunks[0].hash +
      "\",\"index\":0,\"size\":64},{\"hash\":\"" + manifest.chunks[1].hash +
      "\",\"index\":1,\"size\":64},{\"hash\":\"" + manifest.chunks[2].hash +
      "\",\"index\":2,\"size\":22}],\"contentType\":\"application/vnd.cyclonedx+json\","
      "\"proofRoot\":\"" +
      manifest.proof_root + "\",\"totalSize\":150}";
  EXPECT_EQ(text, expected);
  auto parsed = parse_manifest(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(*parsed, manifest);
}

TEST(EvidenceManifest, EmptyEvidenceHasNoChunks) {
  auto chunked = ChunkedEvidence::split({}, "text/plain").value();
  const EvidenceManifest manifest = manifest_of(chunked);
  auto parsed = parse_manifest(manifest_to_json(manifest).value());
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_TRUE(parsed->chunks.empty());
}

TEST(EvidenceManifest, RejectsInconsistentManifests) {
  EvidenceManifest wrong_total = sample_manifest();
  wrong_total.total_size = 151;
  EXPECT_EQ(manifest_to_json(wrong_total).error().code, ErrorCode::kInvalidArgument);
  EvidenceManifest wrong_order = sample_manifest();
  std::swap(wrong_order.chunks[0].index, wrong_order.chunks[1].index);
  EXPECT_EQ(manifest_to_json(wrong_order).error().code, ErrorCode::kInvalidArgument);
  EvidenceManifest no_type = sample_manifest();
  no_type.content_type.clear();
  EXPECT_EQ(manifest_to_json(no_type).error().code, ErrorCode::kInvalidArgument);

  nlohmann::json document = nlohmann::json::parse(manifest_to_json(sample_manifest()).value());
  document["chunkCount"] = 4;
  auto parsed = parse_manifest(document.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kParse);
  EXPECT_NE(parsed.error().message.find("chunkCount"), std::string::npos);
  document["chunkCount"] = 3;
  document["chunks"][0]["hash"] = "sha256:00";
  EXPECT_EQ(parse_manifest(document.dump()).error().code, ErrorCode::kParse);
}

}  // namespace
}  // namespace zastava::provcache
