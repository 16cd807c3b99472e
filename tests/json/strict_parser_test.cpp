// parse_strict: what it accepts, how it stores numbers, and that every kind of
// input I-JSON/JCS forbids is rejected with a message saying what and where.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "json/canonical_json.hpp"
#include "json/unicode.hpp"

namespace zastava::json {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// The error message of a rejected parse (fails the test if it was accepted).
std::string rejection(std::string_view text) {
  const Result<json> parsed = parse_strict(text);
  if (parsed.ok()) {
    ADD_FAILURE() << "accepted: " << text;
    return "";
  }
  EXPECT_EQ(parsed.error().code, ErrorCode::kParse);
  // Messages are printable: offending bytes appear as \xNN, never raw.
  EXPECT_EQ(find_invalid_utf8(parsed.error().message), std::nullopt);
  EXPECT_EQ(parsed.error().message.find('\n'), std::string::npos);
  return parsed.error().message;
}

TEST(ParseStrict, BuildsTheTree) {
  const Result<json> parsed =
      parse_strict(R"( {"a": [1, 2.5, "x", true, false, null], "b": {}, "c": []} )");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->at("a").size(), 6u);
  EXPECT_EQ(parsed->at("a")[0], 1);
  EXPECT_EQ(parsed->at("a")[1], 2.5);
  EXPECT_EQ(parsed->at("a")[2], "x");
  EXPECT_EQ(parsed->at("a")[3], true);
  EXPECT_TRUE(parsed->at("a")[5].is_null());
  EXPECT_TRUE(parsed->at("b").is_object() && parsed->at("b").empty());
  EXPECT_TRUE(parsed->at("c").is_array() && parsed->at("c").empty());
}

TEST(ParseStrict, AcceptsScalarDocumentsAndDecodesEscapes) {
  EXPECT_EQ(*parse_strict("42"), 42);
  EXPECT_EQ(*parse_strict("\"x\""), "x");
  EXPECT_TRUE(parse_strict("null")->is_null());
  EXPECT_EQ(*parse_strict(R"("\u00e9\ud83d\ude00\/")"), "\xC3\xA9\xF0\x9F\x98\x80/");
}

TEST(ParseStrict, KeepsIntegersThatAreExactDoubles) {
  const json two_to_53 = *parse_strict("9007199254740992");
  EXPECT_TRUE(two_to_53.is_number_integer());
  EXPECT_EQ(two_to_53.get<std::int64_t>(), 9007199254740992);
  const json minus_two_to_53 = *parse_strict("-9007199254740992");
  EXPECT_TRUE(minus_two_to_53.is_number_integer());
  EXPECT_EQ(minus_two_to_53.get<std::int64_t>(), -9007199254740992);
}

TEST(ParseStrict, StoresLargerIntegersAsTheDoubleJavaScriptWouldUse) {
  const json above = *parse_strict("9007199254740993");  // 2^53 + 1: not a double
  EXPECT_TRUE(above.is_number_float());
  EXPECT_EQ(above.get<double>(), 9007199254740992.0);
  const json below = *parse_strict("-9007199254740993");
  EXPECT_TRUE(below.is_number_float());
  EXPECT_EQ(below.get<double>(), -9007199254740992.0);
  const json beyond_uint64 = *parse_strict("123456789012345678901234567890");
  EXPECT_EQ(beyond_uint64.get<double>(), 1.2345678901234568e29);
}

TEST(ParseStrict, ReadsTinyNumbersAsZeroLikeJavaScript) {
  EXPECT_EQ(parse_strict("1e-400")->get<double>(), 0.0);
  EXPECT_EQ(parse_strict("5e-324")->get<double>(), 5e-324);
}

TEST(ParseStrict, RejectsNumbersBeyondTheDoubleRange) {
  std::string message = rejection("[1, 1e400]");
  EXPECT_THAT(message, HasSubstr("1e400"));
  EXPECT_THAT(message, HasSubstr("IEEE-754 double"));
  EXPECT_THAT(rejection("-1e400"), HasSubstr("-1e400"));
  EXPECT_THAT(rejection("1.8e308"), HasSubstr("1.8e308"));
  EXPECT_TRUE(parse_strict("1.7976931348623157e308").ok());
}

TEST(ParseStrict, RejectsNanAndInfinityLiterals) {
  for (const char* text : {"NaN", "[NaN]", "Infinity", "-Infinity", "{\"a\": nan}"}) {
    EXPECT_THAT(rejection(text), HasSubstr("parse error")) << text;
  }
}

TEST(ParseStrict, RejectsDuplicateMemberNamesSayingWhichAndWhere) {
  std::string message = rejection(R"({"a": 1, "a": 2})");
  EXPECT_THAT(message, HasSubstr("duplicate member name \"a\""));
  EXPECT_THAT(message, HasSubstr("the document root"));

  message = rejection(R"({"x": [{"k": 1}, {"k": 1, "b": 2, "k": 3}]})");
  EXPECT_THAT(message, HasSubstr("duplicate member name \"k\""));
  EXPECT_THAT(message, HasSubstr("'/x/1'"));

  // The same name spelled differently is still the same name.
  EXPECT_THAT(rejection(R"({"a": 1, "\u0061": 2})"), HasSubstr("duplicate member name \"a\""));
  // Equal names in different objects are fine.
  EXPECT_TRUE(parse_strict(R"({"a": {"a": 1}, "b": {"a": 2}})").ok());
}

