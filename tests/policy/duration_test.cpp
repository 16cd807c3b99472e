#include "policy/duration.hpp"

#include <gtest/gtest.h>

namespace zastava::policy {
namespace {

TEST(Duration, ReadsGoStyleWholeSeconds) {
  EXPECT_EQ(*parse_duration_seconds("24h"), 86400);
  EXPECT_EQ(*parse_duration_seconds("90m"), 5400);
  EXPECT_EQ(*parse_duration_seconds("1h30m"), 5400);
  EXPECT_EQ(*parse_duration_seconds("1h30m15s"), 5415);
  EXPECT_EQ(*parse_duration_seconds("45s"), 45);
  EXPECT_EQ(*parse_duration_seconds("168h"), 604800);
  EXPECT_EQ(*parse_duration_seconds("0s"), 0);
  EXPECT_EQ(*parse_duration_seconds("007m"), 420);
}

TEST(Duration, RejectsEverythingElseWithTheReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "empty"},
      {"24", "missing unit"},
      {"1d", "unknown unit 'd'"},
      {"500ms", "milliseconds are not allowed"},
      {"1.5h", "fractions are not allowed"},
      {"-1h", "signs are not allowed"},
      {"+1h", "signs are not allowed"},
      {"30m1h", "in the order h, m, s"},
      {"1h1h", "in the order h, m, s"},
      {"1h 30m", "expected a number"},
      {" 1h", "expected a number"},
      {"h", "expected a number"},
      {"1H", "unknown unit 'H'"},
      {"999999999999999999999h", "too long"},
      {"900000h", "too long"},
  };
  for (const auto& [text, why] : cases) {
    auto parsed = parse_duration_seconds(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.error().message.find(why), std::string::npos)
        << text << " -> " << parsed.error().message;
  }
}

TEST(Duration, FormatsTheShortestTextItReadsBack) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(5400), "1h30m");
  EXPECT_EQ(format_duration(86400), "24h");
  EXPECT_EQ(format_duration(3661), "1h1m1s");
  EXPECT_EQ(format_duration(59), "59s");
  for (const std::int64_t seconds : {1LL, 60LL, 3599LL, 3600LL, 90061LL, 604800LL}) {
    EXPECT_EQ(*parse_duration_seconds(format_duration(seconds)), seconds);
  }
}

}  // namespace
}  // namespace zastava::policy
