#include "dsse/in_toto.hpp"

#include <gtest/gtest.h>

namespace zastava::dsse {
namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

const std::string kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const std::string kSha512Hex(128, 'a');

Statement sample() {
  return Statement{{{"registry.example/app", {{"sha256", kEmptySha256}}},
                    {"", {{"sha512", kSha512Hex}, {"gitCommit", "0123abcd"}}}},
                   "https://slsa.dev/provenance/v1",
                   R"({ "n": 1, "builder": {"id": "x"} })"};
}

TEST(InTotoStatement, ConstantsAreTheSpecsValues) {
  EXPECT_EQ(kInTotoPayloadType, "application/vnd.in-toto+json");
  EXPECT_EQ(kInTotoStatementType, "https://in-toto.io/Statement/v1");
}

TEST(InTotoStatement, CanonicalJsonHasSortedMembersAndTheType) {
  auto text = to_canonical_json(sample());
  ASSERT_TRUE(text.ok()) << text.error().describe();
  EXPECT_EQ(*text, R"({"_type":"https://in-toto.io/Statement/v1",)"
                   R"("predicate":{"builder":{"id":"x"},"n":1},)"
                   R"("predicateType":"https://slsa.dev/provenance/v1",)"
                   R"("subject":[{"digest":{"sha256":")" +
                       kEmptySha256 + R"("},"name":"registry.example/app"},)" +
                       R"({"digest":{"gitCommit":"0123abcd","sha512":")" + kSha512Hex + R"("}}]})");
}

TEST(InTotoStatement, ParseRoundTripsAndCanonicalizesThePredicate) {
  auto text = to_canonical_json(sample());
  ASSERT_TRUE(text.ok());
  auto parsed = parse_statement(*text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  Statement expected = sample();
  expected.predicate_json = R"({"builder":{"id":"x"},"n":1})";
  EXPECT_EQ(*parsed, expected);
  EXPECT_EQ(to_canonical_json(*parsed).value(), *text);
}

TEST(InTotoStatement, PredicateIsOptionalAndUnknownMembersAreIgnored) {
  auto parsed = parse_statement(
      R"({"_type":"https://in-toto.io/Statement/v1","predicateType":"p","extra":[1],)"
      R"("subject":[{"digest":{"sha256":")" +
      kEmptySha256 + R"("},"uri":"https://x"}]})");
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(parsed->predicate_json, "");
  EXPECT_EQ(parsed->subject.at(0).name, "");
  EXPECT_EQ(to_canonical_json(*parsed).value(),
            R"({"_type":"https://in-toto.io/Statement/v1","predicateType":"p",)"
            R"("subject":[{"digest":{"sha256":")" +
                kEmptySha256 + R"("}}]})");
}

std::string statement_with(std::string_view subject,
                           std::string_view rest = R"("predicateType":"p")") {
  return R"({"_type":"https://in-toto.io/Statement/v1","subject":)" + std::string(subject) + "," +
         std::string(rest) + "}";
}

void expect_rejected(const std::string& json, std::string_view mentions) {
  auto parsed = parse_statement(json);
  ASSERT_FALSE(parsed.ok()) << json;
  EXPECT_EQ(parsed.error().code, ErrorCode::kParse) << parsed.error().describe();
  EXPECT_TRUE(contains(parsed.error().message, mentions))
      << "expected \"" << mentions << "\" in: " << parsed.error().message;
}

TEST(InTotoStatement, ParseRejectsWhatTheSpecForbidsNamingTheField) {
  const std::string good_subject = R"([{"digest":{"sha256":")" + kEmptySha256 + R"("}}])";
  EXPECT_TRUE(parse_statement(statement_with(good_subject)).ok());
  expect_rejected(R"({"_type":"https://in-toto.io/Statement/v0.1","subject":)" + good_subject +
                      R"(,"predicateType":"p"})",
                  "_type is \"https://in-toto.io/Statement/v0.1\"");
  expect_rejected(R"({"subject":)" + good_subject + R"(,"predicateType":"p"})", "_type is missing");
  expect_rejected(statement_with("[]"), "subject is empty");
  expect_rejected(statement_with("{}"), "subject must be an array");
  expect_rejected(statement_with(R"([{"name":"x"}])"), "subject[0].digest is missing");
  expect_rejected(statement_with(R"([{"digest":{}}])"), "subject[0].digest is empty");
  expect_rejected(statement_with(R"([{"digest":{"sha256":"abcd"}}])"),
                  "subject[0].digest.sha256 must have 64 hex digits");
  expect_rejected(statement_with(R"([{"digest":{"sha512":")" + kEmptySha256 + R"("}}])"),
                  "subject[0].digest.sha512 must have 128 hex digits");
  std::string upper = kEmptySha256;
  upper[0] = 'E';
  expect_rejected(statement_with(good_subject.substr(0, good_subject.size() - 1) +
                                 R"(,{"digest":{"sha256":")" + upper + R"("}}])"),
                  "subject[1].digest.sha256 must be non-empty lower-case hex");
  expect_rejected(statement_with(R"([{"digest":{"sha256":1}}])"),
                  "subject[0].digest.sha256 must be a string");
  expect_rejected(statement_with(good_subject, R"("predicateType":"")"), "predicateType is empty");
  expect_rejected(statement_with(good_subject, R"("x":1)"), "predicateType is missing");
  expect_rejected(statement_with(good_subject, R"("predicateType":"p","predicate":[1])"),
                  "predicate must be an object, not array");
}

TEST(InTotoStatement, ParseIsStrictJson) {
  const std::string good_subject = R"([{"digest":{"sha256":")" + kEmptySha256 + R"("}}])";
  EXPECT_FALSE(parse_statement("{").ok());
  EXPECT_FALSE(
      parse_statement(statement_with(good_subject, R"("predicateType":"p","predicateType":"q")"))
          .ok());
}

TEST(InTotoStatement, BuildingValidatesToo) {
  Statement statement = sample();
  statement.subject.clear();
  auto empty = to_canonical_json(statement);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(contains(empty.error().message, "subject is empty"));

  statement = sample();
  statement.subject[0].digest["sha256"] = "xyz";
  EXPECT_TRUE(contains(to_canonical_json(statement).error().message, "subject[0].digest.sha256"));
  statement = sample();
  statement.predicate_type.clear();
  EXPECT_TRUE(contains(to_canonical_json(statement).error().message, "predicateType is empty"));
  statement = sample();
  statement.predicate_json = "[1,2]";
  EXPECT_TRUE(
      contains(to_canonical_json(statement).error().message, "predicate must be an object"));
  statement.predicate_json = "{oops";
  EXPECT_TRUE(
      contains(to_canonical_json(statement).error().message, "predicate is not valid JSON"));
}

}  // namespace
}  // namespace zastava::dsse
