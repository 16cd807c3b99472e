#pragma once
// The webhook's answer: an AdmissionReview carrying an AdmissionResponse, in
// the apiVersion the request came in (v1 or v1beta1):
//
//   {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
//    "response": {"uid": "<the request's uid>", "allowed": false,
//                 "status": {"code": 403, "reason": "Forbidden",
//                            "message": "one line per violation"},
//                 "warnings": ["..."], "auditAnnotations": {"verikey": "..."}}}
//
// `status` is written for denials only. Warnings are shown by kubectl as
// "Warning: <text>", one per line, so each is made one short line: control
// characters (newlines included) become spaces, and a warning longer than
// kMaxWarningBytes is cut at a character boundary and ends in "...". At most
// kMaxWarnings are sent; beyond that the last one says how many were left
// out. Empty warnings are dropped. Audit annotation keys are short names (the
// API server stores them as "<webhook name>/<key>"); values are strings.
//
// The JSON is written directly (no intermediate tree), with the escaping of
// json_writer.hpp, so the output is valid JSON whatever the strings hold.

#include <string>
#include <string_view>
#include <vector>

#include "admission/admission_request.hpp"
#include "base/result.hpp"

namespace zastava::admission {

inline constexpr std::size_t kMaxWarnings = 32;
inline constexpr std::size_t kMaxWarningBytes = 256;
// A key must make "<webhook name>/<key>" a Kubernetes qualified name, whose
// name part is at most 63 characters of [A-Za-z0-9-_.], alphanumeric at both ends.
inline constexpr std::size_t kMaxAuditAnnotationKeyBytes = 63;

struct AdmissionResponse {
  std::string uid;  // the request's uid, echoed
  bool allowed = true;
  // For denials only.
  int status_code = 403;
  std::string status_reason = "Forbidden";
  std::string status_message;  // one line per violation
  std::vector<std::string> warnings;
  StringPairs audit_annotations;  // short key -> value, written in this order

  static AdmissionResponse allow(std::string uid);
  static AdmissionResponse deny(std::string uid, std::string message);
};

// `text` as one warning line: control characters replaced by spaces,
// surrounding spaces trimmed, cut to kMaxWarningBytes (ending in "...")
// without splitting a UTF-8 sequence.
std::string warning_line(std::string_view text);

// The whole AdmissionReview, appended to `out` (a buffer the caller may
// reuse). kInvalidArgument, leaving `out` as it was, when the uid is empty, a
// denial's status code is not 400-599, or an audit annotation key is empty,
// too long, not of the allowed characters, or repeated.
Status append_admission_review(std::string& out, ReviewVersion version,
                               const AdmissionResponse& response);
Result<std::string> write_admission_review(ReviewVersion version,
                                           const AdmissionResponse& response);

}  // namespace zastava::admission
