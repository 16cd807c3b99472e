// Number serialization against RFC 8785 Appendix B (the IEEE-754 bit patterns
// and their expected text, copied from the RFC) and against values whose
// JavaScript String(x) is well known.
#include "json/ecmascript_number.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace zastava::json {
namespace {

std::string es(double value) {
  std::string out;
  append_ecmascript_number(value, out);
  return out;
}

struct AppendixBRow {
  std::uint64_t ieee754;
  const char* expected;
};

// RFC 8785 Appendix B, "Number Serialization Samples" (NaN and Infinity rows,
// which have no JSON form, are tested in canonical_json_test.cpp).
constexpr AppendixBRow kAppendixB[] = {
    {0x0000000000000000, "0"},
    {0x8000000000000000, "0"},
    {0x0000000000000001, "5e-324"},
    {0x8000000000000001, "-5e-324"},
    {0x7fefffffffffffff, "1.7976931348623157e+308"},
    {0xffefffffffffffff, "-1.7976931348623157e+308"},
    {0x4340000000000000, "9007199254740992"},
    {0xc340000000000000, "-9007199254740992"},
    {0x4430000000000000, "295147905179352830000"},
    {0x44b52d02c7e14af5, "9.999999999999997e+22"},
    {0x44b52d02c7e14af6, "1e+23"},
    {0x44b52d02c7e14af7, "1.0000000000000001e+23"},
    {0x444b1ae4d6e2ef4e, "999999999999999700000"},
    {0x444b1ae4d6e2ef4f, "999999999999999900000"},
    {0x444b1ae4d6e2ef50, "1e+21"},
    {0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
    {0x3eb0c6f7a0b5ed8d, "0.000001"},
    {0x41b3de4355555553, "333333333.3333332"},
    {0x41b3de4355555554, "333333333.33333325"},
    {0x41b3de4355555555, "333333333.3333333"},
    {0x41b3de4355555556, "333333333.3333334"},
    {0x41b3de4355555557, "333333333.33333343"},
    {0xbecbf647612f3696, "-0.0000033333333333333333"},
    {0x43143ff3c1cb0959, "1424953923781206.2"},
};

TEST(EcmaScriptNumber, MatchesRfc8785AppendixB) {
  for (const auto& row : kAppendixB) {
    EXPECT_EQ(es(std::bit_cast<double>(row.ieee754)), row.expected)
        << "IEEE-754 bits " << std::hex << row.ieee754;
  }
}

TEST(EcmaScriptNumber, BothZerosAreZero) {
  EXPECT_EQ(es(0.0), "0");
  EXPECT_EQ(es(-0.0), "0");
}

TEST(EcmaScriptNumber, PlainIntegerFormBelowTenToThe21ExponentFormFromIt) {
  EXPECT_EQ(es(1e20), "100000000000000000000");
  EXPECT_EQ(es(-1e20), "-100000000000000000000");
  EXPECT_EQ(es(1e21), "1e+21");
  EXPECT_EQ(es(-1e21), "-1e+21");
  EXPECT_EQ(es(1.5e21), "1.5e+21");
  EXPECT_EQ(es(1e100), "1e+100");
  EXPECT_EQ(es(123456789012345680000.0), "123456789012345680000");
}

TEST(EcmaScriptNumber, PlainDecimalFormDownToAMillionthExponentFormBelow) {
  EXPECT_EQ(es(1e-6), "0.000001");
  EXPECT_EQ(es(1.5e-6), "0.0000015");
  EXPECT_EQ(es(1e-7), "1e-7");
  EXPECT_EQ(es(-1e-7), "-1e-7");
  EXPECT_EQ(es(1.5e-7), "1.5e-7");
  EXPECT_EQ(es(1.23e-18), "1.23e-18");
  EXPECT_EQ(es(0.5), "0.5");
  EXPECT_EQ(es(-0.001), "-0.001");
}

TEST(EcmaScriptNumber, IntegersAroundTwoToThe53) {
  EXPECT_EQ(es(9007199254740991.0), "9007199254740991");  // 2^53 - 1
  EXPECT_EQ(es(-9007199254740991.0), "-9007199254740991");
  EXPECT_EQ(es(9007199254740992.0), "9007199254740992");        // 2^53
  EXPECT_EQ(es(9007199254740994.0), "9007199254740994");        // 2^53 + 2
  EXPECT_EQ(es(1152921504606846976.0), "1152921504606847000");  // 2^60: shortest digits, zeros
  EXPECT_EQ(es(9223372036854775808.0), "9223372036854776000");  // 2^63
}

TEST(EcmaScriptNumber, ShortestDigitsThatRoundTrip) {
  EXPECT_EQ(es(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(es(0.1), "0.1");
  EXPECT_EQ(es(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(es(2.0 / 3.0), "0.6666666666666666");
  EXPECT_EQ(es(4.35), "4.35");
  EXPECT_EQ(es(100.0), "100");
  EXPECT_EQ(es(1.0 + std::numeric_limits<double>::epsilon()), "1.0000000000000002");
}

TEST(EcmaScriptNumber, ExtremesOfTheDoubleRange) {
  EXPECT_EQ(es(5e-324), "5e-324");
  EXPECT_EQ(es(std::numeric_limits<double>::denorm_min()), "5e-324");
  EXPECT_EQ(es(std::numeric_limits<double>::min()), "2.2250738585072014e-308");
  EXPECT_EQ(es(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
  EXPECT_EQ(es(-std::numeric_limits<double>::max()), "-1.7976931348623157e+308");
}

TEST(EcmaScriptNumber, AppendsWithoutDisturbingExistingText) {
  std::string out = "[1,";
  append_ecmascript_number(2.5, out);
  EXPECT_EQ(out, "[1,2.5");
}

}  // namespace
}  // namespace zastava::json
