// canonicalize / canonicalize_text against the examples of RFC 8785 and the
// rules of its section 3.2, plus every way a value can fail to have a
// canonical form.
#include "json/canonical_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/hex.hpp"

namespace zastava::json {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::string canonical_text(std::string_view text) {
  const Result<std::string> result = canonicalize_text(text);
  if (!result.ok()) {
    ADD_FAILURE() << "rejected: " << result.error().message;
    return "";
  }
  return *result;
}

std::string canonical_value(const json& value) {
  const Result<std::string> result = canonicalize(value);
  if (!result.ok()) {
    ADD_FAILURE() << "rejected: " << result.error().message;
    return "";
  }
  return *result;
}

std::string rejection(const json& value) {
  const Result<std::string> result = canonicalize(value);
  if (result.ok()) {
    ADD_FAILURE() << "accepted, giving " << *result;
    return "";
  }
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  return result.error().message;
}

// RFC 8785 section 3.2.2, with its expected output as the UTF-8 bytes of
// section 3.2.4.
TEST(Canonicalize, Rfc8785Section322Example) {
  const std::string input = R"({
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  })";
  const std::string expected_hex =
      "7b226c69746572616c73223a5b6e756c6c2c747275652c66616c73655d2c226e756d62657273223a"
      "5b3333333333333333332e333333333333332c31652b33302c342e352c302e3030322c31652d3237"
      "5d2c22737472696e67223a22e282ac245c75303030665c6e4127425c225c5c5c5c5c222f227d";
  EXPECT_EQ(encoding::hex_encode(as_bytes(canonical_text(input))), expected_hex);
  EXPECT_EQ(canonical_text(input),
            "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
            "\"string\":\"\xE2\x82\xAC$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

// RFC 8785 section 3.2.3: names sorted by UTF-16 code units.
TEST(Canonicalize, Rfc8785Section323SortingExample) {
  const std::string input = R"({
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\ud83d\ude00": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis"
  })";
  EXPECT_EQ(canonical_text(input),
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xC2\x80\":\"Control\","
            "\"\xC3\xB6\":\"Latin Small Letter O With Diaeresis\",\"\xE2\x82\xAC\":\"Euro Sign\","
            "\"\xF0\x9F\x98\x80\":\"Emoji: Grinning Face\","
            "\"\xEF\xAC\xB3\":\"Hebrew Letter Dalet With Dagesh\"}");
}

TEST(Canonicalize, SortsNestedObjectsAndKeepsArrayOrder) {
  EXPECT_EQ(canonical_text(R"({"b": [3, {"z": 1, "y": 2}, 1], "a": {"d": null, "c": {}}})"),
            R"({"a":{"c":{},"d":null},"b":[3,{"y":2,"z":1},1]})");
  EXPECT_EQ(canonical_text(R"({"10": 1, "2": 2, "1": 3, "": 4, "A": 5, "a": 6})"),
            R"({"":4,"1":3,"10":1,"2":2,"A":5,"a":6})");
}

TEST(Canonicalize, SortsSupplementaryNamesBeforeUpperBmpNames) {
  json value = json::object();
  value["\xEE\x80\x80"] = 1;      // U+E000
  value["\xF0\x90\x80\x80"] = 2;  // U+10000
  value["\xEF\xBF\xBD"] = 3;      // U+FFFD
  value["a"] = 4;
  value["\xF4\x8F\xBF\xBD"] = 5;  // U+10FFFD
  EXPECT_EQ(canonical_value(value),
            "{\"a\":4,\"\xF0\x90\x80\x80\":2,\"\xF4\x8F\xBF\xBD\":5,\"\xEE\x80\x80\":1,"
            "\"\xEF\xBF\xBD\":3}");
}

