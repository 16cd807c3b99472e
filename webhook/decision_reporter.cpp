#include "decision_reporter.hpp"

#include <spdlog/spdlog.h>

#include "admission/json_writer.hpp"
#include "kube/event_recorder.hpp"
#include "metrics/registry.hpp"
#include "support/logging.hpp"

namespace zastava::webhook {
namespace {

constexpr std::size_t kAuditQueueBytes = 16u << 20;

kube::EventSpec to_kube_event(const decision::EventSpec& event) {
  return kube::EventSpec{.regarding = {.api_version = event.regarding.api_version,
                                       .kind = event.regarding.kind,
                                       .namespace_ = event.regarding.namespace_name,
                                       .name = event.regarding.name,
                                       .uid = {}},
                         .type = event.type,
                         .reason = event.reason,
                         .action = event.action,
                         .note = event.note};
}

// The one-line summary of a decision (the audit record carries the rest),
// written directly: it runs for every admission, and building an nlohmann
// tree for it cost more than the decision itself.
void append_member(std::string& out, std::string_view name, std::string_view value) {
  out += ',';
  admission::append_json_string(out, name);
  out += ':';
  admission::append_json_string(out, value);
}

void append_number(std::string& out, std::string_view name, std::string_view number) {
  out += ',';
  admission::append_json_string(out, name);
  out += ':';
  out += number;
}

std::string decision_line(const admission::AdmissionRequest& request,
                          const decision::AdmissionOutcome& outcome, double seconds) {
  std::string line;
  line.reserve(256 + outcome.denial_message.size());
  line += R"({"event":"admission")";
  append_member(line, "uid", request.uid);
  append_member(line, "operation", admission::to_string(request.operation));
  append_member(line, "kind", request.kind.kind);
  append_member(line, "namespace", request.namespace_name);
  append_member(line, "name", request.name);
  append_number(line, "dryRun", request.dry_run ? "true" : "false");
  append_member(line, "user", request.user_info.username);
  append_number(line, "allowed", outcome.allowed ? "true" : "false");
  append_number(line, "images", std::to_string(outcome.images.size()));
  append_number(line, "warnings", std::to_string(outcome.warnings.size()));
  append_number(line, "events", std::to_string(outcome.events.size()));
  append_number(line, "seconds", fmt::format("{:.6f}", seconds));
  if (!outcome.allowed) append_member(line, "message", outcome.denial_message);
  line += '}';
  return line;
}

}  // namespace

Result<std::unique_ptr<DecisionReporter>> DecisionReporter::create(
    std::shared_ptr<spdlog::logger> logger, kube::EventRecorder* events,
    const std::string& audit_log_path, metrics::Registry* registry) {
  std::unique_ptr<support::LineWriter> audit_file;
  if (!audit_log_path.empty()) {
    auto opened =
        support::LineWriter::open_file(audit_log_path, {.max_pending_bytes = kAuditQueueBytes});
    if (!opened) return opened.error().with_context("audit log");
    audit_file = std::move(*opened);
  }
  metrics::Counter* dropped =
      registry == nullptr
          ? nullptr
          : &registry->counter("audit_records_dropped_total",
                               "Audit records lost because the audit log writer fell behind");
  return std::unique_ptr<DecisionReporter>(
      new DecisionReporter(std::move(logger), events, std::move(audit_file), dropped));
}

DecisionReporter::DecisionReporter(std::shared_ptr<spdlog::logger> logger,
                                   kube::EventRecorder* events,
                                   std::unique_ptr<support::LineWriter> audit_file,
                                   metrics::Counter* audit_dropped)
    : logger_(std::move(logger)),
      events_(events),
      audit_file_(std::move(audit_file)),
      audit_dropped_(audit_dropped) {}

DecisionReporter::~DecisionReporter() = default;

void DecisionReporter::report(const admission::AdmissionRequest& request,
                              const decision::AdmissionOutcome& outcome, double seconds) {
  logger_->info(decision_line(request, outcome, seconds));  // a string: not formatted again
  if (!outcome.audit_record_json.empty()) write_audit(outcome.audit_record_json);
  if (!request.dry_run) send_events(request, outcome);
}

void DecisionReporter::write_audit(const std::string& record) {
  if (audit_file_ == nullptr) {
    logger_->info("audit {}", record);
    return;
  }
  if (!audit_file_->write_line(record)) {
    if (audit_dropped_ != nullptr) audit_dropped_->inc();
    return;
  }
  if (const std::uint64_t lost = audit_file_->take_unreported_drops(); lost != 0) {
    logger_->warn("audit log: {} records dropped (the audit writer fell behind)", lost);
  }
}

void DecisionReporter::send_events(const admission::AdmissionRequest& request,
                                   const decision::AdmissionOutcome& outcome) {
  for (const auto& event : outcome.events) {
    if (events_ == nullptr) {
      logger_->warn("event (no Kubernetes API, not sent) {} {} {}/{}: {}", event.reason,
                    event.regarding.kind, event.regarding.namespace_name, event.regarding.name,
                    event.note);
      continue;
    }
    if (!events_->record(to_kube_event(event))) {
      logger_->warn("event dropped (queue full) {} for request {}", event.reason, request.uid);
    }
  }
}

}  // namespace zastava::webhook
