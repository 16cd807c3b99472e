#include "dsse/envelope.hpp"

#include <gtest/gtest.h>

namespace zastava::dsse {
namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// "hello world" is aGVsbG8gd29ybGQ= in standard base64; {0xfb, 0xff} is "+/8=",
// "-_8" in URL-safe unpadded form.
constexpr std::string_view kStandard =
    R"({"payloadType":"http://example.com/HelloWorld","payload":"aGVsbG8gd29ybGQ=",)"
    R"("signatures":[{"keyid":"k1","sig":"+/8="},{"sig":"AQID"}]})";

TEST(ParseEnvelope, ReadsEveryField) {
  auto envelope = parse_envelope(kStandard);
  ASSERT_TRUE(envelope.ok()) << envelope.error().describe();
  EXPECT_EQ(envelope->payload_type, "http://example.com/HelloWorld");
  EXPECT_EQ(envelope->payload, to_bytes("hello world"));
  ASSERT_EQ(envelope->signatures.size(), 2u);
  EXPECT_EQ(envelope->signatures[0].keyid, "k1");
  EXPECT_EQ(envelope->signatures[0].sig, (Bytes{0xfb, 0xff}));
  EXPECT_EQ(envelope->signatures[1].keyid, "");  // keyid is optional
  EXPECT_EQ(envelope->signatures[1].sig, (Bytes{1, 2, 3}));
}

TEST(ParseEnvelope, AcceptsUrlSafeUnpaddedBase64AndIgnoresUnknownMembers) {
  auto envelope = parse_envelope(
      R"({"payloadType":"http://example.com/HelloWorld","payload":"aGVsbG8gd29ybGQ",)"
      R"("extra":{"nested":[1,2]},"signatures":[{"keyid":"k1","sig":"-_8","x":1},)"
      R"({"sig":"AQID"}]})");
  ASSERT_TRUE(envelope.ok()) << envelope.error().describe();
  EXPECT_EQ(*envelope, *parse_envelope(kStandard));
}

void expect_parse_error(std::string_view json, std::string_view mentions) {
  auto envelope = parse_envelope(json);
  ASSERT_FALSE(envelope.ok()) << json;
  EXPECT_EQ(envelope.error().code, ErrorCode::kParse) << json;
  EXPECT_TRUE(contains(envelope.error().message, mentions))
      << "expected \"" << mentions << "\" in: " << envelope.error().message;
}

TEST(ParseEnvelope, MissingFieldsAreNamed) {
  expect_parse_error(R"({"payload":"","signatures":[{"sig":"AQID"}]})", "payloadType is missing");
  expect_parse_error(R"({"payloadType":"t","signatures":[{"sig":"AQID"}]})", "payload is missing");
  expect_parse_error(R"({"payloadType":"t","payload":""})", "signatures is missing");
  expect_parse_error(R"({"payloadType":"t","payload":"","signatures":[{"keyid":"k"}]})",
                     "signatures[0].sig is missing");
}

TEST(ParseEnvelope, WrongJsonTypesAreNamed) {
  expect_parse_error(R"({"payloadType":1,"payload":"","signatures":[{"sig":"AQID"}]})",
                     "payloadType must be a string, not number");
  expect_parse_error(R"({"payloadType":"t","payload":null,"signatures":[{"sig":"AQID"}]})",
                     "payload must be a string, not null");
  expect_parse_error(R"({"payloadType":"t","payload":"","signatures":{"sig":"AQID"}})",
                     "signatures must be an array, not object");
  expect_parse_error(R"({"payloadType":"t","payload":"","signatures":["AQID"]})",
                     "signatures[0] must be an object, not string");
  expect_parse_error(R"({"payloadType":"t","payload":"","signatures":[{"keyid":7,"sig":"AQID"}]})",
                     "signatures[0].keyid must be a string, not number");
  expect_parse_error(R"({"payloadType":"t","payload":"","signatures":[{"sig":["AQID"]}]})",
                     "signatures[0].sig must be a string, not array");
  expect_parse_error(R"(["payloadType"])", "must be a JSON object, not array");
}

TEST(ParseEnvelope, EmptyValuesThatCanNotBeRightAreRejected) {
  expect_parse_error(R"({"payloadType":"","payload":"","signatures":[{"sig":"AQID"}]})",
                     "payloadType is empty");
  expect_parse_error(R"({"payloadType":"t","payload":"","signatures":[]})", "signatures is empty");
  expect_parse_error(R"({"payloadType":"t","payload":"","signatures":[{"sig":""}]})",
                     "signatures[0].sig is empty");
  // An empty payload is allowed: DSSE doesn't forbid it.
  EXPECT_TRUE(
      parse_envelope(R"({"payloadType":"t","payload":"","signatures":[{"sig":"AQID"}]})").ok());
}

TEST(ParseEnvelope, MalformedBase64IsNamedWithItsIndex) {
  expect_parse_error(R"({"payloadType":"t","payload":"aGVsbG8=x","signatures":[{"sig":"AQID"}]})",
                     "payload is not valid base64");
  expect_parse_error(
      R"({"payloadType":"t","payload":"","signatures":[{"sig":"AQID"},{"sig":"AQ ID"}]})",
      "signatures[1].sig is not valid base64");
  // Mixed alphabets in one value.
  expect_parse_error(R"({"payloadType":"t","payload":"+-8=","signatures":[{"sig":"AQID"}]})",
                     "payload is not valid base64");
}

TEST(ParseEnvelope, InvalidOrAmbiguousJsonIsRejected) {
  expect_parse_error("", "not valid JSON");
  expect_parse_error(R"({"payloadType":"t",)", "not valid JSON");
  expect_parse_error(R"({"payloadType":"t","payload":"","signatures":[{"sig":"AQID"}]} x)",
                     "not valid JSON");
  // Two parsers could pick different payloads; refuse instead of guessing.
  expect_parse_error(
      R"({"payloadType":"t","payload":"","payload":"AQID","signatures":[{"sig":"AQID"}]})",
      "duplicate member name \"payload\"");
  expect_parse_error(
      R"({"payloadType":"t","payload":"","signatures":[{"sig":"AQID","sig":"AQIE"}]})",
      "duplicate member name \"sig\"");
  expect_parse_error(
      "{\"payloadType\":\"t\xff\",\"payload\":\"\",\"signatures\":[{\"sig\":\"AQID\"}]}",
      "not valid JSON");
}

// simdjson's On-Demand API checks a value's grammar only when the value is
// read; these pin down that the envelope reader is as strict as a conforming
// parser anyway, in the members it reads and in the ones it ignores.
constexpr std::string_view kTail = R"("payload":"","signatures":[{"sig":"AQID"}]})";

std::string with_extra(std::string_view extra_value) {
  return R"({"payloadType":"t","extra":)" + std::string(extra_value) + "," + std::string(kTail);
}

TEST(ParseEnvelopeJson, UnescapesStringsAndMemberNames) {
  auto envelope =
      parse_envelope(" {\n\t\"payload\\u0054ype\" : \"a\\/b\\u00e9\\ud83d\\ude00\\n\\\"\" ,\r\n" +
                     std::string(kTail) + " \n");
  ASSERT_TRUE(envelope.ok()) << envelope.error().describe();
  EXPECT_EQ(envelope->payload_type, "a/b\xC3\xA9\xF0\x9F\x98\x80\n\"");
  expect_parse_error(R"({"payloadType":"t","payload\u0054ype":"u",)" + std::string(kTail),
                     "duplicate member name \"payloadType\"");
}

TEST(ParseEnvelopeJson, SkipsAnyValidUnknownValue) {
  for (const std::string_view extra : {R"({"a":[1,-2.5e+3,0,true,false,null,"x\u0041"],"b":{}})",
                                       R"([])", "-0.0E-1", "\"\"", R"({"a":{"a":{"a":1}}})"}) {
    auto envelope = parse_envelope(with_extra(extra));
    EXPECT_TRUE(envelope.ok()) << extra << ": " << envelope.error().describe();
  }
}

TEST(ParseEnvelopeJson, RejectsWhatJsonForbids) {
  for (const std::string_view extra : {"01",
                                       "1.",
                                       ".5",
                                       "+1",
                                       "-",
                                       "1e",
                                       "tru",
                                       "nul",
                                       "NaN",
                                       "'x'",
                                       "[1,]",
                                       R"({"a":1,})",
                                       R"({"a" 1})",
                                       "[1 2]",
                                       R"("\x")",
                                       R"("\u12")",
                                       R"("\udc00")",
                                       R"("\ud800")",
                                       R"("\ud800\u0041")",
                                       "\"tab\there\"",
                                       "\"\xC0\xAF\"",
                                       "\"\xED\xA0\x80\"",
                                       "\"\xF4\x90\x80\x80\"",
                                       "\"\xE2\x82\"",
                                       R"({"a":1,"a":2})",
                                       "[",
                                       R"("open)"}) {
    expect_parse_error(with_extra(extra), "not valid JSON");
  }
}

// JSON is validated in SIMD blocks; put the interesting byte at every offset
// around word boundaries.
TEST(ParseEnvelopeJson, SpecialBytesAreFoundAtEveryOffset) {
  for (std::size_t offset = 0; offset < 24; ++offset) {
    const std::string before(offset, 'A');
    const std::string after(24 - offset, 'b');
    const auto parse_type = [&](std::string_view middle) {
      return parse_envelope(R"({"payloadType":")" + before + std::string(middle) + after + "\"," +
                            std::string(kTail));
    };
    auto utf8 = parse_type("\xC3\xA9");
    ASSERT_TRUE(utf8.ok()) << offset << ": " << utf8.error().describe();
    EXPECT_EQ(utf8->payload_type, before + "\xC3\xA9" + after);
    auto escaped = parse_type(R"(\"\\)");
    ASSERT_TRUE(escaped.ok()) << offset << ": " << escaped.error().describe();
    EXPECT_EQ(escaped->payload_type, before + "\"\\" + after);
    auto del = parse_type("\x7f");  // DEL is not a JSON control character
    ASSERT_TRUE(del.ok()) << offset;
    EXPECT_EQ(del->payload_type, before + "\x7f" + after);
    EXPECT_FALSE(parse_type("\x1f").ok()) << offset;
    EXPECT_FALSE(parse_type("\xff").ok()) << offset;
    EXPECT_FALSE(parse_type("\xC3").ok()) << offset;
  }
}

