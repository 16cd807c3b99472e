#include "decision/violation.hpp"

#include <cmath>
#include <cstdio>

namespace zastava::decision {

std::string_view event_reason(ViolationKind kind) noexcept {
  switch (kind) {
    case ViolationKind::kInvalidImage:
      return "InvalidImage";
    case ViolationKind::kDigestRequired:
      return "DigestRequired";
    case ViolationKind::kSealMissing:
      return "SealMissing";
    case ViolationKind::kSealInvalid:
      return "SealInvalid";
    case ViolationKind::kFacetQuotaExceeded:
      return "FacetQuotaExceeded";
    case ViolationKind::kProvcacheDenied:
      return "ProvcacheDenied";
    case ViolationKind::kUnavailable:
      return "AdmissionCheckFailed";
  }
  return "AdmissionCheckFailed";
}

std::string_view quota_action_name(facet::QuotaAction action) noexcept {
  switch (action) {
    case facet::QuotaAction::kWarn:
      return "Warn";
    case facet::QuotaAction::kRequireVex:
      return "RequireVex";
    case facet::QuotaAction::kBlock:
      return "Block";
  }
  return "Block";
}

std::string format_quota_number(double value) {
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  std::string text(buffer);
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

std::string Violation::line() const {
  std::string out = "container \"" + container + "\" image " + image + ": ";
  if (!facet_id.empty()) out += "facet " + facet_id + ": ";
  if (quota) {
    out += quota->field + " " + format_quota_number(quota->actual) + " > limit " +
           format_quota_number(quota->limit) + " (" +
           std::string(quota_action_name(quota->action)) + ")";
    if (!detail.empty()) out += ": " + detail;
    return out;
  }
  out += std::string(event_reason(kind)) + ": " + detail;
  return out;
}

}  // namespace zastava::decision
