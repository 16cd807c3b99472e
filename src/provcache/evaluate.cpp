#include "provcache/evaluate.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace zastava::provcache {
namespace {

int severity_rank(std::string_view severity) {
  if (severity == "CRITICAL") return 4;
  if (severity == "HIGH") return 3;
  if (severity == "MEDIUM") return 2;
  if (severity == "LOW") return 1;
  return 0;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Findings with the same (id, purl) from several feeds become one: the highest
// severity, `affected` if any feed says so. Keyed so the result is sorted.
std::map<std::pair<std::string, std::string>, Finding> merge_findings(
    std::span<const Finding> findings) {
  std::map<std::pair<std::string, std::string>, Finding> merged;
  for (const Finding& finding : findings) {
    auto [it, inserted] = merged.try_emplace({finding.id, finding.purl}, finding);
    if (inserted) continue;
    Finding& kept = it->second;
    if (severity_rank(finding.severity) > severity_rank(kept.severity))
      kept.severity = finding.severity;
    if (finding.status == "affected") kept.status = "affected";
  }
  return merged;
}

class StatementMatcher {
 public:
  explicit StatementMatcher(const Sbom* sbom) {
    if (sbom != nullptr && sbom->metadata_component && !sbom->metadata_component->purl.empty()) {
      image_key_ = purl_match_key(sbom->metadata_component->purl);
    }
  }

  [[nodiscard]] bool applies(const VexStatement& statement, const Finding& finding) const {
    const auto& ids = statement.vulnerability_ids;
    if (std::find(ids.begin(), ids.end(), finding.id) == ids.end()) return false;
    if (statement.products.empty()) return true;
    const std::string finding_key =
        finding.purl.empty() ? std::string() : purl_match_key(finding.purl);
    for (const std::string& product : statement.products) {
      const std::string key = purl_match_key(product);
      if (!finding_key.empty() && key == finding_key) return true;
      if (!image_key_.empty() && key == image_key_) return true;
    }
    for (const std::string& subcomponent : statement.subcomponents) {
      if (!finding_key.empty() && purl_match_key(subcomponent) == finding_key) return true;
    }
    return false;
  }

 private:
  std::string image_key_;
};

// The last applicable statement: documents in order, statements in order.
const VexStatement* applicable_statement(const StatementMatcher& matcher,
                                         std::span<const VexDocument> vex, const Finding& finding) {
  const VexStatement* applied = nullptr;
  for (const VexDocument& document : vex) {
    for (const VexStatement& statement : document.statements) {
      if (matcher.applies(statement, finding)) applied = &statement;
    }
  }
  return applied;
}

std::string describe(const Finding& finding) {
  std::string text = finding.id + " in " +
                     (finding.purl.empty() ? std::string("(unknown component)") : finding.purl);
  if (!finding.feed_id.empty()) text += " (feed " + finding.feed_id + ")";
  return text;
}

// The finding after VEX. `unjustified_not_affected` is set when a
// not_affected statement applied but could not waive it.
GateFinding gate_finding(const Finding& finding, const VexStatement* statement,
                         bool& unjustified_not_affected) {
  GateFinding out{finding.id, finding.purl, finding.severity, finding.status, false, {}};
  unjustified_not_affected = false;
  if (statement == nullptr) return out;
  if (statement->status != VexStatus::kNotAffected) {
    out.status = std::string(to_string(statement->status));
    return out;
  }
  if (!statement->justification.empty() || !statement->impact_statement.empty()) {
    out.status = "not_affected";
    out.waived = true;
    out.waiver_justification =
        statement->justification.empty() ? statement->impact_statement : statement->justification;
    return out;
  }
  unjustified_not_affected = true;
  return out;
}

}  // namespace

std::string purl_match_key(std::string_view purl) {
  const std::size_t end = purl.find_first_of("?#");
  const std::string_view base = purl.substr(0, end);
  std::string key;
  key.reserve(base.size());
  for (std::size_t i = 0; i < base.size(); ++i) {
    if (base[i] == '%' && i + 2 < base.size()) {
      const int high = hex_value(base[i + 1]);
      const int low = hex_value(base[i + 2]);
      if (high >= 0 && low >= 0) {
        key += static_cast<char>(high * 16 + low);
        i += 2;
        continue;
      }
    }
    key += base[i];
  }
  return key;
}

GateResult evaluate_gate(const Sbom* sbom, std::span<const VexDocument> vex,
                         std::span<const Finding> findings) {
  GateResult result;
  result.rule_ids.emplace_back(kCriticalAffectedRule);
  const StatementMatcher matcher(sbom);
  std::set<std::string> feeds;
  for (const Finding& finding : findings) {
    if (!finding.feed_id.empty()) feeds.insert(finding.feed_id);
  }
  for (const auto& [key, finding] : merge_findings(findings)) {
    bool unjustified_not_affected = false;
    GateFinding gated = gate_finding(finding, applicable_statement(matcher, vex, finding),
                                     unjustified_not_affected);
    if (gated.status == "under_investigation") ++result.under_investigation;
    if (gated.severity == "CRITICAL" && gated.status == "affected") {
      ++result.critical_affected;
      result.reasons.push_back("CRITICAL " + describe(finding) +
                               (unjustified_not_affected
                                    ? " is affected: its VEX not_affected statement has no "
                                      "justification or impact statement, "
                                      "so it does not waive the finding"
                                    : " is affected and not waived by VEX"));
    }
    result.findings.push_back(std::move(gated));
  }
  result.feed_ids.assign(feeds.begin(), feeds.end());
  result.verdict = result.critical_affected > 0 ? Verdict::kDeny : Verdict::kAllow;
  return result;
}

}  // namespace zastava::provcache
