#include "support/flags.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace zastava::support {
namespace {

constexpr std::array kSpecs = {
    FlagSpec{"policy-file", "FILE", "the compiled policy"},
    FlagSpec{"workers", "N", "threads"},
    FlagSpec{"help", "", "print this help"},
};

Result<FlagValues> split(std::vector<std::string> argv) {
  return split_flags(argv, kSpecs);
}

TEST(SplitFlags, TakesSeparateAndInlineValuesAndSwitches) {
  auto values = split({"--policy-file", "p.yaml", "--workers=4", "--help"});
  ASSERT_TRUE(values.ok()) << values.error().message;
  EXPECT_EQ(*values, (FlagValues{{"help", ""}, {"policy-file", "p.yaml"}, {"workers", "4"}}));
}

TEST(SplitFlags, TheLastOfARepeatedFlagWinsAndAnInlineValueMayBeEmptyOrHoldEquals) {
  auto values = split({"--workers", "1", "--workers=2", "--policy-file=a=b"});
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(values->at("workers"), "2");
  EXPECT_EQ(values->at("policy-file"), "a=b");
  auto empty = split({"--policy-file="});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->at("policy-file"), "");
}

TEST(SplitFlags, RefusesWhatItCannotRead) {
  const auto message = [](std::vector<std::string> argv) {
    auto values = split(std::move(argv));
    EXPECT_FALSE(values.ok());
    if (values.ok()) return std::string();
    EXPECT_EQ(values.error().code, ErrorCode::kInvalidArgument);
    return values.error().message;
  };
  EXPECT_EQ(message({"stray"}), "unexpected argument 'stray'");
  EXPECT_EQ(message({"--polcy-file", "x"}), "unknown flag --polcy-file");
  EXPECT_EQ(message({"--help=yes"}), "--help takes no value");
  EXPECT_EQ(message({"--workers"}), "--workers needs a value");
}

TEST(FlagTable, PadsTheFlagColumnAndListsEveryFlag) {
  EXPECT_EQ(flag_table(kSpecs, 22),
            "  --policy-file FILE   the compiled policy\n"
            "  --workers N          threads\n"
            "  --help               print this help\n");
}

}  // namespace
}  // namespace zastava::support