TEST(ParseEnvelopeJson, LimitsNestingDepth) {
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  expect_parse_error(with_extra(deep), "nesting deeper than 64");
  const std::string ok = std::string(50, '[') + std::string(50, ']');
  EXPECT_TRUE(parse_envelope(with_extra(ok)).ok());
  // The envelope object is level 1, so 63 arrays inside it reach 64.
  const std::string at_limit = std::string(63, '[') + std::string(63, ']');
  EXPECT_TRUE(parse_envelope(with_extra(at_limit)).ok());
  const std::string over_limit = std::string(64, '[') + std::string(64, ']');
  expect_parse_error(with_extra(over_limit), "nesting deeper than 64");
  // Far deeper than any recursion could go.
  const std::string very_deep = std::string(100000, '[') + std::string(100000, ']');
  expect_parse_error(with_extra(very_deep), "nesting deeper than 64");
}

TEST(ParseEnvelopeJson, NumbersAreJsonNumbersWithinTheRangeOfADouble) {
  // Valid JSON even though no 64-bit integer holds them.
  for (const std::string_view big : {"123456789012345678901234567890", "18446744073709551616",
                                     "-9223372036854775809", "1e308", "-1e-400"}) {
    auto envelope = parse_envelope(with_extra(big));
    EXPECT_TRUE(envelope.ok()) << big << ": " << envelope.error().describe();
  }
  // Beyond a double: I-JSON (RFC 7493) says not to rely on it, so refused.
  expect_parse_error(with_extra("1e400"), "not valid JSON");
}

