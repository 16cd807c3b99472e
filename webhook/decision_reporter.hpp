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
// The audit file is written by a support::LineWriter thread, in batches, not
// by the worker threads. Its queue is bounded (16 MiB): when the disk falls
// that far behind, records are dropped rather than the admissions stalled,
// never silently: each drop counts in audit_records_dropped_total, and the
// next record that gets through is followed by a warning in the log with the
// number lost. stop() (and the destructor) writes what is queued.
//
// Thread-safe: worker threads report concurrently.

#include <memory>
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
namespace zastava::metrics {
class Counter;
class Registry;
}  // namespace zastava::metrics
namespace zastava::support {
class LineWriter;
}

namespace zastava::webhook {

class DecisionReporter {
 public:
  // `events` may be null (no Kubernetes API); it must outlive the reporter.
  // `audit_log_path` empty: audit records go to `logger`. `registry` (may
  // be null) gets audit_records_dropped_total.
  static Result<std::unique_ptr<DecisionReporter>> create(std::shared_ptr<spdlog::logger> logger,
                                                          kube::EventRecorder* events,
                                                          const std::string& audit_log_path,
                                                          metrics::Registry* registry = nullptr);
  ~DecisionReporter();
  DecisionReporter(const DecisionReporter&) = delete;
  DecisionReporter& operator=(const DecisionReporter&) = delete;

  void report(const admission::AdmissionRequest& request, const decision::AdmissionOutcome& outcome,
              double seconds);

 private:
  DecisionReporter(std::shared_ptr<spdlog::logger> logger, kube::EventRecorder* events,
                   std::unique_ptr<support::LineWriter> audit_file,
                   metrics::Counter* audit_dropped);
  void write_audit(const std::string& record);
  void send_events(const admission::AdmissionRequest& request,
                   const decision::AdmissionOutcome& outcome);

  std::shared_ptr<spdlog::logger> logger_;
  kube::EventRecorder* events_;
  std::unique_ptr<support::LineWriter> audit_file_;  // null: the log
  metrics::Counter* audit_dropped_;                  // null without a registry
};

}  // namespace zastava::webhook
