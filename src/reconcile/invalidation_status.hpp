#pragma once
// status.invalidations of a ProvcachePolicy: one record per invalidation
// (target, reason, state, jobName, entriesAffected, startTime,
// completionTime, message), oldest first, keyed by jobName.
//
// Kept within the CRD's limits: TTL sweeps keep only their latest 5 records
// (older finished sweeps are dropped; an unfinished one stays); beyond 256
// records the oldest finished ones go first, then the oldest at all; a
// message is cut to 4096 bytes (on a UTF-8 boundary).

#include <nlohmann/json.hpp>
#include <string_view>

#include "reconcile/invalidation_job.hpp"
#include "reconcile/invalidation_plan.hpp"

namespace zastava::reconcile {

// `invalidations` (array or null) with the record for `planned` created or
// updated from `observed` (state Pending when no Job has been seen yet). A
// finished record keeps its state and times and only gains a missing
// entriesAffected (the Pod's termination message can come after the Job's
// Complete condition).
nlohmann::json record_invalidation(const nlohmann::json& invalidations,
                                   const PlannedInvalidation& planned,
                                   const JobObservation& observed);

// The record with this jobName, or null.
const nlohmann::json* find_invalidation(const nlohmann::json& invalidations,
                                        std::string_view job_name);

// True once the record is Succeeded or Failed (no more Job watching needed).
bool is_finished(const nlohmann::json& record);

}  // namespace zastava::reconcile
