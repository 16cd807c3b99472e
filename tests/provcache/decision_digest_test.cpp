// Tests for provcache/decision_digest: the canonical form written out by
// hand, the strict parser's errors, TTL clamping, times, and the verdict
// document and hash.
#include "provcache/decision_digest.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "base/hex.hpp"
#include "digest/sha2.hpp"

namespace zastava::provcache {
namespace {

constexpr std::int64_t kCreated = 1766577600;  // 2025-12-24T12:00:00Z (date -u -d @...)
constexpr std::int64_t kHour = 3600;

std::string id_of(char fill) {
  return "sha256:" + std::string(64, fill);
}

std::string sha256_id(const std::string& text) {
  return "sha256:" + encoding::hex_encode(digest::sha256(as_bytes(text)));
}

DecisionDigest example_digest() {
  DecisionDigest digest;
  digest.veri_key = id_of('1');
  digest.verdict_hash = id_of('2');
  digest.proof_root = id_of('3');
  digest.replay_seed = {{"cve-2024", "ghsa-2024"}, {"default-policy-v2"}};
  digest.trust_score = 85;
  digest.created_at_seconds = kCreated;
  digest.expires_at_seconds = kCreated + 24 * kHour;
  return digest;
}

// The seed's example, in RFC 8785 form, written by hand.
const std::string kExampleCanonical =
    R"({"createdAt":"2025-12-24T12:00:00Z","digestVersion":"v1","expiresAt":"2025-12-25T12:00:00Z",)"
    R"("proofRoot":")" +
    id_of('3') +
    R"(","replaySeed":{"feedIds":["cve-2024","ghsa-2024"],)"
    R"("ruleIds":["default-policy-v2"]},"trustScore":85,"verdictHash":")" +
    id_of('2') + R"(","veriKey":")" + id_of('1') + R"("})";  // "verd" sorts before "veri"

GateResult example_gate_result() {
  GateResult result;
  result.verdict = Verdict::kDeny;
  result.findings = {
      {"CVE-2025-0002", "pkg:npm/b@1.0.0", "HIGH", "affected", false, ""},
      {"CVE-2025-0001", "pkg:npm/a@1.0.0", "CRITICAL", "affected", false, ""},
  };
  result.critical_affected = 1;
  result.under_investigation = 0;
  result.reasons = {"CVE-2025-0001 is CRITICAL and affected in pkg:npm/a@1.0.0"};
  result.rule_ids = {"stella.gate/critical-affected/v1", "stella.gate/critical-affected/v1"};
  result.feed_ids = {"trivy", "grype"};
  return result;
}

void expect_parse_error(const std::string& text, const std::string& fragment,
                        ErrorCode code = ErrorCode::kParse) {
  auto parsed = parse_decision_digest(text);
  ASSERT_FALSE(parsed.ok()) << text;
  EXPECT_EQ(parsed.error().code, code) << parsed.error().describe();
  EXPECT_NE(parsed.error().message.find(fragment), std::string::npos) << parsed.error().message;
}

// The example with one member replaced (or removed, when value is null).
std::string example_with(const std::string& key, const nlohmann::json& value) {
  nlohmann::json document = nlohmann::json::parse(kExampleCanonical);
  if (value.is_null()) {
    document.erase(key);
  } else {
    document[key] = value;
  }
  return document.dump();
}

TEST(DecisionDigest, CanonicalFormMatchesTheSeedShape) {
  auto canonical = to_canonical_json(example_digest());
  ASSERT_TRUE(canonical.ok()) << canonical.error().describe();
  EXPECT_EQ(*canonical, kExampleCanonical);
}

TEST(DecisionDigest, ParsesBackToTheSameDigest) {
  auto parsed = parse_decision_digest(kExampleCanonical);
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(*parsed, example_digest());
  // Whitespace and member order do not matter to the parser.
  auto pretty = parse_decision_digest(nlohmann::json::parse(kExampleCanonical).dump(2));
  ASSERT_TRUE(pretty.ok()) << pretty.error().describe();
  EXPECT_EQ(*pretty, example_digest());
}