TEST(Canonicalize, RemovesWhitespaceAndHandlesEmptyContainersAndScalars) {
  EXPECT_EQ(canonical_text(" { } "), "{}");
  EXPECT_EQ(canonical_text("[ ]"), "[]");
  EXPECT_EQ(canonical_text("[ [ ], { } ]"), "[[],{}]");
  EXPECT_EQ(canonical_text("\t\r\n null \n"), "null");
  EXPECT_EQ(canonical_text("true"), "true");
  EXPECT_EQ(canonical_text("\"x\""), "\"x\"");
  EXPECT_EQ(canonical_text("1E2"), "100");
}

TEST(Canonicalize, NumbersAtTheEdgesAsJavaScriptWritesThem) {
  EXPECT_EQ(canonical_text("[-0, -0.0, 0e10, 1e21, 1e20, 1e-7, 1e-6, 9007199254740991, "
                           "9007199254740992, 9007199254740993, -9007199254740993, 5e-324, "
                           "1.7976931348623157e308, 0.30000000000000004, 1.0, 4.50, 1E+2, 12e-1]"),
            "[0,0,0,1e+21,100000000000000000000,1e-7,0.000001,9007199254740991,"
            "9007199254740992,9007199254740992,-9007199254740992,5e-324,"
            "1.7976931348623157e+308,0.30000000000000004,1,4.5,100,1.2]");
}

TEST(Canonicalize, IntegersStoredByNlohmannBecomeDoubles) {
  EXPECT_EQ(canonical_value(json(std::numeric_limits<std::int64_t>::max())), "9223372036854776000");
  EXPECT_EQ(canonical_value(json(std::numeric_limits<std::int64_t>::min())),
            "-9223372036854776000");
  EXPECT_EQ(canonical_value(json(std::numeric_limits<std::uint64_t>::max())),
            "18446744073709552000");
  EXPECT_EQ(canonical_value(json(std::int64_t{9007199254740993})), "9007199254740992");
  EXPECT_EQ(canonical_value(json(std::uint64_t{42})), "42");
  EXPECT_EQ(canonical_value(json(-7)), "-7");
}

TEST(Canonicalize, EscapesOnlyWhatJcsEscapes) {
  EXPECT_EQ(canonical_text(R"("\b\t\n\f\r\"\\")"), R"("\b\t\n\f\r\"\\")");
  EXPECT_EQ(canonical_text(R"("\u0000\u0001\u000b\u000e\u001f")"),
            R"("\u0000\u0001\u000b\u000e\u001f")");
  // '/', U+007F, U+2028, U+2029 and everything non-ASCII: literal.
  EXPECT_EQ(canonical_text(R"("\/\u007f\u2028\u2029\u00e9\ud83d\ude00")"),
            "\"/\x7F\xE2\x80\xA8\xE2\x80\xA9\xC3\xA9\xF0\x9F\x98\x80\"");
  // Escaping applies to member names too.
  EXPECT_EQ(canonical_text(R"({"a\nb": "\u001F"})"), R"({"a\nb":"\u001f"})");
}

// Every ASCII byte at every position of strings long enough for the
// word-at-a-time fast path, against the escaping rule written out plainly.
TEST(Canonicalize, EscapesEveryAsciiByteAtEveryPosition) {
  const auto expected_escape = [](char c) -> std::string {
    static constexpr char kHex[] = "0123456789abcdef";
    switch (c) {
      case '\b':
        return "\\b";
      case '\t':
        return "\\t";
      case '\n':
        return "\\n";
      case '\f':
        return "\\f";
      case '\r':
        return "\\r";
      case '"':
        return "\\\"";
      case '\\':
        return "\\\\";
      default:
        break;
    }
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20) return std::string("\\u00") + kHex[byte >> 4U] + kHex[byte & 0xFU];
    return std::string(1, c);
  };
  for (int byte = 0; byte < 0x80; ++byte) {
    for (std::size_t position = 0; position < 19; ++position) {
      std::string text(19, 'x');
      text[position] = static_cast<char>(byte);
      std::string expected = "\"";
      for (const char c : text) expected += expected_escape(c);
      expected += '"';
      EXPECT_EQ(canonical_value(json(text)), expected) << "byte " << byte << " at " << position;
    }
  }
}

