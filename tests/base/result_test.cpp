#include "base/result.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace zastava {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return make_error(ErrorCode::kInvalidArgument, "not positive");
  return v;
}

TEST(Result, CarriesValue) {
  auto r = parse_positive(7);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 7);
  EXPECT_EQ(r.value_or(1), 7);
}

TEST(Result, CarriesErrorWithCodeAndMessage) {
  auto r = parse_positive(-1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message, "not positive");
  EXPECT_EQ(r.error().describe(), "invalid_argument: not positive");
  EXPECT_EQ(r.value_or(3), 3);
}

TEST(Result, ValueOnErrorThrowsLogicError) {
  auto r = parse_positive(0);
  EXPECT_THROW((void)r.value(), BadResultAccess);
}

TEST(Result, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 5);
}

TEST(Result, ContextPrefixesMessageAndKeepsCode) {
  const Error e = make_error(ErrorCode::kParse, "bad byte").with_context("file.json");
  EXPECT_EQ(e.code, ErrorCode::kParse);
  EXPECT_EQ(e.message, "file.json: bad byte");
}

TEST(Status, OkAndError) {
  Status good = ok_status();
  EXPECT_TRUE(good.ok());
  EXPECT_NO_THROW(good.value());
  Status bad = make_error(ErrorCode::kIo, "disk");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kIo);
  EXPECT_THROW(bad.value(), BadResultAccess);
}

}  // namespace
}  // namespace zastava