TEST(DecisionDigest, StrictParseRejectsMissingAndUnknownMembers) {
  for (const char* key : {"digestVersion", "veriKey", "verdictHash", "proofRoot", "replaySeed",
                          "trustScore", "createdAt", "expiresAt"}) {
    expect_parse_error(example_with(key, nullptr), std::string("missing \"") + key + "\"");
  }
  expect_parse_error(example_with("extra", 1), "unknown member \"extra\"");
  expect_parse_error(example_with("replaySeed", {{"feedIds", nlohmann::json::array()}}),
                     "missing \"ruleIds\"");
  expect_parse_error(example_with("replaySeed", {{"feedIds", nlohmann::json::array()},
                                                 {"ruleIds", nlohmann::json::array()},
                                                 {"epoch", 1}}),
                     "unknown member \"epoch\"");
}

TEST(DecisionDigest, StrictParseRejectsWrongTypes) {
  expect_parse_error(example_with("veriKey", 5), "\"veriKey\" must be a string");
  expect_parse_error(example_with("trustScore", "85"), "\"trustScore\" must be an integer");
  expect_parse_error(example_with("trustScore", 85.5), "\"trustScore\" must be an integer");
  expect_parse_error(example_with("replaySeed", nlohmann::json::array()),
                     "\"replaySeed\" must be an object");
  expect_parse_error(
      example_with("replaySeed", {{"feedIds", "cve"}, {"ruleIds", nlohmann::json::array()}}),
      "\"feedIds\" must be an array");
  expect_parse_error(
      example_with("replaySeed", {{"feedIds", {1}}, {"ruleIds", nlohmann::json::array()}}),
      "must hold only strings");
  expect_parse_error("[]", "must be a JSON object");
  expect_parse_error("{", "decision digest");
}

TEST(DecisionDigest, StrictParseRejectsBadValues) {
  expect_parse_error(example_with("digestVersion", "v2"), "v2", ErrorCode::kUnsupported);
  expect_parse_error(example_with("veriKey", "sha256:abc"), "veriKey");
  expect_parse_error(example_with("proofRoot", "sha512:" + std::string(128, '0')),
                     "proofRoot must be a sha256");
  expect_parse_error(example_with("verdictHash", "SHA256:" + std::string(64, '0')), "verdictHash");
  expect_parse_error(example_with("trustScore", 101), "not within 0..100");
  expect_parse_error(example_with("trustScore", -1), "not within 0..100");
  expect_parse_error(example_with("createdAt", "2025-12-24T12:00:00.000Z"), "createdAt");
  expect_parse_error(example_with("expiresAt", "2025-12-24T12:00:00Z"),
                     "expiresAt must be after createdAt");
  expect_parse_error(example_with("expiresAt", "2025-12-24T11:00:00Z"),
                     "expiresAt must be after createdAt");
  expect_parse_error(
      example_with("replaySeed", {{"feedIds", {"b", "a"}}, {"ruleIds", nlohmann::json::array()}}),
      "sorted and unique");
  expect_parse_error(
      example_with("replaySeed", {{"feedIds", {"a", "a"}}, {"ruleIds", nlohmann::json::array()}}),
      "sorted and unique");
  expect_parse_error(
      example_with("replaySeed", {{"feedIds", nlohmann::json::array()}, {"ruleIds", {""}}}),
      "is empty");
}

TEST(DecisionDigest, SerializingAnInvalidDigestFails) {
  DecisionDigest digest = example_digest();
  digest.trust_score = 140;
  EXPECT_EQ(to_canonical_json(digest).error().code, ErrorCode::kInvalidArgument);
  digest = example_digest();
  digest.replay_seed.rule_ids = {"z", "a"};
  EXPECT_FALSE(to_canonical_json(digest).ok());
}