TEST(ParseEnvelopeJson, ContentAfterTheEnvelopeIsRejected) {
  const std::string envelope = R"({"payloadType":"t",)" + std::string(kTail);
  ASSERT_TRUE(parse_envelope(envelope).ok());
  for (const std::string_view after : {"{}", "}", "]", "\"x\"", "1", "null", " ,"}) {
    expect_parse_error(envelope + std::string(after), "not valid JSON");
  }
  expect_parse_error(envelope + "{}", "content after the envelope object");
}

TEST(ParseEnvelopeJson, ErrorsNameTheMemberBeingRead) {
  expect_parse_error(R"({"payloadType":tru,"payload":"","signatures":[{"sig":"AQID"}]})",
                     "not valid JSON (in payloadType)");
  expect_parse_error(R"({"payloadType":"t","payload":"","signatures":[{"sig":"AQID","x":[1,]}]})",
                     "not valid JSON (in signatures[0].x)");
  expect_parse_error(with_extra(R"({"a":{"b":1,"b":2}})"),
                     "not valid JSON (in extra): duplicate member name \"b\"");
  expect_parse_error(with_extra(R"("\ud800")"), "not valid JSON (in extra)");
}

TEST(ParseEnvelopeJson, ADocumentThatIsNotAnObjectIsNamedOrCalledInvalid) {
  expect_parse_error(R"("payloadType")", "must be a JSON object, not string");
  expect_parse_error("null", "must be a JSON object, not null");
  expect_parse_error("[1,2]", "must be a JSON object, not array");
  for (const std::string_view malformed : {"tru", "[1,", "-", "\"open", "nul", "[1] 2"}) {
    expect_parse_error(malformed, "not valid JSON");
  }
}

