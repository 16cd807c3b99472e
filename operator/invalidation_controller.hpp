#pragma once
// InvalidationController: ProvcachePolicy → invalidation Jobs, and the Jobs'
// outcomes → the policy's status.invalidations.
//
// Reconciling one policy key ("namespace/name"), level-triggered, for the
// active ProvcachePolicy only (reconcile/provcache_policy_compiler.hpp: the
// oldest valid one in the operator's namespace; others change nothing):
//   1. plan (reconcile/invalidation_plan.hpp) from the policy as the API
//      server has it now (one GET: the informer's copy may not show the
//      status this controller wrote a moment ago, and what is recorded
//      there decides what is planned);
//   2. for each planned invalidation not yet recorded: create its Job
//      (reconcile/invalidation_job.hpp; 409 AlreadyExists counts as created,
//      which is what makes restarts and retries safe) and record it Pending;
//      an Embedded store records it Succeeded without a Job;
//   3. for each recorded, unfinished one (or a Succeeded one still without
//      entriesAffected): observe its Job (and the Job's Pods, for
//      entriesAffected) from the informers and update the record; a Job
//      Complete before its Pod's termination message is seen stays Running
//      until the count is read or 60 s have passed since it completed; an
//      unfinished record whose Job is gone from the API (deleted before it
//      finished) is Failed;
//   4. write status.invalidations and status.appliedPolicyHash with one merge
//      patch of the status subresource, only when they changed;
//   5. Events on the policy: InvalidationStarted (Normal),
//      InvalidationSucceeded (Normal, with the entries affected),
//      InvalidationFailed (Warning, with the Job's message).
// A deleted policy needs nothing: its Jobs are garbage-collected through
// their owner reference. The TTL sweep comes back through requeue_after
// (Postgres stores; a ttl_sweep_interval of 0 turns sweeps off).

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "controller/informer.hpp"
#include "controller/work_queue.hpp"
#include "kube/client.hpp"
#include "kube/event_recorder.hpp"
#include "reconcile/invalidation_plan.hpp"
#include "reconcile/operator_settings.hpp"

namespace zastava::operator_app {

struct InvalidationInformers {
  controller::Informer& provcache_policies;  // all namespaces
  controller::Informer& jobs;                // operator namespace, managed-by label
  controller::Informer& pods;                // operator namespace, managed-by label
};

struct ReconcileResult {
  // Run again after this long even without a change (the next TTL sweep).
  std::optional<std::chrono::milliseconds> requeue_after;
};

class InvalidationController {
 public:
  InvalidationController(kube::Client& client, InvalidationInformers informers,
                         const reconcile::OperatorSettings& settings, kube::EventRecorder& events);

  // Adds informer handlers that put the affected policy's key into `queue`
  // (a policy's own changes when its generation changes or it is created; a
  // Job's or Pod's changes through the policy label). Call before the
  // informers start.
  void enqueue_changes_into(controller::WorkQueue& queue);

  // Errors (API failures) make the caller requeue the key with backoff.
  Result<ReconcileResult> reconcile(std::string_view key);

 private:
  [[nodiscard]] bool is_active(const nlohmann::json& policy) const;
  // True when created, false when it already existed.
  Result<bool> create_job(const nlohmann::json& policy,
                          const reconcile::PlannedInvalidation& planned);
  // True when the API server has no such Job (deleted before it finished).
  Result<bool> job_vanished(const std::string& ns, const std::string& job_name);
  // Events for a record whose state changed from `before` to `after`.
  void report(const nlohmann::json& policy, const nlohmann::json& before,
              const nlohmann::json& after);

  kube::Client& client_;
  InvalidationInformers informers_;
  const reconcile::OperatorSettings& settings_;
  kube::EventRecorder& events_;
};

}  // namespace zastava::operator_app
