// Tests for provcache/invalidation: what each kind of request removes, feed
// epoch order, the request and revocation JSON, and UUID v4 generation.
#include "provcache/invalidation.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "entry_samples.hpp"

namespace zastava::provcache {
namespace {

using testing::sample_entry;
using testing::sample_id;

TEST(Invalidation, KindNamesRoundTrip) {
  for (const auto kind : {InvalidationKind::kSignerSetHash, InvalidationKind::kPolicyHash,
                          InvalidationKind::kFeedEpoch, InvalidationKind::kExpired}) {
    EXPECT_EQ(parse_invalidation_kind(to_string(kind)), kind);
  }
  EXPECT_EQ(to_string(InvalidationKind::kSignerSetHash), "signer_set_hash");
  EXPECT_FALSE(parse_invalidation_kind("SIGNER_SET_HASH").has_value());
}

TEST(Invalidation, FeedEpochsOrderByLengthThenBytes) {
  EXPECT_LT(compare_feed_epochs("41", "112"), 0);
  EXPECT_GT(compare_feed_epochs("112", "41"), 0);
  EXPECT_LT(compare_feed_epochs("2026-11-01", "2026-11-22"), 0);
  EXPECT_EQ(compare_feed_epochs("2026-11-01", "2026-11-01"), 0);
  EXPECT_LT(compare_feed_epochs("", "0"), 0);
  EXPECT_EQ(compare_feed_epochs("", ""), 0);
}

TEST(Invalidation, MatchesEachKind) {
  testing::SampleOptions options;
  options.signer_set = "signers-a";
  options.policy = "policy-a";
  options.feed_epoch = "2026-11-01";
  const ProvcacheEntry entry = sample_entry(1, options);
  const std::int64_t now = entry.expires_at() - 1;

  EXPECT_TRUE(
      matches({InvalidationKind::kSignerSetHash, sample_id("signers-a"), "", ""}, entry, now));
  EXPECT_FALSE(
      matches({InvalidationKind::kSignerSetHash, sample_id("signers-b"), "", ""}, entry, now));
  EXPECT_TRUE(matches({InvalidationKind::kPolicyHash, sample_id("policy-a"), "", ""}, entry, now));
  EXPECT_FALSE(
      matches({InvalidationKind::kPolicyHash, sample_id("signers-a"), "", ""}, entry, now));
  EXPECT_TRUE(matches({InvalidationKind::kFeedEpoch, "2026-11-02", "", ""}, entry, now));
  EXPECT_FALSE(matches({InvalidationKind::kFeedEpoch, "2026-11-01", "", ""}, entry, now));
  EXPECT_FALSE(matches({InvalidationKind::kFeedEpoch, "2026-10-31", "", ""}, entry, now));
  EXPECT_FALSE(matches({InvalidationKind::kExpired, "", "", ""}, entry, now));
  EXPECT_TRUE(matches({InvalidationKind::kExpired, "", "", ""}, entry, entry.expires_at()));
}

TEST(Invalidation, ValidateRejectsBadRequests) {
  EXPECT_TRUE(validate({InvalidationKind::kExpired, "", "", ""}).ok());
  EXPECT_TRUE(validate({InvalidationKind::kFeedEpoch, "42", "feed advanced", ""}).ok());
  const InvalidationRequest bad[] = {
      {InvalidationKind::kSignerSetHash, "", "", ""},
      {InvalidationKind::kSignerSetHash, "not-a-hash", "", ""},
      {InvalidationKind::kPolicyHash, "sha256:1234", "", ""},
      {InvalidationKind::kFeedEpoch, "", "", ""},
      {InvalidationKind::kFeedEpoch, "1", std::string(1025, 'r'), ""},
      {InvalidationKind::kFeedEpoch, "1", "", "\xff\xfe"},
  };
  for (const InvalidationRequest& request : bad) {
    const Status status = validate(request);
    ASSERT_FALSE(status.ok()) << request.value;
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(Invalidation, JsonRoundTripsAndMatchesTheSeedExample) {
  const InvalidationRequest request{InvalidationKind::kSignerSetHash, sample_id("revoked"),
                                    "key-compromise", "system:serviceaccount:zastava:operator"};
  const std::string text = invalidation_to_json(request).value();
  EXPECT_EQ(text,
            "{\"actor\":\"system:serviceaccount:zastava:operator\",\"by\":\"signer_set_hash\","
            "\"reason\":\"key-compromise\",\"value\":\"" +
                sample_id("revoked") + "\"}");
  EXPECT_EQ(parse_invalidation(text).value(), request);

  auto minimal = parse_invalidation("{\"by\":\"expired\"}");
  ASSERT_TRUE(minimal.ok()) << minimal.error().describe();
  EXPECT_EQ(minimal->by, InvalidationKind::kExpired);
  EXPECT_TRUE(minimal->value.empty());
  EXPECT_EQ(invalidation_to_json(*minimal).value(), "{\"by\":\"expired\",\"value\":\"\"}");
}

TEST(Invalidation, ParseIsStrict) {
  struct Case {
    const char* text;
    ErrorCode code;
    const char* mention;
  };
  const Case cases[] = {
      {"{\"by\":\"nope\",\"value\":\"1\"}", ErrorCode::kParse, "by"},
      {"{\"by\":\"feed_epoch\",\"value\":1}", ErrorCode::kParse, "value"},
      {"{\"by\":\"feed_epoch\",\"value\":\"1\",\"why\":\"x\"}", ErrorCode::kParse, "why"},
      {"{\"value\":\"1\"}", ErrorCode::kParse, "by"},
      {"{\"by\":\"policy_hash\",\"value\":\"abc\"}", ErrorCode::kInvalidArgument, "value"},
      {"[]", ErrorCode::kParse, "object"},
  };
  for (const Case& c : cases) {
    auto parsed = parse_invalidation(c.text);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.error().code, c.code) << c.text;
    EXPECT_NE(parsed.error().message.find(c.mention), std::string::npos) << parsed.error().message;
  }
}

TEST(InvalidationResult, MergeKeepsKeysSortedAndUnique) {
  InvalidationResult into{{"a", "c", "e"}};
  merge(into, InvalidationResult{{"b", "c", "f"}});
  EXPECT_EQ(into.veri_keys, (std::vector<std::string>{"a", "b", "c", "e", "f"}));
  EXPECT_EQ(into.entries_affected(), 5U);
  merge(into, InvalidationResult{});
  EXPECT_EQ(into.entries_affected(), 5U);
}

bool is_uuid_v4(const std::string& text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (text[i] == '-')) return false;
    if (!dash && std::string("0123456789abcdef").find(text[i]) == std::string::npos) return false;
  }
  return text[14] == '4' && std::string("89ab").find(text[19]) != std::string::npos;
}

TEST(RevocationRecord, MakesFreshUuidV4s) {
  const InvalidationRequest request{InvalidationKind::kPolicyHash, sample_id("p"), "update", "me"};
  std::set<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    const RevocationRecord record = make_revocation_record(request, 3, testing::kSampleCreatedAt);
    EXPECT_TRUE(is_uuid_v4(record.revocation_id)) << record.revocation_id;
    ids.insert(record.revocation_id);
  }
  EXPECT_EQ(ids.size(), 200U);
  const RevocationRecord record = make_revocation_record(request, 3, testing::kSampleCreatedAt);
  EXPECT_EQ(record.revocation_type, "policy_hash");
  EXPECT_EQ(record.target_hash, sample_id("p"));
  EXPECT_EQ(record.reason, "update");
  EXPECT_EQ(record.actor, "me");
  EXPECT_EQ(record.entries_affected, 3U);
}

