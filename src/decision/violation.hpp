#pragma once
// A violation: one reason an image breaks its scope's policy, found by the
// admission pipeline (decider.hpp). What happens to it depends on the scope's
// mode (Enforce: a denial line; Warn: a warning; Audit: an audit note), so it
// is recorded raw first, and formatted the same way for all three:
//
//   container "api" image registry.example.com/app@sha256:ab12..: facet os: MaxChangedFiles 12 >
//   limit 10 (Block) container "api" image nginx: DigestRequired: image has no @sha256 digest
//   container "api" image reg/app@sha256:..: facet os: SealInvalid: facet seal signature: ...
//
// Each kind maps to the reason of the Kubernetes Event a denial produces.

#include <optional>
#include <string>
#include <string_view>

#include "facet/model.hpp"

namespace zastava::decision {

enum class ViolationKind {
  kInvalidImage,        // the image reference does not parse
  kDigestRequired,      // no @sha256 digest and the scope requires one
  kSealMissing,         // no seal and the scope requires one
  kSealInvalid,         // a seal that does not verify (or is for another image)
  kFacetQuotaExceeded,  // drift over a Block quota, or a RequireVex quota without VEX
  kProvcacheDenied,     // the provcache decision denies (verdict, trust score, revocation, onMiss)
  kUnavailable,         // a store error or the deadline, under failurePolicy Fail
};

// The Event reason: "InvalidImage", "DigestRequired", "SealMissing",
// "SealInvalid", "FacetQuotaExceeded", "ProvcacheDenied", "AdmissionCheckFailed".
std::string_view event_reason(ViolationKind kind) noexcept;

struct QuotaBreach {
  std::string field;  // "MaxChangedFiles", ...
  double limit = 0;
  double actual = 0;
  facet::QuotaAction action = facet::QuotaAction::kBlock;
};

struct Violation {
  ViolationKind kind = ViolationKind::kInvalidImage;
  std::string container;
  std::string image;     // as written in the pod spec
  std::string facet_id;  // "" when not about one facet
  std::optional<QuotaBreach> quota;
  std::string detail;  // why, for a person; may be empty for quota breaches

  // The one line shown to the user (see above).
  [[nodiscard]] std::string line() const;
};

// "Warn", "RequireVex", "Block".
std::string_view quota_action_name(facet::QuotaAction action) noexcept;
// A quota number as people write it: "12", "12.5", "7.33" (at most 2 decimals).
std::string format_quota_number(double value);

}  // namespace zastava::decision
