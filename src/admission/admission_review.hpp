#pragma once
// Reading the AdmissionReview documents kube-apiserver POSTs to a validating
// webhook (admission.k8s.io/v1, and v1beta1 for old clusters):
//
//   {"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1",
//    "request": {"uid": "...", "kind": {"group": "apps", "version": "v1",
//                "kind": "Deployment"}, "resource": {...}, "subResource": "",
//                "namespace": "shop", "operation": "CREATE",
//                "userInfo": {...}, "object": {...}, "oldObject": null,
//                "dryRun": false, "options": {...}}}
//
// into an AdmissionRequest (admission_request.hpp): the request's fields and
// the workload with its containers, images marked changed or not.
//
// This is the webhook's hot path, so the document is read in one pass with
// simdjson On-Demand: members are matched as they come, in any order; what the
// webhook doesn't need (managedFields, status, env, volumes, ...) is skipped
// without being materialized. Members are matched by their raw JSON name
// (kube-apiserver never escapes the letters of a member name). Values that are
// skipped are checked only structurally (UTF-8, strings, brackets), values
// that are read are checked fully. Duplicate names among the members read are
// errors, so a document cannot read two ways.
//
// A ReviewParser keeps simdjson's buffers between documents, so parsing
// allocates little. It is NOT thread-safe: the webhook keeps one per worker
// thread. The AdmissionRequest it returns owns its strings and outlives the
// parser.

#include <cstddef>
#include <memory>
#include <string_view>

#include "admission/admission_request.hpp"
#include "base/result.hpp"

namespace zastava::admission {

// Limits on what a review may hold. The body cap is kube-apiserver's own
// request limit; the others are far above what a valid object has.
inline constexpr std::size_t kMaxReviewBytes = 3u << 20;
inline constexpr std::size_t kMaxContainersPerObject = 512;
inline constexpr std::size_t kMaxImageBytes = 4096;
inline constexpr std::size_t kMaxStringBytes = 4096;      // uid, names, kinds, label values
inline constexpr std::size_t kMaxMetadataEntries = 4096;  // labels, annotations, groups

class ReviewParser {
 public:
  ReviewParser();
  ~ReviewParser();
  // A moved-from parser may only be assigned to or destroyed.
  ReviewParser(ReviewParser&&) noexcept;
  ReviewParser& operator=(ReviewParser&&) noexcept;
  ReviewParser(const ReviewParser&) = delete;
  ReviewParser& operator=(const ReviewParser&) = delete;

  // Parses one AdmissionReview. Errors (kParse; the webhook answers HTTP 400
  // with the message), each naming the member: an empty body, a body over
  // kMaxReviewBytes, text that is not JSON, a root that is not an object,
  // apiVersion other than admission.k8s.io/v1 or v1beta1, kind other than
  // AdmissionReview, a missing or empty request or request.uid, a missing
  // request.kind or operation, an unknown operation, a member of the wrong
  // JSON type, a duplicate member, a container without name or image, and
  // any limit above exceeded. A request that is valid but not about a
  // workload parses fine, with handled() false.
  Result<AdmissionRequest> parse(std::string_view body);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One-off parse with a fresh parser (tests, tools); the webhook reuses one.
Result<AdmissionRequest> parse_admission_review(std::string_view body);

}  // namespace zastava::admission