TEST(RevocationRecord, JsonRoundTrips) {
  const RevocationRecord record{"0f8fad5b-d9cb-469f-a165-70867728950e",
                                "feed_epoch",
                                "42",
                                "feed advanced",
                                "",
                                17,
                                testing::kSampleCreatedAt};
  const std::string text = revocation_to_json(record).value();
  EXPECT_EQ(
      text,
      "{\"actor\":\"\",\"createdAt\":\"2025-12-24T12:00:00Z\",\"entriesAffected\":17,"
      "\"reason\":\"feed advanced\",\"revocationId\":\"0f8fad5b-d9cb-469f-a165-70867728950e\","
      "\"revocationType\":\"feed_epoch\",\"targetHash\":\"42\"}");
  EXPECT_EQ(parse_revocation(text).value(), record);
}

TEST(RevocationRecord, RejectsBadRecords) {
  RevocationRecord bad_id{"not-a-uuid", "feed_epoch", "42", "", "", 0, 0};
  EXPECT_EQ(revocation_to_json(bad_id).error().code, ErrorCode::kInvalidArgument);
  RevocationRecord bad_type{"0f8fad5b-d9cb-469f-a165-70867728950e", "by_mood", "", "", "", 0, 0};
  EXPECT_EQ(revocation_to_json(bad_type).error().code, ErrorCode::kInvalidArgument);
  nlohmann::json document = nlohmann::json::parse(
      revocation_to_json({"0f8fad5b-d9cb-469f-a165-70867728950e", "expired", "", "", "", 0, 0})
          .value());
  document["createdAt"] = "yesterday";
  auto parsed = parse_revocation(document.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kParse);
  EXPECT_NE(parsed.error().message.find("createdAt"), std::string::npos);
}

}  // namespace
}  // namespace zastava::provcache
