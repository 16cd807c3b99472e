#include "facet/vex.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "base/hex.hpp"
#include "digest/content_id.hpp"
#include "digest/sha2.hpp"
#include "facet/names.hpp"
#include "json/canonical_json.hpp"

namespace zastava::facet {
namespace {

constexpr std::string_view kContext = "https://openvex.dev/ns/v0.2.0";
constexpr std::string_view kIdPrefix = "https://stellaops.io/vex/";

constexpr std::array<std::string_view, 4> kStatuses = {"not_affected", "affected", "fixed",
                                                       "under_investigation"};
constexpr std::array<std::string_view, 5> kJustifications = {
    "component_not_present", "vulnerable_code_not_present", "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary", "inline_mitigations_already_exist"};

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

template <std::size_t N>
std::string joined(const std::array<std::string_view, N>& values) {
  std::string text;
  for (const auto value : values) {
    if (!text.empty()) text += ", ";
    text += value;
  }
  return text;
}

Error invalid(std::string message) {
  return make_error(ErrorCode::kInvalidArgument, "OpenVEX: " + std::move(message));
}

Status check_options(const VexOptions& options) {
  if (!one_of(kStatuses, options.status)) {
    return invalid("unknown status '" + options.status + "' (expected one of " + joined(kStatuses) +
                   ")");
  }
  if (options.author.empty()) return invalid("the author is empty");
  if (options.timestamp.empty()) return invalid("the timestamp is empty");
  if (!options.product_purl.starts_with("pkg:")) {
    return invalid("the product '" + options.product_purl + "' is not a package URL (pkg:...)");
  }
  const bool not_affected = options.status == "not_affected";
  if (!options.justification.empty() && !one_of(kJustifications, options.justification)) {
    return invalid("unknown justification '" + options.justification + "' (expected one of " +
                   joined(kJustifications) + ")");
  }
  if (!not_affected && (!options.justification.empty() || !options.impact_statement.empty())) {
    return invalid("a justification or impact statement only applies to status not_affected, not " +
                   options.status);
  }
  if (not_affected && options.justification.empty() && options.impact_statement.empty()) {
    return invalid(
        "status not_affected needs a justification (" + joined(kJustifications) +
        ") or an impact statement, and only a person can say why this drift is harmless; "
        "generate under_investigation and decide after review");
  }
  if (options.status != "affected" && !options.action_statement.empty()) {
    return invalid("an action statement only applies to status affected, not " + options.status);
  }
  return ok_status();
}

std::string percent(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.2f", value);
  std::string result = text;
  result.erase(result.find_last_not_of('0') + 1);
  if (result.back() == '.') result.pop_back();
  return result;
}

std::string cause_summary(const FacetDrift& drift) {
  std::map<std::string_view, int> counts;
  for (const auto* list : {&drift.added, &drift.removed, &drift.modified}) {
    for (const auto& entry : *list) ++counts[drift_cause_name(entry.cause)];
  }
  std::string text;
  for (const auto& [cause, count] : counts) {
    if (!text.empty()) text += ", ";
    text += std::to_string(count) + " " + std::string(cause);
  }
  return text;
}

// "Facet os drifted: 6 changes (3 added, 1 removed, 2 modified), churn 12.5%
// of the baseline; causes: 1 ConfigChange, 5 Unknown; baseline seal ...,
// current seal ...; quota exceeded (Block): os: ..."
std::string status_notes(const FacetDrift& drift) {
  const auto& score = drift.score;
  std::string text =
      "Facet " + drift.facet_id + " drifted: " + std::to_string(score.total_changes) +
      " changes (" + std::to_string(score.added_count) + " added, " +
      std::to_string(score.removed_count) + " removed, " + std::to_string(score.modified_count) +
      " modified), churn " + percent(score.churn_percent) +
      "% of the baseline; causes: " + cause_summary(drift);
  if (!drift.baseline_seal_id.empty()) text += "; baseline seal " + drift.baseline_seal_id;
  if (!drift.current_seal_id.empty()) text += "; current seal " + drift.current_seal_id;
  const auto& verdict = drift.quota_verdict;
  if (!verdict.passed) {
    text +=
        "; quota exceeded (" + std::string(quota_action_name(verdict.recommended_action)) + "):";
    for (const auto& violation : verdict.violations) text += " " + violation.message + ";";
    text.pop_back();
  }
  return text + ".";
}

nlohmann::json statement_for(const FacetDrift& drift, const VexOptions& options) {
  nlohmann::json statement = {
      {"vulnerability",
       {{"name", "stella:facet-drift/" + drift.facet_id},
        {"description", "Files of facet " + drift.facet_id +
                            " changed between the sealed baseline and this image."}}},
      {"products", nlohmann::json::array({{{"@id", options.product_purl}}})},
      {"status", options.status},
      {"status_notes", status_notes(drift)},
      {"timestamp", options.timestamp},
  };
  if (!options.justification.empty()) statement["justification"] = options.justification;
  if (!options.impact_statement.empty()) statement["impact_statement"] = options.impact_statement;
  if (options.status == "affected") {
    statement["action_statement"] =
        !options.action_statement.empty()
            ? options.action_statement
            : "Review the files that drifted in facet " + drift.facet_id +
                  ": re-seal the image if the change is intended, otherwise rebuild it from the "
                  "baseline.";
  }
  return statement;
}

bool has_changes(const FacetDrift& drift) {
  return !drift.added.empty() || !drift.removed.empty() || !drift.modified.empty();
}

// A registry host: "registry.example.com", "localhost:5000", "localhost".
bool is_registry(std::string_view segment) {
  return segment.find('.') != std::string_view::npos ||
         segment.find(':') != std::string_view::npos || segment == "localhost";
}

bool valid_repository(std::string_view repository) {
  if (repository.empty() || repository.front() == '/' || repository.back() == '/' ||
      repository.find("//") != std::string_view::npos) {
    return false;
  }
  return std::all_of(repository.begin(), repository.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) != 0 || c == '.' || c == '_' || c == '-' || c == '/' || c == ':';
  });
}

