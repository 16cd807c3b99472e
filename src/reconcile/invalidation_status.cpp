// status.invalidations records (see the header).
#include "reconcile/invalidation_status.hpp"

#include <cstddef>
#include <string>

#include "reconcile/json_access.hpp"

namespace zastava::reconcile {
namespace {

constexpr std::size_t kMaxRecords = 256;        // the CRD's maxItems
constexpr std::size_t kMaxSweepRecords = 5;     // TtlSweep records kept
constexpr std::size_t kMaxMessageBytes = 4096;  // the CRD's maxLength

// `text` cut to at most `limit` bytes on a UTF-8 character boundary.
std::string truncate_utf8(std::string text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) --end;
  text.resize(end);
  return text;
}

// Drops older finished TtlSweep records beyond kMaxSweepRecords, then the
// oldest finished records (then the oldest at all) beyond kMaxRecords.
void cap(nlohmann::json& records) {
  std::size_t sweeps = 0;
  for (const nlohmann::json& record : records) {
    if (string_at(record, "reason") == "TtlSweep") ++sweeps;
  }
  for (std::size_t i = 0; i < records.size() && sweeps > kMaxSweepRecords;) {
    if (string_at(records[i], "reason") == "TtlSweep" && is_finished(records[i])) {
      records.erase(i);
      --sweeps;
    } else {
      ++i;
    }
  }
  for (std::size_t i = 0; i < records.size() && records.size() > kMaxRecords;) {
    if (is_finished(records[i])) {
      records.erase(i);
    } else {
      ++i;
    }
  }
  while (records.size() > kMaxRecords) records.erase(0);
}

void set_or_keep(nlohmann::json& record, const char* field, const std::string& value) {
  if (!value.empty()) record[field] = value;
}

}  // namespace

nlohmann::json record_invalidation(const nlohmann::json& invalidations,
                                   const PlannedInvalidation& planned,
                                   const JobObservation& observed) {
  nlohmann::json records = invalidations.is_array() ? invalidations : nlohmann::json::array();
  nlohmann::json* record = nullptr;
  for (nlohmann::json& existing : records) {
    if (string_at(existing, "jobName") == planned.job_name) record = &existing;
  }
  if (record == nullptr) {
    records.push_back(nlohmann::json::object());
    record = &records.back();
  }
  // A finished record stays as it finished (a Job garbage-collected later,
  // ttlSecondsAfterFinished, must not turn it back into Pending); it only
  // gains a missing entriesAffected.
  if (!is_finished(*record)) {
    (*record)["target"] = planned.target;
    (*record)["reason"] = planned.reason;
    (*record)["jobName"] = planned.job_name;
    (*record)["state"] = observed.state.empty() ? std::string("Pending") : observed.state;
    set_or_keep(*record, "startTime", observed.start_time);
    set_or_keep(*record, "completionTime", observed.completion_time);
    set_or_keep(*record, "message", truncate_utf8(observed.message, kMaxMessageBytes));
    if (observed.entries_affected) (*record)["entriesAffected"] = *observed.entries_affected;
  } else if (observed.entries_affected && !record->contains("entriesAffected")) {
    // The Job's Complete condition can be seen before its Pod's termination
    // message: the count may still arrive.
    (*record)["entriesAffected"] = *observed.entries_affected;
  }
  cap(records);
  return records;
}

const nlohmann::json* find_invalidation(const nlohmann::json& invalidations,
                                        std::string_view job_name) {
  if (!invalidations.is_array()) return nullptr;
  for (const nlohmann::json& record : invalidations) {
    if (string_at(record, "jobName") == job_name) return &record;
  }
  return nullptr;
}

bool is_finished(const nlohmann::json& record) {
  const std::string state = string_at(record, "state");
  return state == "Succeeded" || state == "Failed";
}

}  // namespace zastava::reconcile
