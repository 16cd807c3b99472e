// Tests for facet/vex.hpp: package URLs for images and OpenVEX v0.2.0
// documents from drift, checked field by field against the OpenVEX spec
// (https://github.com/openvex/spec, OPENVEX-SPEC.md, v0.2.0).
#include "facet/vex.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/hex.hpp"
#include "digest/sha2.hpp"
#include "json/canonical_json.hpp"

namespace zastava::facet {
namespace {

const std::string kDigest =
    "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b";
const std::string kHex = kDigest.substr(7);

std::string purl_of(std::string_view name) {
  auto purl = oci_purl(name, kDigest);
  EXPECT_TRUE(purl.ok()) << name << ": " << (purl.ok() ? "" : purl.error().message);
  return purl.ok() ? *purl : "";
}

TEST(OciPurl, BareNameHasNoRepositoryUrl) {
  EXPECT_EQ(purl_of("nginx"), "pkg:oci/nginx@sha256%3A" + kHex);
  EXPECT_EQ(purl_of("library/nginx"), "pkg:oci/nginx@sha256%3A" + kHex);  // no registry part
}

TEST(OciPurl, RegistryNameGivesRepositoryUrlOfTheWholeRepository) {
  EXPECT_EQ(purl_of("registry.example.com/team/app"),
            "pkg:oci/app@sha256%3A" + kHex + "?repository_url=registry.example.com/team/app");
  EXPECT_EQ(purl_of("docker.io/library/nginx"),
            "pkg:oci/nginx@sha256%3A" + kHex + "?repository_url=docker.io/library/nginx");
  EXPECT_EQ(purl_of("localhost:5000/app"),
            "pkg:oci/app@sha256%3A" + kHex + "?repository_url=localhost:5000/app");
}

TEST(OciPurl, NameIsLowerCasedAndTagBecomesAQualifier) {
  EXPECT_EQ(purl_of("ghcr.io/Acme/WebApp:v1.2.3"),
            "pkg:oci/webapp@sha256%3A" + kHex + "?repository_url=ghcr.io/Acme/WebApp&tag=v1.2.3");
  EXPECT_EQ(purl_of("hello-wasm:v1"), "pkg:oci/hello-wasm@sha256%3A" + kHex + "?tag=v1");
  EXPECT_EQ(purl_of("registry.example.com/app@" + kDigest),
            "pkg:oci/app@sha256%3A" + kHex + "?repository_url=registry.example.com/app");
}

TEST(OciPurl, RejectsBadDigestsAndNames) {
  for (const auto* digest : {"", "sha256:abc", "sha512:6c3c", "SHA256:6C3C",
                             "6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b"}) {
    const auto purl = oci_purl("nginx", digest);
    ASSERT_FALSE(purl.ok()) << digest;
    EXPECT_EQ(purl.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(purl.error().message.find("digest"), std::string::npos) << purl.error().message;
  }
  for (const auto* name : {"", "/app", "app/", "a//b", "app:", "app with space", "app:-bad"}) {
    const auto purl = oci_purl(name, kDigest);
    ASSERT_FALSE(purl.ok()) << name;
    EXPECT_NE(purl.error().message.find("not an image name"), std::string::npos)
        << purl.error().message;
  }
  const auto other = oci_purl(
      "app@sha256:0000000000000000000000000000000000000000000000000000000000000000", kDigest);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().message.find("different digest"), std::string::npos);
}

DriftEntry changed(std::string path, DriftCause cause) {
  DriftEntry entry;
  entry.path = std::move(path);
  entry.cause = cause;
  return entry;
}

std::vector<FacetDrift> sample_drifts() {
  FacetDrift os;
  os.facet_id = "os";
  os.baseline_seal_id = "550e8400-e29b-41d4-a716-446655440000";
  os.current_seal_id = "6ba7b810-9dad-41d1-80b4-00c04fd430c8";
  os.modified = {changed("/var/lib/dpkg/status", DriftCause::kSecurityPatch),
                 changed("/etc/apt/sources.list", DriftCause::kConfigChange)};
  os.added = {changed("/var/lib/dpkg/info/curl.list", DriftCause::kPackageUpdate)};
  os.score = {3, 7.5, 1, 0, 2};
  os.quota_verdict.passed = false;
  os.quota_verdict.recommended_action = QuotaAction::kRequireVex;
  os.quota_verdict.violations = {
      {"MaxChurnPercent", 5, 7.5, "os: churn 7.5% exceeds quota 5% (MaxChurnPercent)"}};

  FacetDrift unchanged;  // no statement for it
  unchanged.facet_id = "config";

  FacetDrift node;
  node.facet_id = "lang/node";
  node.removed = {changed("/app/node_modules/lodash/index.js", DriftCause::kUnknown)};
  node.score = {1, 0.1, 0, 1, 0};
  return {os, unchanged, node};
}

VexOptions options_with(std::string status) {
  VexOptions options;
  options.product_purl = "pkg:oci/app@sha256%3A" + kHex;
  options.status = std::move(status);
  options.author = "release-team@example.com";
  options.timestamp = "2026-01-05T10:00:00.000Z";
  return options;
}

nlohmann::json generate(const VexOptions& options) {
  const auto drifts = sample_drifts();
  const auto text = vex_from_drift(drifts, options);
  EXPECT_TRUE(text.ok()) << (text.ok() ? "" : text.error().message);
  if (!text.ok()) return {};
  // Canonical: canonicalizing again changes nothing.
  const auto recanonical = json::canonicalize_text(*text);
  EXPECT_TRUE(recanonical.ok());
  if (recanonical.ok()) {
    EXPECT_EQ(*recanonical, *text);
  }
  return nlohmann::json::parse(*text);
}

TEST(VexFromDrift, DocumentHasEveryRequiredField) {
  const auto document = generate(options_with("under_investigation"));
  ASSERT_TRUE(document.is_object());
  EXPECT_EQ(document.at("@context"), "https://openvex.dev/ns/v0.2.0");
  ASSERT_TRUE(document.at("@id").is_string());
  EXPECT_EQ(document.at("author"), "release-team@example.com");
  EXPECT_EQ(document.at("timestamp"), "2026-01-05T10:00:00.000Z");
  EXPECT_EQ(document.at("version"), 1);
  ASSERT_TRUE(document.at("version").is_number_integer());
  EXPECT_EQ(document.at("tooling"), "stella");
}

TEST(VexFromDrift, IdIsTheHashOfTheDocumentWithoutIt) {
  auto document = generate(options_with("under_investigation"));
  ASSERT_TRUE(document.is_object());
  const std::string id = document.at("@id");
  document.erase("@id");
  const auto canonical = json::canonicalize(document);
  ASSERT_TRUE(canonical.ok());
  EXPECT_EQ(id, "https://stellaops.io/vex/sha256:" +
                    encoding::hex_encode(digest::sha256(as_bytes(*canonical))));
}

TEST(VexFromDrift, OneStatementPerDriftedFacet) {
  const auto document = generate(options_with("under_investigation"));
  const auto& statements = document.at("statements");
  ASSERT_EQ(statements.size(), 2u);  // "config" has no changes

  const auto& os = statements[0];
  EXPECT_EQ(os.at("vulnerability").at("name"), "stella:facet-drift/os");
  EXPECT_TRUE(os.at("vulnerability").at("description").is_string());
  ASSERT_EQ(os.at("products").size(), 1u);
  EXPECT_EQ(os.at("products")[0].at("@id"), "pkg:oci/app@sha256%3A" + kHex);
  EXPECT_EQ(os.at("status"), "under_investigation");
  EXPECT_EQ(os.at("timestamp"), "2026-01-05T10:00:00.000Z");
  EXPECT_FALSE(os.contains("justification"));
  EXPECT_FALSE(os.contains("impact_statement"));
  EXPECT_FALSE(os.contains("action_statement"));
  const std::string notes = os.at("status_notes");
  EXPECT_EQ(notes,
            "Facet os drifted: 3 changes (1 added, 0 removed, 2 modified), churn 7.5% of the "
            "baseline; causes: 1 ConfigChange, 1 PackageUpdate, 1 SecurityPatch; baseline seal "
            "550e8400-e29b-41d4-a716-446655440000; current seal "
            "6ba7b810-9dad-41d1-80b4-00c04fd430c8; quota exceeded (RequireVex): os: churn 7.5% "
            "exceeds quota 5% (MaxChurnPercent).");

  const auto& node = statements[1];
  EXPECT_EQ(node.at("vulnerability").at("name"), "stella:facet-drift/lang/node");
  EXPECT_EQ(node.at("status_notes"),
            "Facet lang/node drifted: 1 changes (0 added, 1 removed, 0 modified), churn 0.1% of "
            "the baseline; causes: 1 Unknown.");
}

TEST(VexFromDrift, FixedNeedsNothingMore) {
  const auto document = generate(options_with("fixed"));
  for (const auto& statement : document.at("statements")) {
    EXPECT_EQ(statement.at("status"), "fixed");
    EXPECT_FALSE(statement.contains("action_statement"));
  }
}

TEST(VexFromDrift, AffectedCarriesAnActionStatement) {
  const auto generic = generate(options_with("affected"));
  EXPECT_EQ(generic.at("statements")[0].at("action_statement"),
            "Review the files that drifted in facet os: re-seal the image if the change is "
            "intended, otherwise rebuild it from the baseline.");
  auto options = options_with("affected");
  options.action_statement = "Roll back to app:v1.2.3 until the security team signs off.";
  const auto given = generate(options);
  EXPECT_EQ(given.at("statements")[1].at("action_statement"), options.action_statement);
}

TEST(VexFromDrift, NotAffectedWithoutAJustificationIsRejected) {
  const auto drifts = sample_drifts();
  const auto result = vex_from_drift(drifts, options_with("not_affected"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("not_affected needs a justification"), std::string::npos)
      << result.error().message;
  EXPECT_NE(result.error().message.find("vulnerable_code_not_present"), std::string::npos);
}

TEST(VexFromDrift, NotAffectedWithAPersonsJustification) {
  auto options = options_with("not_affected");
  options.justification = "vulnerable_code_not_in_execute_path";
  const auto labelled = generate(options);
  EXPECT_EQ(labelled.at("statements")[0].at("justification"),
            "vulnerable_code_not_in_execute_path");

  options.justification.clear();
  options.impact_statement = "Only documentation files changed.";
  const auto explained = generate(options);
  EXPECT_EQ(explained.at("statements")[0].at("impact_statement"),
            "Only documentation files changed.");
  EXPECT_FALSE(explained.at("statements")[0].contains("justification"));
}

TEST(VexFromDrift, InvalidOptionsAreRejectedWithClearMessages) {
  const auto drifts = sample_drifts();
  struct Case {
    VexOptions options;
    std::string expected;
  };
  std::vector<Case> cases;
  cases.push_back({options_with("exploitable"), "unknown status 'exploitable'"});
  cases.push_back({options_with(""), "unknown status ''"});
  auto bad_label = options_with("not_affected");
  bad_label.justification = "looks_fine";
  cases.push_back({bad_label, "unknown justification 'looks_fine'"});
  auto misplaced = options_with("fixed");
  misplaced.justification = "component_not_present";
  cases.push_back({misplaced, "only applies to status not_affected"});
  auto misplaced_action = options_with("under_investigation");
  misplaced_action.action_statement = "patch it";
  cases.push_back({misplaced_action, "only applies to status affected"});
  auto no_author = options_with("fixed");
  no_author.author.clear();
  cases.push_back({no_author, "author is empty"});
  auto no_time = options_with("fixed");
  no_time.timestamp.clear();
  cases.push_back({no_time, "timestamp is empty"});
  auto not_purl = options_with("fixed");
  not_purl.product_purl = "registry.example.com/app";
  cases.push_back({not_purl, "is not a package URL"});

  for (const auto& test : cases) {
    const auto result = vex_from_drift(drifts, test.options);
    ASSERT_FALSE(result.ok()) << test.expected;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(result.error().message.find(test.expected), std::string::npos)
        << result.error().message;
  }
}

TEST(VexFromDrift, NoDriftGivesADocumentWithoutStatements) {
  const std::vector<FacetDrift> none = {FacetDrift{}};
  const auto text = vex_from_drift(none, options_with("under_investigation"));
  ASSERT_TRUE(text.ok());
  EXPECT_TRUE(nlohmann::json::parse(*text).at("statements").empty());
}

}  // namespace
}  // namespace zastava::facet