TEST(Canonicalize, IsIdempotent) {
  const char* const kDocuments[] = {
      R"({"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 1e-27, -0, 1e21, 1e-7]})",
      R"({"\u20ac": 1, "\ud83d\ude00": [2, {"\ufb33": "\u001f\/"}], "a": "\u2028"})",
      R"([[[[]]], {}, "", 0.1, 123456789012345678901234567890])",
  };
  for (const char* text : kDocuments) {
    const std::string once = canonical_text(text);
    EXPECT_EQ(canonical_text(once), once);
    EXPECT_EQ(canonical_value(*parse_strict(once)), once);
  }
}

TEST(Canonicalize, RejectsNanAndInfinityNamingTheLocation) {
  json value = {{"a", {1, std::nan("")}}};
  std::string message = rejection(value);
  EXPECT_THAT(message, HasSubstr("NaN"));
  EXPECT_THAT(message, HasSubstr("'/a/1'"));

  value = {{"x~y/z", std::numeric_limits<double>::infinity()}};
  message = rejection(value);
  EXPECT_THAT(message, HasSubstr("Infinity"));
  EXPECT_THAT(message, HasSubstr("'/x~0y~1z'"));  // JSON Pointer escaping

  EXPECT_THAT(rejection(json(-std::numeric_limits<double>::infinity())),
              HasSubstr("the document root"));
}

TEST(Canonicalize, RejectsStringsThatAreNotUtf8) {
  const std::string kInvalid[] = {
      "\xED\xA0\x80",  // UTF-8-encoded surrogate
      "ok\xC0\xAF",    // overlong
      "\xF4\x90\x80\x80",
      "abcdefghij\xFF",  // after a fast-path word
      "\xE2\x82",        // truncated
  };
  for (const std::string& bad : kInvalid) {
    const std::string message = rejection(json{{"list", {"fine", bad}}});
    EXPECT_THAT(message, HasSubstr("not valid UTF-8"));
    EXPECT_THAT(message, HasSubstr("'/list/1'"));
    EXPECT_THAT(message, HasSubstr("\\x"));  // the bad byte, printably
  }
  const std::string message = rejection(json{{"k\xC0\xAF", 1}});
  EXPECT_THAT(message, HasSubstr("member name"));
  EXPECT_THAT(message, HasSubstr("not valid UTF-8"));
}

TEST(Canonicalize, RejectsBinaryValues) {
  const json value = {{"blob", json::binary({1, 2, 3})}};
  const std::string message = rejection(value);
  EXPECT_THAT(message, HasSubstr("binary"));
  EXPECT_THAT(message, HasSubstr("'/blob'"));
}

TEST(Canonicalize, LimitsNestingDepth) {
  const auto nested = [](std::size_t depth) {
    json value = json::array();
    for (std::size_t i = 1; i < depth; ++i) value = json::array({std::move(value)});
    return value;
  };
  EXPECT_EQ(canonical_value(nested(kMaxNestingDepth)).size(), 2 * kMaxNestingDepth);
  EXPECT_THAT(rejection(nested(kMaxNestingDepth + 1)), HasSubstr("nesting deeper than 1000"));
}

TEST(CanonicalizeTo, AppendsAndLeavesTheBufferAloneOnError) {
  std::string out = "prefix:";
  ASSERT_TRUE(canonicalize_to(json{{"b", 1}, {"a", 2}}, out).ok());
  EXPECT_EQ(out, R"(prefix:{"a":2,"b":1})");
  const Status failed = canonicalize_to(json{{"a", 1}, {"b", std::nan("")}}, out);
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(out, R"(prefix:{"a":2,"b":1})");
}

TEST(CanonicalizeText, PassesOnParseErrors) {
  const Result<std::string> result = canonicalize_text(R"({"a": 1, "a": 2})");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kParse);
  EXPECT_THAT(result.error().message, HasSubstr("duplicate member name \"a\""));
}

}  // namespace
}  // namespace zastava::json
