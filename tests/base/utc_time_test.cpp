#include "base/utc_time.hpp"

#include <gtest/gtest.h>

namespace zastava {
namespace {

// Expected values computed with GNU date: date -u -d '2024-02-29T12:34:56Z' +%s.
TEST(UtcTime, KnownInstants) {
  EXPECT_EQ(to_unix_seconds({1970, 1, 1, 0, 0, 0}), 0);
  EXPECT_EQ(to_unix_seconds({2024, 2, 29, 12, 34, 56}), 1709210096);
  EXPECT_EQ(to_unix_seconds({0, 1, 1, 0, 0, 0}), kMinUtcSeconds);
  EXPECT_EQ(to_unix_seconds({9999, 12, 31, 23, 59, 59}), kMaxUtcSeconds);
  EXPECT_EQ(to_unix_seconds({1969, 12, 31, 23, 59, 59}), -1);
}

TEST(UtcTime, FormatsWithAndWithoutMillis) {
  EXPECT_EQ(format_rfc3339_utc(1709210096, false), "2024-02-29T12:34:56Z");
  EXPECT_EQ(format_rfc3339_utc(1709210096, true), "2024-02-29T12:34:56.000Z");
  EXPECT_EQ(format_rfc3339_utc(kMinUtcSeconds, false), "0000-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339_utc(kMaxUtcSeconds, false), "9999-12-31T23:59:59Z");
  EXPECT_EQ(format_rfc3339_utc(-1, false), "1969-12-31T23:59:59Z");
}

TEST(UtcTime, FormatsMicroTime) {
  EXPECT_EQ(format_rfc3339_utc_micros(1709210096'000'000), "2024-02-29T12:34:56.000000Z");
  EXPECT_EQ(format_rfc3339_utc_micros(1709210096'123456), "2024-02-29T12:34:56.123456Z");
  EXPECT_EQ(format_rfc3339_utc_micros(999'999), "1970-01-01T00:00:00.999999Z");
  EXPECT_EQ(format_rfc3339_utc_micros(-1), "1969-12-31T23:59:59.999999Z");
}

TEST(UtcTime, RoundTripsAcrossTheRange) {
  for (std::int64_t s = kMinUtcSeconds; s <= kMaxUtcSeconds; s += 86400 * 97 + 3671) {
    const UtcDateTime t = from_unix_seconds(s);
    ASSERT_TRUE(is_valid_date(t.year, t.month, t.day)) << s;
    ASSERT_EQ(to_unix_seconds(t), s);
  }
}

TEST(UtcTime, ValidDates) {
  EXPECT_TRUE(is_valid_date(2024, 2, 29));
  EXPECT_FALSE(is_valid_date(2023, 2, 29));
  EXPECT_TRUE(is_valid_date(2000, 2, 29));
  EXPECT_FALSE(is_valid_date(1900, 2, 29));
  EXPECT_FALSE(is_valid_date(2024, 4, 31));
  EXPECT_FALSE(is_valid_date(2024, 13, 1));
  EXPECT_FALSE(is_valid_date(2024, 0, 1));
  EXPECT_FALSE(is_valid_date(2024, 1, 0));
  EXPECT_FALSE(is_valid_date(10000, 1, 1));
  EXPECT_FALSE(is_valid_date(-1, 1, 1));
}

}  // namespace
}  // namespace zastava