TEST(ParseStrict, RejectsInvalidUtf8InStringsAndNames) {
  const char* const kInvalid[] = {
      "\"\xED\xA0\x80\"",       // UTF-8-encoded surrogate U+D800
      "\"\xED\xBF\xBF\"",       // UTF-8-encoded surrogate U+DFFF
      "\"\xC0\xAF\"",           // overlong '/'
      "\"\xE0\x80\xAF\"",       // overlong '/', three bytes
      "\"\xF0\x80\x80\xAF\"",   // overlong '/', four bytes
      "\"\xF4\x90\x80\x80\"",   // above U+10FFFF
      "\"\xFF\"",               // never valid
      "\"\x80\"",               // lone continuation byte
      "\"\xE2\x82\"",           // truncated sequence
      "{\"\xED\xA0\x80\": 1}",  // in a member name
  };
  for (const char* text : kInvalid) {
    const std::string message = rejection(text);
    EXPECT_THAT(message, HasSubstr("ill-formed UTF-8")) << message;
    EXPECT_THAT(message, HasSubstr("line 1, column")) << message;
  }
}

TEST(ParseStrict, RejectsLoneSurrogateEscapes) {
  EXPECT_THAT(rejection(R"("\ud800")"),
              HasSubstr("surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF"));
  EXPECT_THAT(rejection(R"("\udc00")"),
              HasSubstr("surrogate U+DC00..U+DFFF must follow U+D800..U+DBFF"));
  EXPECT_THAT(rejection(R"("\ud800\u0041")"), HasSubstr("surrogate U+D800..U+DBFF"));
  EXPECT_THAT(rejection(R"("\ud800x")"), HasSubstr("surrogate U+D800..U+DBFF"));
  EXPECT_THAT(rejection(R"("\ud83d\ud83d")"), HasSubstr("surrogate U+D800..U+DBFF"));
  EXPECT_THAT(rejection(R"({"\udfff": 1})"), HasSubstr("surrogate U+DC00..U+DFFF"));
}

TEST(ParseStrict, RejectsNoncharactersAsIJsonRequires) {
  std::string message = rejection(R"({"a": ["ok", "\uffff"]})");
  EXPECT_THAT(message, HasSubstr("U+FFFF"));
  EXPECT_THAT(message, HasSubstr("noncharacter"));
  EXPECT_THAT(message, HasSubstr("'/a/1'"));

  message = rejection(R"({"x\ufdd0": 1})");
  EXPECT_THAT(message, HasSubstr("member name"));
  EXPECT_THAT(message, HasSubstr("U+FDD0"));

  EXPECT_THAT(rejection("\"\xF0\x9F\xBF\xBE\""), HasSubstr("U+1FFFE"));
  EXPECT_THAT(rejection(R"({"k": "\ufffe"})"), HasSubstr("'/k'"));
}

TEST(ParseStrict, RejectsWhatJsonSyntaxDoesNotAllow) {
  const char* const kMalformed[] = {
      "",
      "   ",
      "{",
      "[1,]",
      "{\"a\":1,}",
      "{'a':1}",
      "[01]",
      "[+1]",
      "[.5]",
      "[1.]",
      "[0x10]",
      "[1] x",
      "{} {}",
      "/*c*/ 1",
      "\"a\x01\"",
      "\"tab\tin\"",
      "[\"\\x\"]",
      "{\"a\" 1}",
      "[true,]",
      "tru",
      "\"unterminated",
  };
  for (const char* text : kMalformed) {
    EXPECT_THAT(rejection(text), HasSubstr("parse error")) << "input: " << text;
  }
}

TEST(ParseStrict, RejectsAByteOrderMark) {
  EXPECT_THAT(rejection("\xEF\xBB\xBF{}"), HasSubstr("byte order mark"));
}

TEST(ParseStrict, LimitsNestingDepth) {
  const auto nested = [](std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
  };
  EXPECT_TRUE(parse_strict(nested(kMaxNestingDepth)).ok());
  const std::string message = rejection(nested(kMaxNestingDepth + 1));
  EXPECT_THAT(message, HasSubstr("nesting deeper than 1000 levels"));
  EXPECT_THAT(message, HasSubstr("/0/0/0"));
  EXPECT_THAT(rejection(std::string(100000, '[')), HasSubstr("nesting deeper"));
}

TEST(ParseStrict, PointsIntoTheDocumentForSyntaxErrors) {
  EXPECT_THAT(rejection("{\n  \"a\": [1,\n  2,,]\n}"), HasSubstr("line 3, column"));
}

}  // namespace
}  // namespace zastava::json