TEST(DecisionDigestTtl, DefaultsClampsAndRejects) {
  const TtlPolicy policy;
  EXPECT_EQ(policy.default_ttl_seconds, 24 * kHour);
  EXPECT_EQ(policy.max_ttl_seconds, 168 * kHour);
  EXPECT_EQ(effective_ttl(policy, std::nullopt).value(), 24 * kHour);
  EXPECT_EQ(effective_ttl(policy, 1).value(), 1);
  EXPECT_EQ(effective_ttl(policy, 168 * kHour).value(), 168 * kHour);
  EXPECT_EQ(effective_ttl(policy, 168 * kHour + 1).value(), 168 * kHour);
  EXPECT_EQ(effective_ttl(policy, 1000 * kHour).value(), 168 * kHour);

  auto zero = effective_ttl(policy, 0);
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(zero.error().message.find("positive"), std::string::npos);
  EXPECT_FALSE(effective_ttl(policy, -5).ok());
  EXPECT_FALSE(effective_ttl(TtlPolicy{200 * kHour, 168 * kHour}, std::nullopt).ok());
  EXPECT_FALSE(effective_ttl(TtlPolicy{0, 168 * kHour}, std::nullopt).ok());
}

TEST(DecisionDigestTime, FormatsAndParsesRfc3339Utc) {
  EXPECT_EQ(format_utc_time(0).value(), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_utc_time(kCreated).value(), "2025-12-24T12:00:00Z");
  EXPECT_EQ(format_utc_time(951782400).value(), "2000-02-29T00:00:00Z");
  EXPECT_EQ(format_utc_time(1709251199).value(), "2024-02-29T23:59:59Z");
  EXPECT_EQ(format_utc_time(253402300799).value(), "9999-12-31T23:59:59Z");
  EXPECT_FALSE(format_utc_time(253402300800).ok());
  EXPECT_FALSE(format_utc_time(-1).ok());
  for (const std::int64_t t : {std::int64_t{0}, kCreated, std::int64_t{951782400},
                               std::int64_t{1709251199}, std::int64_t{253402300799}}) {
    EXPECT_EQ(parse_utc_time(format_utc_time(t).value()).value(), t);
  }
}

TEST(DecisionDigestTime, ParseIsStrict) {
  for (const char* bad :
       {"2025-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2025-04-31T00:00:00Z",
        "2025-13-01T00:00:00Z", "2025-00-01T00:00:00Z", "2025-12-24T24:00:00Z",
        "2025-12-24T12:60:00Z", "2025-12-24T12:00:60Z", "2025-12-24t12:00:00Z",
        "2025-12-24T12:00:00z", "2025-12-24T12:00:00+00:00", "2025-12-24 12:00:00Z",
        "2025-12-24T12:00:00.000Z", "1969-12-31T23:59:59Z", "", "2025-1-24T12:00:00Z"}) {
    auto parsed = parse_utc_time(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.error().code, ErrorCode::kParse);
    }
  }
  EXPECT_EQ(parse_utc_time("2000-02-29T00:00:00Z").value(), 951782400);
}

TEST(VerdictDocument, CanonicalFormAndHash) {
  const std::string expected =
      R"({"criticalAffected":1,"findings":[)"
      R"({"componentPurl":"pkg:npm/a@1.0.0","severity":"CRITICAL","status":"affected",)"
      R"("vulnerabilityId":"CVE-2025-0001","waived":false,"waiverJustification":""},)"
      R"({"componentPurl":"pkg:npm/b@1.0.0","severity":"HIGH","status":"affected",)"
      R"("vulnerabilityId":"CVE-2025-0002","waived":false,"waiverJustification":""}],)"
      R"("reasons":["CVE-2025-0001 is CRITICAL and affected in pkg:npm/a@1.0.0"],)"
      R"("underInvestigation":0,"verdict":"deny"})";
  EXPECT_EQ(nlohmann::json::parse(expected), verdict_document(example_gate_result()));
  EXPECT_EQ(verdict_hash(example_gate_result()).value(), sha256_id(expected));
}