TEST(ParseEnvelopeJson, EscapedSolidusInBase64IsUnescapedFirst) {
  // "\/" is "/" in JSON; base64 must see the unescaped text.
  auto envelope =
      parse_envelope(R"({"payloadType":"t","payload":"","signatures":[{"sig":"+\/8="}]})");
  ASSERT_TRUE(envelope.ok()) << envelope.error().describe();
  EXPECT_EQ(envelope->signatures.at(0).sig, (Bytes{0xfb, 0xff}));
}

TEST(ParseEnvelope, EnforcesSizeLimits) {
  std::string many = R"({"payloadType":"t","payload":"","signatures":[)";
  for (std::size_t i = 0; i <= kMaxSignatures; ++i)
    many += std::string(i ? "," : "") + R"({"sig":"AQID"})";
  many += "]}";
  expect_parse_error(many, "signatures has more than 64 entries");

  const std::string long_keyid(kMaxKeyidBytes + 1, 'k');
  expect_parse_error(R"({"payloadType":"t","payload":"","signatures":[{"keyid":")" + long_keyid +
                         R"(","sig":"AQID"}]})",
                     "signatures[0].keyid is too large");
  const std::string long_type(kMaxPayloadTypeBytes + 1, 't');
  expect_parse_error(
      R"({"payloadType":")" + long_type + R"(","payload":"","signatures":[{"sig":"AQID"}]})",
      "payloadType is too large");
  expect_parse_error(std::string(kMaxEnvelopeJsonBytes + 1, ' '), "too large");
}

TEST(SerializeEnvelope, IsCanonicalJsonWithStandardPaddedBase64) {
  const Envelope envelope{"http://example.com/HelloWorld",
                          to_bytes("hello world"),
                          {{"k1", {0xfb, 0xff}}, {"", {1, 2, 3}}}};
  auto text = serialize(envelope);
  ASSERT_TRUE(text.ok()) << text.error().describe();
  EXPECT_EQ(*text, R"({"payload":"aGVsbG8gd29ybGQ=","payloadType":"http://example.com/HelloWorld",)"
                   R"("signatures":[{"keyid":"k1","sig":"+/8="},{"keyid":"","sig":"AQID"}]})");
  auto reparsed = parse_envelope(*text);
  ASSERT_TRUE(reparsed.ok()) << reparsed.error().describe();
  EXPECT_EQ(*reparsed, envelope);
}

TEST(SerializeEnvelope, RefusesStringsThatAreNotUtf8) {
  const Envelope envelope{"type\xff", to_bytes("x"), {{"k", {1}}}};
  auto text = serialize(envelope);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(contains(text.error().message, "serializing DSSE envelope")) << text.error().message;
  EXPECT_TRUE(contains(text.error().message, "payloadType")) << text.error().message;
}

}  // namespace
}  // namespace zastava::dsse
