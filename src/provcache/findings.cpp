#include "provcache/findings.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

#include "provcache/document_reader.hpp"

namespace zastava::provcache {
namespace {

using detail::child;
using detail::DocumentError;

constexpr std::array<std::string_view, 5> kSeverities = {"CRITICAL", "HIGH", "MEDIUM", "LOW",
                                                         "UNKNOWN"};
constexpr std::array<std::string_view, 4> kStatuses = {"affected", "not_affected", "fixed",
                                                       "under_investigation"};

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& values, std::string_view value) {
  for (const std::string_view candidate : values) {
    if (candidate == value) return true;
  }
  return false;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string severity_word(const nlohmann::json& value, const std::string& pointer) {
  if (!value.is_string()) throw DocumentError(pointer, "expected a severity string");
  std::string severity = upper(value.get<std::string>());
  if (!one_of(kSeverities, severity)) {
    throw DocumentError(pointer, "\"" + value.get<std::string>() +
                                     "\" is not a severity (CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN)");
  }
  return severity;
}

// A CVSS score as a JSON number or, as GitHub writes it, a numeric string.
std::string severity_of_score(const nlohmann::json& value, const std::string& pointer) {
  double score = 0;
  if (value.is_number()) {
    score = value.get<double>();
  } else if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), score);
    if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
      throw DocumentError(pointer, "\"" + text + "\" is not a CVSS score");
    }
  } else {
    throw DocumentError(pointer, "expected a CVSS score");
  }
  if (!(score >= 0 && score <= 10))
    throw DocumentError(pointer, "a CVSS score is between 0 and 10");
  return severity_from_cvss(score);
}

// Severity from a `properties` bag: "security-severity" (a score) before
// "severity" (a word). "" when neither is there.
std::string severity_from_properties(const nlohmann::json* owner, const std::string& pointer) {
  if (owner == nullptr) return {};
  const nlohmann::json* properties = detail::member(*owner, "properties");
  if (properties == nullptr) return {};
  const std::string at = child(pointer, "properties");
  detail::require_object(*properties, at);
  if (const nlohmann::json* score = detail::member(*properties, "security-severity")) {
    return severity_of_score(*score, child(at, "security-severity"));
  }
  if (const nlohmann::json* word = detail::member(*properties, "severity")) {
    return severity_word(*word, child(at, "severity"));
  }
  return {};
}

struct RuleRef {
  const nlohmann::json* rule = nullptr;
  std::string pointer;
};

RuleRef find_rule(const nlohmann::json& driver, const std::string& driver_at,
                  const std::string& rule_id) {
  const nlohmann::json* rules = detail::member(driver, "rules");
  if (rules == nullptr) return {};
  const std::string at = child(driver_at, "rules");
  detail::require_array(*rules, at);
  for (std::size_t i = 0; i < rules->size(); ++i) {
    detail::require_object((*rules)[i], child(at, i));
    if (detail::optional_string((*rules)[i], "id", child(at, i)) == rule_id) {
      return {&(*rules)[i], child(at, i)};
    }
  }
  return {};
}

std::string result_purl(const nlohmann::json& result, const std::string& pointer) {
  if (const nlohmann::json* properties = detail::member(result, "properties")) {
    std::string purl = detail::optional_string(*properties, "purl", child(pointer, "properties"));
    if (!purl.empty()) return purl;
  }
  const nlohmann::json* locations = detail::member(result, "locations");
  if (locations == nullptr) return {};
  detail::require_array(*locations, child(pointer, "locations"));
  for (std::size_t i = 0; i < locations->size(); ++i) {
    const std::string location_at = child(child(pointer, "locations"), i);
    detail::require_object((*locations)[i], location_at);
    const nlohmann::json* logical = detail::member((*locations)[i], "logicalLocations");
    if (logical == nullptr) continue;
    const std::string logical_at = child(location_at, "logicalLocations");
    detail::require_array(*logical, logical_at);
    for (std::size_t j = 0; j < logical->size(); ++j) {
      detail::require_object((*logical)[j], child(logical_at, j));
      for (const std::string_view key : {"fullyQualifiedName", "name"}) {
        std::string name = detail::optional_string((*logical)[j], key, child(logical_at, j));
        if (name.starts_with("pkg:")) return name;
      }
    }
  }
  return {};
}