TEST(VerdictDocument, HashIgnoresFindingOrderButNotContent) {
  GateResult reordered = example_gate_result();
  std::swap(reordered.findings[0], reordered.findings[1]);
  EXPECT_EQ(verdict_hash(reordered).value(), verdict_hash(example_gate_result()).value());

  GateResult waived = example_gate_result();
  waived.findings[1].waived = true;
  EXPECT_NE(verdict_hash(waived).value(), verdict_hash(example_gate_result()).value());

  GateResult allowed = example_gate_result();
  allowed.verdict = Verdict::kAllow;
  EXPECT_NE(verdict_hash(allowed).value(), verdict_hash(example_gate_result()).value());
  EXPECT_EQ(verdict_document(allowed)["verdict"], "allow");

  GateResult bad_utf8 = example_gate_result();
  bad_utf8.reasons.push_back("\xff");
  EXPECT_EQ(verdict_hash(bad_utf8).error().code, ErrorCode::kInvalidArgument);
}

TEST(BuildDecisionDigest, FillsEveryFieldAndRoundTrips) {
  auto digest = build_decision_digest(id_of('1'), example_gate_result(), id_of('3'), 85, kCreated);
  ASSERT_TRUE(digest.ok()) << digest.error().describe();
  EXPECT_EQ(digest->digest_version, "v1");
  EXPECT_EQ(digest->veri_key, id_of('1'));
  EXPECT_EQ(digest->verdict_hash, verdict_hash(example_gate_result()).value());
  EXPECT_EQ(digest->proof_root, id_of('3'));
  EXPECT_EQ(digest->replay_seed.feed_ids, (std::vector<std::string>{"grype", "trivy"}));
  EXPECT_EQ(digest->replay_seed.rule_ids,
            (std::vector<std::string>{"stella.gate/critical-affected/v1"}));
  EXPECT_EQ(digest->trust_score, 85);
  EXPECT_EQ(digest->created_at_seconds, kCreated);
  EXPECT_EQ(digest->expires_at_seconds, kCreated + 24 * kHour);

  auto text = to_canonical_json(*digest);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(parse_decision_digest(*text).value(), *digest);
}

TEST(BuildDecisionDigest, AppliesTheTtlPolicy) {
  auto clamped = build_decision_digest(id_of('1'), example_gate_result(), id_of('3'), 50, kCreated,
                                       500 * kHour);
  ASSERT_TRUE(clamped.ok());
  EXPECT_EQ(clamped->expires_at_seconds, kCreated + 168 * kHour);
  auto shorter = build_decision_digest(id_of('1'), example_gate_result(), id_of('3'), 50, kCreated,
                                       2 * kHour, TtlPolicy{kHour, 4 * kHour});
  ASSERT_TRUE(shorter.ok());
  EXPECT_EQ(shorter->expires_at_seconds, kCreated + 2 * kHour);
  EXPECT_FALSE(
      build_decision_digest(id_of('1'), example_gate_result(), id_of('3'), 50, kCreated, 0).ok());
}

TEST(BuildDecisionDigest, RejectsBadInputs) {
  auto bad_key =
      build_decision_digest("sha256:nope", example_gate_result(), id_of('3'), 50, kCreated);
  ASSERT_FALSE(bad_key.ok());
  EXPECT_NE(bad_key.error().message.find("veriKey"), std::string::npos);
  EXPECT_FALSE(build_decision_digest(id_of('1'), example_gate_result(), "", 50, kCreated).ok());
  auto bad_score =
      build_decision_digest(id_of('1'), example_gate_result(), id_of('3'), 101, kCreated);
  ASSERT_FALSE(bad_score.ok());
  EXPECT_NE(bad_score.error().message.find("trustScore"), std::string::npos);
}

}  // namespace
}  // namespace zastava::provcache
