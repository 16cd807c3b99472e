// stella drift BASELINE CURRENT: per-facet drift between two images or seals
// files, with causes and quota verdicts.
//
// Exit codes: 0 within quota (or only Warn quotas exceeded), 2 a Block quota
// exceeded, 3 a RequireVex quota exceeded (the strictest action wins), 1 an
// error (unreadable image, seal that does not verify), 64 bad command line.
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "../args.hpp"
#include "../cli_io.hpp"
#include "../commands.hpp"
#include "../drift_input.hpp"
#include "../table.hpp"
#include "facet/names.hpp"

namespace zastava::cli {
namespace {

constexpr std::string_view kDriftUsage =
    "usage: stella drift BASELINE CURRENT [--format table|json] [--facets-file DEFS.yaml]\n"
    "                    [--pub KEY.pub.pem ...] [--threshold K]\n"
    "  BASELINE and CURRENT are each an image (oci:DIR[:TAG], docker-archive:FILE,\n"
    "  dir:ROOTFS) or a seals file from `stella seal` (a path ending in .json, or a\n"
    "  file starting with '{').\n"
    "  --pub        verify seals files' signatures with these keys (K of them,\n"
    "               default 1); without --pub only their Merkle roots are checked\n"
    "  --facets-file  facet definitions and quotas (default: the built-in set;\n"
    "               quotas otherwise come from the baseline seal)\n"
    "  exit code: 0 within quota or Warn only, 2 Block, 3 RequireVex, 1 error\n";

int usage_error(std::string_view problem) {
  std::cerr << "stella drift: " << problem << "\n\n" << kDriftUsage;
  return kExitUsage;
}

std::string percent(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  return text;
}

std::map<std::string, int> cause_counts(const facet::FacetDrift& drift) {
  std::map<std::string, int> counts;
  for (const auto* entries : {&drift.added, &drift.removed, &drift.modified}) {
    for (const auto& entry : *entries) ++counts[std::string(facet::drift_cause_name(entry.cause))];
  }
  return counts;
}

std::string cause_summary(const facet::FacetDrift& drift) {
  std::string summary;
  for (const auto& [cause, count] : cause_counts(drift)) {
    summary += (summary.empty() ? "" : " ") + cause + ":" + std::to_string(count);
  }
  return summary.empty() ? "-" : summary;
}

std::string verdict_text(const facet::QuotaVerdict& verdict) {
  if (verdict.passed) return "within quota";
  return "EXCEEDED (" + std::string(facet::quota_action_name(verdict.recommended_action)) + ")";
}

std::string action_text(const std::optional<facet::QuotaAction>& action) {
  return action ? std::string(facet::quota_action_name(*action)) : "none";
}

void print_side(std::string_view label, const DriftSide& side) {
  std::cout << label << side.spec;
  if (!side.image_digest.empty()) std::cout << " (" << side.image_digest << ")";
  std::cout << " [" << describe_origin(side.origin) << "]\n";
}

void print_entries(std::string_view mark, const std::vector<facet::DriftEntry>& entries) {
  for (const auto& entry : entries) {
    std::cout << "    " << mark << " " << entry.path << "  "
              << facet::drift_cause_name(entry.cause);
    if (!entry.detail.empty()) std::cout << " (" << entry.detail << ")";
    std::cout << "\n";
  }
}

void print_table(const DriftReport& report) {
  print_side("baseline: ", report.baseline);
  print_side("current:  ", report.current);
  std::cout << "\n";
  TextTable table(
      {"FACET", "BASE", "CURRENT", "ADDED", "REMOVED", "MODIFIED", "CHURN%", "CAUSES", "QUOTA"});
  for (const auto& facet : report.facets) {
    const auto& score = facet.drift.score;
    table.add_row({facet.drift.facet_id, std::to_string(facet.baseline_files),
                   std::to_string(facet.current_files), std::to_string(score.added_count),
                   std::to_string(score.removed_count), std::to_string(score.modified_count),
                   percent(score.churn_percent), cause_summary(facet.drift),
                   verdict_text(facet.drift.quota_verdict)});
  }
  table.print(std::cout);

  bool any_change = false;
  for (const auto& facet : report.facets) {
    if (facet.drift.score.total_changes == 0) continue;
    if (!any_change) std::cout << "\nchanges:\n";
    any_change = true;
    std::cout << "  " << facet.drift.facet_id << "\n";
    print_entries("+", facet.drift.added);
    print_entries("-", facet.drift.removed);
    print_entries("~", facet.drift.modified);
  }
  bool any_violation = false;
  for (const auto& facet : report.facets) {
    for (const auto& violation : facet.drift.quota_verdict.violations) {
      if (!any_violation) std::cout << "\nquota violations:\n";
      any_violation = true;
      std::cout << "  " << violation.message << " [" << facet.quota_source << ", on exceed "
                << facet::quota_action_name(facet.quota.on_exceed) << "]\n";
    }
  }
  for (const auto& note : report.notes) std::cout << "\nnote: " << note << "\n";
  std::cout << "\naction: " << action_text(report.action) << " (exit "
            << exit_code_for(report.action) << ")\n";
}

nlohmann::json entry_json(const facet::DriftEntry& entry) {
  nlohmann::json json{{"path", entry.path}, {"cause", facet::drift_cause_name(entry.cause)}};
  if (entry.old_hash) json["oldHash"] = *entry.old_hash;
  if (entry.new_hash) json["newHash"] = *entry.new_hash;
  if (entry.old_size) json["oldSize"] = *entry.old_size;
  if (entry.new_size) json["newSize"] = *entry.new_size;
  if (!entry.detail.empty()) json["detail"] = entry.detail;
  return json;
}

nlohmann::json entries_json(const std::vector<facet::DriftEntry>& entries) {
  auto json = nlohmann::json::array();
  for (const auto& entry : entries) json.push_back(entry_json(entry));
  return json;
}

nlohmann::json side_json(const DriftSide& side) {
  return {{"source", side.spec},
          {"imageName", side.image_name},
          {"imageDigest", side.image_digest},
          {"kind", side.origin == DriftSide::Origin::kImage ? "image" : "seals"},
          {"signaturesVerified", side.origin == DriftSide::Origin::kVerifiedSeals},
          {"verification", describe_origin(side.origin)}};
}

nlohmann::json facet_json(const FacetComparison& facet) {
  const auto& drift = facet.drift;
  auto violations = nlohmann::json::array();
  for (const auto& violation : drift.quota_verdict.violations) {
    violations.push_back({{"quotaField", violation.quota_field},
                          {"limit", violation.limit},
                          {"actual", violation.actual},
                          {"message", violation.message}});
  }
  return {
      {"facetId", drift.facet_id},
      {"baselineSealId", drift.baseline_seal_id},
      {"currentSealId", drift.current_seal_id},
      {"baselineFileCount", facet.baseline_files},
      {"currentFileCount", facet.current_files},
      {"score",
       {{"totalChanges", drift.score.total_changes},
        {"churnPercent", drift.score.churn_percent},
        {"addedCount", drift.score.added_count},
        {"removedCount", drift.score.removed_count},
        {"modifiedCount", drift.score.modified_count}}},
      {"causes", cause_counts(drift)},
      {"added", entries_json(drift.added)},
      {"removed", entries_json(drift.removed)},
      {"modified", entries_json(drift.modified)},
      {"quota",
       {{"source", facet.quota_source},
        {"maxChurnPercent", facet.quota.max_churn_percent},
        {"maxChangedFiles", facet.quota.max_changed_files},
        {"maxAddedFiles", facet.quota.max_added_files},
        {"maxRemovedFiles", facet.quota.max_removed_files},
        {"onExceed", facet::quota_action_name(facet.quota.on_exceed)}}},
      {"quotaVerdict",
       {{"passed", drift.quota_verdict.passed},
        {"violations", violations},
        {"recommendedAction", facet::quota_action_name(drift.quota_verdict.recommended_action)}}},
  };
}

void print_json(const DriftReport& report) {
  auto facets = nlohmann::json::array();
  for (const auto& facet : report.facets) facets.push_back(facet_json(facet));
  const nlohmann::json document{
      {"baseline", side_json(report.baseline)},
      {"current", side_json(report.current)},
      {"facets", facets},
      {"notes", report.notes},
      {"action", report.action ? nlohmann::json(facet::quota_action_name(*report.action))
                               : nlohmann::json(nullptr)},
      {"exitCode", exit_code_for(report.action)},
  };
  std::cout << document.dump(2) << "\n";
}

}  // namespace

int run_drift(const Argv& argv) {
  auto args = Args::parse(argv, ArgSpec{{"format", "facets-file", "pub", "threshold"}, {"help"}});
  if (!args) return usage_error(args.error().message);
  if (args->has("help")) {
    std::cout << kDriftUsage;
    return kExitOk;
  }
  if (args->positional().size() != 2) return usage_error("expected BASELINE and CURRENT");
  const std::string format = args->value("format").value_or("table");
  if (format != "table" && format != "json") {
    return usage_error("--format must be table or json, not '" + format + "'");
  }
  auto request = make_drift_request(*args, args->positional()[0], args->positional()[1]);
  if (!request) return usage_error(request.error().message);

  auto report = compute_drift_report(*request);
  if (!report) {
    std::cerr << "stella drift: " << report.error().describe() << "\n";
    return kExitFailure;
  }
  if (format == "json") {
    print_json(*report);
  } else {
    print_table(*report);
  }
  return exit_code_for(report->action);
}

}  // namespace zastava::cli
