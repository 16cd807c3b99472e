#pragma once
// What happens to a decision after the answer is written, off the critical
// path: one structured JSON log line per decision, the audit record (to the
// audit log file, or the log), and the outcome's Kubernetes Events handed to
// the asynchronous EventRecorder (queued, never waited for). Without a
// Kubernetes API the Events are logged instead, and the start-up log says so.
//
// dryRun requests have no side effects: their Events are neither sent nor
// queued (the log line and audit record still say what was decided).
//
// Thread-safe: worker threads report concurrently.

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "admission/admission_request.hpp"
#include "base/result.hpp"
#include "decision/outcome.hpp"

namespace spdlog {
class logger;
}
namespace zastava::kube {
class EventRecorder;
}

namespace zastava::webhook {

class DecisionReporter {
 public:
  // `events` may be null (no Kubernetes API); it must outlive the reporter.
  // `audit_log_path` empty: audit records go to `logger`.
  static Result<std::unique_ptr<DecisionReporter>> create(std::shared_ptr<spdlog::logger> logger,
                                                          kube::EventRecorder* events,
                                                          const std::string& audit_log_path);
  ~DecisionReporter();
  DecisionReporter(const DecisionReporter&) = delete;
  DecisionReporter& operator=(const DecisionReporter&) = delete;

  void report(const admission::AdmissionRequest& request, const decision::AdmissionOutcome& outcome,
              double seconds);

 private:
  DecisionReporter(std::shared_ptr<spdlog::logger> logger, kube::EventRecorder* events,
                   std::FILE* audit_file);
  void write_audit(const std::string& record);
  void send_events(const admission::AdmissionRequest& request,
                   const decision::AdmissionOutcome& outcome);

  std::shared_ptr<spdlog::logger> logger_;
  kube::EventRecorder* events_;
  std::mutex audit_mutex_;
  std::FILE* audit_file_;  // owned; null: the log
};

}  // namespace zastava::webhook
