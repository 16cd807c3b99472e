#include "args.hpp"

#include <gtest/gtest.h>

namespace zastava::cli {
namespace {

const ArgSpec kSpec{{"out", "key"}, {"lines"}};

TEST(Args, PositionalsOptionsAndSwitches) {
  auto args = Args::parse({"in.json", "--out", "o.json", "--lines", "--key=k.pem", "x"}, kSpec);
  ASSERT_TRUE(args.ok()) << args.error().describe();
  EXPECT_EQ(args->positional(), (std::vector<std::string>{"in.json", "x"}));
  EXPECT_EQ(args->value("out"), "o.json");
  EXPECT_EQ(args->value("key"), "k.pem");
  EXPECT_TRUE(args->has("lines"));
  EXPECT_FALSE(args->value("missing").has_value());
}

TEST(Args, RepeatedOptionsKeepOrder) {
  auto args = Args::parse({"--key", "a", "--key", "b"}, kSpec);
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(args->values("key"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(args->value("key"), "b");
}

TEST(Args, RejectsUnknownMissingValueAndValuedSwitch) {
  EXPECT_NE(Args::parse({"--nope"}, kSpec).error().message.find("unknown option --nope"),
            std::string::npos);
  EXPECT_NE(Args::parse({"--out"}, kSpec).error().message.find("needs a value"), std::string::npos);
  EXPECT_FALSE(Args::parse({"--lines=yes"}, kSpec).ok());
}

TEST(Args, DoubleDashEndsOptions) {
  auto args = Args::parse({"--", "--out"}, kSpec);
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(args->positional(), (std::vector<std::string>{"--out"}));
  auto single = Args::parse({"-"}, kSpec);  // "-" (stdin) is positional
  EXPECT_EQ(single->positional(), (std::vector<std::string>{"-"}));
}

}  // namespace
}  // namespace zastava::cli
