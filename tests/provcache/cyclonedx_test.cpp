// Tests for provcache/cyclonedx: the SBOM summary, flattening, the canonical
// hash and every rejection.

#include "provcache/cyclonedx.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_files.hpp"

namespace zastava::provcache {
namespace {

using testing::read_test_file;

TEST(CycloneDx, ReadsARealisticSbom) {
  auto sbom = parse_cyclonedx(read_test_file("sbom_cdx16.json"));
  ASSERT_TRUE(sbom.ok()) << sbom.error().describe();
  EXPECT_EQ(sbom->spec_version, "1.6");
  EXPECT_EQ(sbom->serial_number, "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79");
  ASSERT_TRUE(sbom->metadata_component.has_value());
  EXPECT_EQ(sbom->metadata_component->type, "container");
  EXPECT_EQ(sbom->metadata_component->bom_ref, "image");
  EXPECT_TRUE(sbom->metadata_component->purl.starts_with("pkg:oci/payments@sha256%3A9f86d0"));

  ASSERT_EQ(sbom->components.size(), 5U);
  const SbomComponent& openssl = sbom->components[0];
  EXPECT_EQ(openssl.name, "openssl");
  EXPECT_EQ(openssl.version, "3.3.2-r1");
  EXPECT_EQ(openssl.type, "library");
  EXPECT_EQ(openssl.purl, "pkg:apk/alpine/openssl@3.3.2-r1?arch=x86_64&distro=alpine-3.20.3");
  EXPECT_EQ(openssl.bom_ref, openssl.purl);
  EXPECT_TRUE(openssl.has_licenses);
  EXPECT_TRUE(openssl.has_hashes);
  EXPECT_TRUE(sbom->components[1].has_licenses);  // an expression counts
  EXPECT_FALSE(sbom->components[1].has_hashes);
  EXPECT_EQ(sbom->canonical_hash.substr(0, 7), "sha256:");
}

TEST(CycloneDx, FlattensNestedComponentsParentFirst) {
  auto sbom = parse_cyclonedx(read_test_file("sbom_cdx16.json"));
  ASSERT_TRUE(sbom.ok()) << sbom.error().describe();
  ASSERT_EQ(sbom->components.size(), 5U);
  EXPECT_EQ(sbom->components[2].name, "payments-api");
  EXPECT_EQ(sbom->components[2].purl, "");
  EXPECT_EQ(sbom->components[3].name, "express");
  EXPECT_TRUE(sbom->components[3].has_hashes);
  EXPECT_EQ(sbom->components[4].name, "lodash");
  EXPECT_EQ(sbom->components[4].bom_ref, "");
  EXPECT_FALSE(sbom->components[4].has_licenses);  // an empty array is no license
}

TEST(CycloneDx, AcceptsOlderSpecVersionsAndNoComponents) {
  for (const char* version : {"1.4", "1.5"}) {
    auto sbom = parse_cyclonedx(std::string(R"({"bomFormat":"CycloneDX","specVersion":")") +
                                version + R"(","version":1})");
    ASSERT_TRUE(sbom.ok()) << sbom.error().describe();
    EXPECT_EQ(sbom->spec_version, version);
    EXPECT_TRUE(sbom->components.empty());
    EXPECT_FALSE(sbom->metadata_component.has_value());
  }
}

TEST(CycloneDx, CanonicalHashIsTheSha256OfTheCanonicalForm) {
  // Expected: `printf '%s' '<canonical text>' | sha256sum` of the hand-written
  // canonical form {"bomFormat":"CycloneDX","components":[{"name":"zlib",
  // "type":"library","version":"1.3.1"}],"specVersion":"1.6","version":1}.
  const char* kPretty = R"({
    "specVersion": "1.6", "version": 1.0, "bomFormat": "CycloneDX",
    "components": [ { "version": "1.3.1", "type": "library", "name": "zlib" } ]
  })";
  auto sbom = parse_cyclonedx(kPretty);
  ASSERT_TRUE(sbom.ok()) << sbom.error().describe();
  EXPECT_EQ(sbom->canonical_hash,
            "sha256:075b374bff5746d6b949799258d5b27ce4f523011bf364ea5e6050844bc54d23");
  auto direct = canonical_sbom_hash(nlohmann::json::parse(kPretty));
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(*direct, sbom->canonical_hash);
}