// OCI distribution spec: [A-Za-z0-9_][A-Za-z0-9._-]{0,127}; no purl escaping needed.
bool valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128 || tag.front() == '.' || tag.front() == '-') return false;
  return std::all_of(tag.begin(), tag.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
  });
}

std::string lower(std::string_view text) {
  std::string result(text);
  for (auto& c : result) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

}  // namespace

Result<std::string> oci_purl(std::string_view image_name, std::string_view image_digest) {
  auto digest = digest::ContentId::parse(image_digest);
  if (!digest.ok() || digest->algorithm() != digest::Algorithm::kSha256) {
    return make_error(ErrorCode::kInvalidArgument, "oci purl: the image digest '" +
                                                       std::string(image_digest) +
                                                       "' is not sha256:<64 lower-case hex>");
  }
  std::string_view repository = image_name;
  if (const auto at = repository.find('@'); at != std::string_view::npos) {
    if (repository.substr(at + 1) != image_digest) {
      return make_error(ErrorCode::kInvalidArgument,
                        "oci purl: the image name '" + std::string(image_name) +
                            "' pins a different digest than " + std::string(image_digest));
    }
    repository = repository.substr(0, at);
  }
  std::string_view tag;
  const auto last_slash = repository.rfind('/');
  const auto colon = repository.rfind(':');
  const bool has_tag = colon != std::string_view::npos &&
                       (last_slash == std::string_view::npos || colon > last_slash);
  if (has_tag) {
    tag = repository.substr(colon + 1);
    repository = repository.substr(0, colon);
  }
  if (!valid_repository(repository) || (has_tag && !valid_tag(tag))) {
    return make_error(ErrorCode::kInvalidArgument,
                      "oci purl: '" + std::string(image_name) + "' is not an image name");
  }
  const auto name_start = repository.rfind('/');
  const auto name = repository.substr(name_start == std::string_view::npos ? 0 : name_start + 1);
  const auto first_segment = repository.substr(0, repository.find('/'));
  const bool has_registry = name_start != std::string_view::npos && is_registry(first_segment);

  std::string purl = "pkg:oci/" + lower(name) + "@sha256%3A" +
                     std::string(image_digest.substr(std::string_view("sha256:").size()));
  // Qualifiers in key order, as the purl spec's canonical form requires.
  std::string qualifiers;
  if (has_registry) qualifiers += "repository_url=" + std::string(repository);
  if (!tag.empty())
    qualifiers += (qualifiers.empty() ? "" : "&") + std::string("tag=") + std::string(tag);
  if (!qualifiers.empty()) purl += "?" + qualifiers;
  return purl;
}

Result<std::string> vex_from_drift(std::span<const FacetDrift> drifts, const VexOptions& options) {
  if (auto checked = check_options(options); !checked.ok()) return checked.error();
  nlohmann::json statements = nlohmann::json::array();
  for (const auto& drift : drifts) {
    if (has_changes(drift)) statements.push_back(statement_for(drift, options));
  }
  nlohmann::json document = {
      {"@context", kContext}, {"author", options.author}, {"timestamp", options.timestamp},
      {"version", 1},         {"tooling", "stella"},      {"statements", std::move(statements)},
  };
  auto without_id = json::canonicalize(document);
  if (!without_id.ok()) return without_id.error().with_context("OpenVEX");
  document["@id"] = std::string(kIdPrefix) +
                    "sha256:" + encoding::hex_encode(digest::sha256(as_bytes(*without_id)));
  return json::canonicalize(document);
}

}  // namespace zastava::facet
