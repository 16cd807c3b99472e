#include "admission/admission_response.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "admission/json_writer.hpp"

namespace zastava::admission {
namespace {

using Json = nlohmann::json;

Json written(ReviewVersion version, const AdmissionResponse& response) {
  auto text = write_admission_review(version, response);
  if (!text) throw std::runtime_error(text.error().describe());
  return Json::parse(*text);  // throws on invalid JSON
}

TEST(AdmissionResponse, AllowAnswersInTheRequestVersion) {
  const Json v1 = written(ReviewVersion::kV1, AdmissionResponse::allow("uid-1"));
  EXPECT_EQ(v1, Json::parse(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",)"
                            R"("response":{"uid":"uid-1","allowed":true}})"));
  const Json v1beta1 = written(ReviewVersion::kV1beta1, AdmissionResponse::allow("uid-2"));
  EXPECT_EQ(v1beta1["apiVersion"], "admission.k8s.io/v1beta1");
  EXPECT_EQ(v1beta1["response"]["uid"], "uid-2");
}

TEST(AdmissionResponse, ExactBytesOfADenial) {
  AdmissionResponse response = AdmissionResponse::deny("u", "no seal");
  response.warnings = {"w"};
  response.audit_annotations = {{"decision", "deny"}};
  EXPECT_EQ(*write_admission_review(ReviewVersion::kV1, response),
            R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":)"
            R"({"uid":"u","allowed":false,"status":{"code":403,"reason":"Forbidden",)"
            R"("message":"no seal"},"warnings":["w"],"auditAnnotations":{"decision":"deny"}}})");
}

TEST(AdmissionResponse, DenialRoundTripsThroughNlohmann) {
  AdmissionResponse response = AdmissionResponse::deny(
      "705ab4f5-6393-11e8-b7cc-42010a800002",
      "container checkout: image registry.example.com/shop/checkout:1.14.2: facet os: "
      "maxAddedFiles 10, actual 42\ncontainer envoy: image \"docker.io/envoyproxy/envoy\" has "
      "no digest\t(DigestRequired) \\ end");
  response.warnings = {"facet lang/python drifted 3 files (quota warn)", "Grüße — ok"};
  response.audit_annotations = {
      {"verikey", "sha256:abc"}, {"trust-score", "87"}, {"seal.ids", "sha256:1,sha256:2"}};
  const Json json = written(ReviewVersion::kV1, response);
  const Json& r = json["response"];
  EXPECT_EQ(r["uid"], response.uid);
  EXPECT_EQ(r["allowed"], false);
  EXPECT_EQ(r["status"]["code"], 403);
  EXPECT_EQ(r["status"]["reason"], "Forbidden");
  EXPECT_EQ(r["status"]["message"], response.status_message);  // newlines kept in the message
  EXPECT_EQ(r["warnings"], Json(response.warnings));
  EXPECT_EQ(r["auditAnnotations"], Json::parse(R"({"verikey":"sha256:abc","trust-score":"87",)"
                                               R"("seal.ids":"sha256:1,sha256:2"})"));
}

TEST(AdmissionResponse, OtherStatusCodesAndReasons) {
  AdmissionResponse response = AdmissionResponse::deny("u", "store down");
  response.status_code = 500;
  response.status_reason = "InternalError";
  const Json json = written(ReviewVersion::kV1, response);
  EXPECT_EQ(json["response"]["status"]["code"], 500);
  EXPECT_EQ(json["response"]["status"]["reason"], "InternalError");
}

TEST(AdmissionResponse, WarningsAreOneShortLine) {
  EXPECT_EQ(warning_line("two\nlines\r\tand tab"), "two lines  and tab");
  EXPECT_EQ(warning_line("  padded \n"), "padded");
  EXPECT_EQ(warning_line("\n\n"), "");
  const std::string exact(kMaxWarningBytes, 'x');
  EXPECT_EQ(warning_line(exact), exact);
  const std::string longer(kMaxWarningBytes + 1, 'x');
  EXPECT_EQ(warning_line(longer), std::string(kMaxWarningBytes - 3, 'x') + "...");
  // "é" is two bytes; the cut never splits it.
  std::string accents;
  for (int i = 0; i < 200; ++i) accents += "\xc3\xa9";
  const std::string cut = warning_line(accents);
  EXPECT_LE(cut.size(), kMaxWarningBytes);
  EXPECT_EQ(cut.size(), 252u + 3u);
  EXPECT_TRUE(cut.ends_with("\xc3\xa9..."));
}

TEST(AdmissionResponse, AtMost32WarningsAndEmptyOnesDropped) {
  AdmissionResponse response = AdmissionResponse::allow("u");
  response.warnings.push_back("");
  for (int i = 0; i < 40; ++i) response.warnings.push_back("w" + std::to_string(i));
  const Json warnings = written(ReviewVersion::kV1, response)["response"]["warnings"];
  ASSERT_EQ(warnings.size(), kMaxWarnings);
  EXPECT_EQ(warnings[0], "w0");
  EXPECT_EQ(warnings[30], "w30");
  EXPECT_EQ(warnings[31], "9 more warnings not shown");  // w31..w39

  AdmissionResponse blank = AdmissionResponse::allow("u");
  blank.warnings = {"", " \n "};
  EXPECT_FALSE(written(ReviewVersion::kV1, blank)["response"].contains("warnings"));
}

TEST(AdmissionResponse, InvalidResponsesAreRefusedAndLeaveTheBufferAlone) {
  std::string out = "keep";
  Status empty_uid = append_admission_review(out, ReviewVersion::kV1, AdmissionResponse::allow(""));
  ASSERT_FALSE(empty_uid.ok());
  EXPECT_EQ(empty_uid.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(empty_uid.error().message, "AdmissionResponse: uid is empty");
  EXPECT_EQ(out, "keep");

  AdmissionResponse bad_code = AdmissionResponse::deny("u", "m");
  bad_code.status_code = 200;
  EXPECT_EQ(write_admission_review(ReviewVersion::kV1, bad_code).error().message,
            "AdmissionResponse: a denial's status code must be 400-599, not 200");

  const auto key_error = [](const std::string& key) {
    AdmissionResponse response = AdmissionResponse::allow("u");
    response.audit_annotations = {{key, "v"}};
    auto text = write_admission_review(ReviewVersion::kV1, response);
    return text.ok() ? std::string("accepted") : text.error().message;
  };
  EXPECT_EQ(key_error(""), "audit annotation key \"\" is empty");
  EXPECT_EQ(key_error("zastava.io/verikey"),
            "audit annotation key \"zastava.io/verikey\" must be [A-Za-z0-9-_.] and begin and "
            "end with a letter or digit");
  EXPECT_EQ(key_error("-x"),
            "audit annotation key \"-x\" must be [A-Za-z0-9-_.] and begin and end with a letter "
            "or digit");
  EXPECT_EQ(key_error(std::string(64, 'k')),
            "audit annotation key \"" + std::string(64, 'k') + "\" is longer than 63 bytes");
  EXPECT_EQ(key_error(std::string(63, 'k')), "accepted");

  AdmissionResponse repeated = AdmissionResponse::allow("u");
  repeated.audit_annotations = {{"a", "1"}, {"b", "2"}, {"a", "3"}};
  EXPECT_EQ(write_admission_review(ReviewVersion::kV1, repeated).error().message,
            "audit annotation key \"a\" is repeated");
}

TEST(AdmissionResponse, AppendsToAReusedBuffer) {
  std::string out = "prefix:";
  ASSERT_TRUE(append_admission_review(out, ReviewVersion::kV1, AdmissionResponse::allow("u")).ok());
  EXPECT_EQ(out, R"(prefix:{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",)"
                 R"("response":{"uid":"u","allowed":true}})");
}

// --- string escaping ---------------------------------------------------------

std::string literal(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

TEST(JsonWriter, EscapesWhatJsonRequires) {
  EXPECT_EQ(literal(""), R"("")");
  EXPECT_EQ(literal("plain text"), R"("plain text")");
  EXPECT_EQ(literal("q\"b\\s/"), R"("q\"b\\s/")");
  EXPECT_EQ(literal("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(literal(std::string("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(literal("\x7f"), "\"\x7f\"");
  EXPECT_EQ(literal("Grüße — 😀"), "\"Grüße — 😀\"");
}

TEST(JsonWriter, ReplacesBytesThatAreNotUtf8) {
  EXPECT_EQ(literal("a\xff"
                    "b"),
            "\"a\xEF\xBF\xBD"
            "b\"");
  EXPECT_EQ(literal("\xc3"), "\"\xEF\xBF\xBD\"");                  // truncated sequence
  EXPECT_EQ(literal("\xc0\xaf"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");  // overlong '/'
  EXPECT_EQ(literal("\xed\xa0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
}

TEST(JsonWriter, EveryByteValueRoundTripsThroughNlohmann) {
  std::string all;
  for (int c = 0; c < 0x80; ++c) all += static_cast<char>(c);
  all += "é中😀";
  EXPECT_EQ(Json::parse(literal(all)).get<std::string>(), all);
  // Invalid bytes still give valid JSON.
  std::string high;
  for (int c = 0x80; c < 0x100; ++c) high += static_cast<char>(c);
  EXPECT_TRUE(Json::accept(literal(high)));
}

}  // namespace
}  // namespace zastava::admission
