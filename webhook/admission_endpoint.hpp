#pragma once
// POST /validate: one AdmissionReview in, one AdmissionReview out.
//
//   1. Content-Type must be application/json (parameters allowed): else 400.
//   2. The body is parsed by this worker thread's admission::ReviewParser
//      (kept between requests, not thread-safe, so one per thread): a body
//      that is not an AdmissionReview is 400 with the parser's reason.
//   3. Without a loaded policy the webhook cannot decide: 503 (the
//      ValidatingWebhookConfiguration's failurePolicy then applies).
//   4. decision::Decider::decide() with the per-request deadline (requests
//      not about a workload are allowed by it, unchecked).
//   5. The answer, in the request's apiVersion, echoes its uid.
//   6. DecisionReporter logs it, writes the audit record and queues Events.
//
// Metrics: admission_reviews_total{result="allowed|denied|bad_request|unavailable"},
// admission_review_duration_seconds.

#include <chrono>
#include <functional>
#include <memory>

#include "http/message.hpp"

namespace zastava::metrics {
class Registry;
class Counter;
class Histogram;
}  // namespace zastava::metrics
namespace zastava::policy {
struct CompiledPolicy;
}
namespace zastava::decision {
class Decider;
}

namespace zastava::webhook {

class DecisionReporter;

using PolicySource = std::function<std::shared_ptr<const policy::CompiledPolicy>()>;

class AdmissionEndpoint {
 public:
  // Everything referenced must outlive the endpoint.
  AdmissionEndpoint(PolicySource policy, decision::Decider& decider, DecisionReporter& reporter,
                    std::chrono::milliseconds request_deadline, metrics::Registry& registry);

  http::Response validate(const http::Request& request);

 private:
  static http::Response count(metrics::Counter& counter, http::Response response);

  PolicySource policy_;
  decision::Decider& decider_;
  DecisionReporter& reporter_;
  std::chrono::milliseconds request_deadline_;
  metrics::Histogram& duration_;
  // admission_reviews_total by result, looked up once (the registry takes a lock).
  metrics::Counter& allowed_;
  metrics::Counter& denied_;
  metrics::Counter& bad_request_;
  metrics::Counter& unavailable_;
  metrics::Counter& error_;
};

// Whether a Content-Type header value is JSON ("application/json; charset=utf-8").
bool is_json_content_type(std::string_view value) noexcept;

}  // namespace zastava::webhook
