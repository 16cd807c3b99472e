#include "admission_endpoint.hpp"

#include <string>

#include "admission/admission_response.hpp"
#include "admission/admission_review.hpp"
#include "decision/decider.hpp"
#include "decision_reporter.hpp"
#include "metrics/registry.hpp"

namespace zastava::webhook {
namespace {

const std::vector<double> kDurationBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                              0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                              1,      2.5,     5,      10};

std::int64_t unix_seconds_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

metrics::Counter& result_counter(metrics::Registry& registry, const char* result) {
  return registry.counter("admission_reviews_total", "AdmissionReviews answered, by result",
                          {{"result", result}});
}

char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

bool is_json_content_type(std::string_view value) noexcept {
  constexpr std::string_view kJson = "application/json";
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (value.size() < kJson.size()) return false;
  for (std::size_t i = 0; i < kJson.size(); ++i) {
    if (ascii_lower(value[i]) != kJson[i]) return false;
  }
  const std::string_view rest = value.substr(kJson.size());
  return rest.empty() || rest.front() == ';' || rest.front() == ' ';
}

AdmissionEndpoint::AdmissionEndpoint(PolicySource policy, decision::Decider& decider,
                                     DecisionReporter& reporter,
                                     std::chrono::milliseconds request_deadline,
                                     metrics::Registry& registry)
    : policy_(std::move(policy)),
      decider_(decider),
      reporter_(reporter),
      request_deadline_(request_deadline),
      duration_(registry.histogram("admission_review_duration_seconds",
                                   "Time to decide one AdmissionReview (parse to answer)",
                                   kDurationBuckets)),
      allowed_(result_counter(registry, "allowed")),
      denied_(result_counter(registry, "denied")),
      bad_request_(result_counter(registry, "bad_request")),
      unavailable_(result_counter(registry, "unavailable")),
      error_(result_counter(registry, "error")) {}

http::Response AdmissionEndpoint::count(metrics::Counter& counter, http::Response response) {
  counter.inc();
  return response;
}

http::Response AdmissionEndpoint::validate(const http::Request& request) {
  const auto started = std::chrono::steady_clock::now();
  const auto content_type = request.header("content-type");
  if (!content_type || !is_json_content_type(*content_type)) {
    return count(bad_request_,
                 http::error_response(400, "Content-Type must be application/json, got '" +
                                               std::string(content_type.value_or("")) + "'"));
  }
  // One parser per worker thread: it keeps its buffers between documents.
  thread_local admission::ReviewParser parser;
  Result<admission::AdmissionRequest> parsed = parser.parse(request.body);
  if (!parsed) {
    return count(bad_request_, http::error_response(400, parsed.error().message));
  }
  const std::shared_ptr<const policy::CompiledPolicy> policy = policy_();
  if (!policy) {
    return count(unavailable_, http::error_response(503, "no valid policy is loaded yet"));
  }
  const decision::DecisionTime time{.now_seconds = unix_seconds_now(),
                                    .deadline = started + request_deadline_};
  const decision::AdmissionOutcome outcome = decider_.decide(*parsed, *policy, time);
  http::Response response;
  const Status written = admission::append_admission_review(response.body, parsed->version,
                                                            outcome.to_response(parsed->uid));
  if (!written) {
    return count(error_, http::error_response(
                             500, "cannot write the AdmissionReview: " + written.error().message));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  duration_.observe(seconds);
  reporter_.report(*parsed, outcome, seconds);
  return count(outcome.allowed ? allowed_ : denied_, std::move(response));
}

}  // namespace zastava::webhook