Finding read_result(const nlohmann::json& result, const std::string& pointer,
                    const nlohmann::json& driver, const std::string& driver_at,
                    const std::string& feed_id) {
  detail::require_object(result, pointer);
  Finding finding;
  finding.id = detail::optional_string(result, "ruleId", pointer);
  if (finding.id.empty()) {
    if (const nlohmann::json* rule = detail::member(result, "rule")) {
      detail::require_object(*rule, child(pointer, "rule"));
      finding.id = detail::optional_string(*rule, "id", child(pointer, "rule"));
    }
  }
  if (finding.id.empty())
    throw DocumentError(child(pointer, "ruleId"), "missing: a finding needs its vulnerability id");
  const RuleRef rule = find_rule(driver, driver_at, finding.id);
  finding.severity = severity_from_properties(&result, pointer);
  if (finding.severity.empty())
    finding.severity = severity_from_properties(rule.rule, rule.pointer);
  if (finding.severity.empty()) finding.severity = "UNKNOWN";
  finding.purl = result_purl(result, pointer);
  finding.status = "affected";
  finding.feed_id = feed_id;
  return finding;
}

Result<std::vector<Finding>> read_sarif(const nlohmann::json& document) {
  detail::require_object(document, "");
  const std::string version = detail::required_string(document, "version", "");
  if (version != "2.1.0") {
    return make_error(ErrorCode::kUnsupported,
                      "SARIF log: /version: \"" + version + "\" is not supported (expected 2.1.0)");
  }
  const nlohmann::json* runs = detail::member(document, "runs");
  if (runs == nullptr) throw DocumentError("/runs", "missing");
  detail::require_array(*runs, "/runs");
  std::vector<Finding> findings;
  for (std::size_t r = 0; r < runs->size(); ++r) {
    const std::string run_at = child("/runs", r);
    const nlohmann::json& run = detail::require_object((*runs)[r], run_at);
    const nlohmann::json* tool = detail::member(run, "tool");
    if (tool == nullptr) throw DocumentError(child(run_at, "tool"), "missing");
    const std::string tool_at = child(run_at, "tool");
    detail::require_object(*tool, tool_at);
    const nlohmann::json* driver = detail::member(*tool, "driver");
    const std::string driver_at = child(tool_at, "driver");
    if (driver == nullptr) throw DocumentError(driver_at, "missing");
    detail::require_object(*driver, driver_at);
    const std::string feed_id = detail::required_string(*driver, "name", driver_at);
    const nlohmann::json* results = detail::member(run, "results");
    if (results == nullptr) continue;  // SARIF: absent results means the tool did not say
    const std::string results_at = child(run_at, "results");
    detail::require_array(*results, results_at);
    for (std::size_t i = 0; i < results->size(); ++i) {
      findings.push_back(
          read_result((*results)[i], child(results_at, i), *driver, driver_at, feed_id));
    }
  }
  return findings;
}

Finding read_list_entry(const nlohmann::json& entry, const std::string& pointer,
                        std::string_view feed_id) {
  detail::require_object(entry, pointer);
  Finding finding;
  finding.id = detail::required_string(entry, "id", pointer);
  finding.purl = detail::optional_string(entry, "purl", pointer);
  const nlohmann::json* severity = detail::member(entry, "severity");
  if (severity == nullptr) throw DocumentError(child(pointer, "severity"), "missing");
  finding.severity = severity_word(*severity, child(pointer, "severity"));
  finding.status = detail::optional_string(entry, "status", pointer);
  if (finding.status.empty()) finding.status = "affected";
  if (!one_of(kStatuses, finding.status)) {
    throw DocumentError(child(pointer, "status"),
                        "\"" + finding.status +
                            "\" is not one of affected, not_affected, fixed, under_investigation");
  }
  finding.feed_id = std::string(feed_id);
  return finding;
}

}  // namespace

std::string severity_from_cvss(double score) {
  if (score >= 9.0) return "CRITICAL";
  if (score >= 7.0) return "HIGH";
  if (score >= 4.0) return "MEDIUM";
  if (score > 0.0) return "LOW";
  return "UNKNOWN";
}

Result<std::vector<Finding>> parse_sarif(std::string_view text) {
  return detail::parse_document<std::vector<Finding>>(text, "SARIF log", read_sarif);
}

Result<std::vector<Finding>> parse_findings_list(std::string_view text, std::string_view feed_id) {
  return detail::parse_document<std::vector<Finding>>(
      text, "findings list",
      [feed_id](const nlohmann::json& document) -> Result<std::vector<Finding>> {
        detail::require_array(document, "");
        std::vector<Finding> findings;
        for (std::size_t i = 0; i < document.size(); ++i) {
          findings.push_back(read_list_entry(document[i], child("", i), feed_id));
        }
        return findings;
      });
}

}  // namespace zastava::provcache