TEST(CycloneDx, HashChangesWithContent) {
  auto a = parse_cyclonedx(R"({"bomFormat":"CycloneDX","specVersion":"1.6","version":1})");
  auto b = parse_cyclonedx(R"({"bomFormat":"CycloneDX","specVersion":"1.6","version":2})");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->canonical_hash, b->canonical_hash);
}

struct Rejection {
  const char* name;
  const char* document;
  ErrorCode code;
  const char* message_part;
};

class CycloneDxRejects : public ::testing::TestWithParam<Rejection> {};

TEST_P(CycloneDxRejects, WithAReason) {
  const Rejection& rejection = GetParam();
  auto sbom = parse_cyclonedx(rejection.document);
  ASSERT_FALSE(sbom.ok()) << rejection.name;
  EXPECT_EQ(sbom.error().code, rejection.code) << sbom.error().describe();
  EXPECT_NE(sbom.error().message.find(rejection.message_part), std::string::npos)
      << sbom.error().message;
  EXPECT_TRUE(sbom.error().message.starts_with("CycloneDX SBOM")) << sbom.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, CycloneDxRejects,
    ::testing::Values(
        Rejection{"NotJson", "{\"bomFormat\": ", ErrorCode::kParse, ""},
        Rejection{"DuplicateKey", R"({"bomFormat":"CycloneDX","bomFormat":"CycloneDX"})",
                  ErrorCode::kParse, "duplicate"},
        Rejection{"NotAnObject", "[1,2]", ErrorCode::kParse, "expected an object"},
        Rejection{"Spdx", R"({"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT"})",
                  ErrorCode::kParse, "/bomFormat: missing: not a CycloneDX SBOM"},
        Rejection{"OtherFormat", R"({"bomFormat":"SPDX","specVersion":"1.6"})", ErrorCode::kParse,
                  "expected \"CycloneDX\""},
        Rejection{"MissingSpecVersion", R"({"bomFormat":"CycloneDX"})", ErrorCode::kParse,
                  "/specVersion: missing"},
        Rejection{"SpecVersion13", R"({"bomFormat":"CycloneDX","specVersion":"1.3"})",
                  ErrorCode::kUnsupported, "\"1.3\" is not supported"},
        Rejection{"SpecVersionNumber", R"({"bomFormat":"CycloneDX","specVersion":1.6})",
                  ErrorCode::kParse, "/specVersion: expected a string"},
        Rejection{"ComponentsObject",
                  R"({"bomFormat":"CycloneDX","specVersion":"1.6","components":{}})",
                  ErrorCode::kParse, "/components: expected an array"},
        Rejection{"ComponentNotObject",
                  R"({"bomFormat":"CycloneDX","specVersion":"1.6","components":["zlib"]})",
                  ErrorCode::kParse, "/components/0: expected an object"},
        Rejection{
            "ComponentWithoutName",
            R"({"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library"}]})",
            ErrorCode::kParse, "/components/0/name: missing"},
        Rejection{
            "NestedWithoutType",
            R"({"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"application","name":"a",
                     "components":[{"name":"b"}]}]})",
            ErrorCode::kParse, "/components/0/components/0/type: missing"},
        Rejection{
            "PurlNotString",
            R"({"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","purl":7}]})",
            ErrorCode::kParse, "/components/0/purl: expected a string"},
        Rejection{
            "LicensesNotArray",
            R"({"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","licenses":"MIT"}]})",
            ErrorCode::kParse, "/components/0/licenses: expected an array"},
        Rejection{
            "MetadataComponentNotObject",
            R"({"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":"image"}})",
            ErrorCode::kParse, "/metadata/component: expected an object"}),
    [](const ::testing::TestParamInfo<Rejection>& test) { return std::string(test.param.name); });

}  // namespace
}  // namespace zastava::provcache
