// InvalidationController (see the header): plan, create Jobs, follow them,
// write status.invalidations.
#include "invalidation_controller.hpp"

#include <spdlog/spdlog.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/utc_time.hpp"
#include "kube/api_error.hpp"
#include "provcache/decision_digest.hpp"
#include "reconcile/invalidation_job.hpp"
#include "reconcile/invalidation_plan.hpp"
#include "reconcile/invalidation_status.hpp"
#include "reconcile/json_access.hpp"
#include "reconcile/provcache_policy_compiler.hpp"

namespace zastava::operator_app {
namespace {

using reconcile::member;
using reconcile::string_at;

using nlohmann::json;

const kube::ResourceRef kJobs{"batch", "v1", "jobs", "", ""};
const kube::ResourceRef kProvcachePolicies{"zastava.stellaops.io", "v1alpha1", "provcachepolicies",
                                           "", ""};
constexpr std::string_view kPolicyLabel = "zastava.stellaops.io/provcache-policy";
constexpr std::chrono::seconds kCountGrace{60};
constexpr std::string_view kEmbeddedMessage =
    "Embedded store: each webhook replica holds its own cache, out of a Job's reach; the "
    "webhook stops serving these decisions from the compiled policy";

std::int64_t generation_of(const controller::ObjectPtr& object) {
  if (!object) return -1;
  const json& generation = member(member(*object, "metadata"), "generation");
  return generation.is_number_integer() ? generation.get<std::int64_t>() : 0;
}

// "namespace/name" of the ProvcachePolicy controlling `object`, or "".
std::string owner_policy_key(const json& object) {
  const json& metadata = member(object, "metadata");
  const json& owners = member(metadata, "ownerReferences");
  if (!owners.is_array()) return {};
  for (const json& owner : owners) {
    if (string_at(owner, "kind") == "ProvcachePolicy" &&
        string_at(owner, "apiVersion").starts_with("zastava.stellaops.io/")) {
      return string_at(metadata, "namespace") + "/" + string_at(owner, "name");
    }
  }
  return {};
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

kube::ObjectRef regarding(const json& policy) {
  const json& metadata = member(policy, "metadata");
  return {"zastava.stellaops.io/v1alpha1", "ProvcachePolicy", string_at(metadata, "namespace"),
          string_at(metadata, "name"), string_at(metadata, "uid")};
}

// The planned invalidation a status record stands for (enough to update it).
reconcile::PlannedInvalidation planned_from(const json& record) {
  reconcile::PlannedInvalidation planned;
  planned.target = string_at(record, "target");
  planned.reason = string_at(record, "reason");
  planned.job_name = string_at(record, "jobName");
  return planned;
}

// A Succeeded observation without entriesAffected whose Job completed less
// than kCountGrace ago: the Pod's termination message may still be coming.
bool awaiting_count(const reconcile::JobObservation& observed, std::int64_t now) {
  if (observed.state != "Succeeded" || observed.entries_affected) return false;
  const auto completed = provcache::parse_utc_time(observed.completion_time);
  return completed && now - *completed < kCountGrace.count();
}

}  // namespace

InvalidationController::InvalidationController(kube::Client& client,
                                               InvalidationInformers informers,
                                               const reconcile::OperatorSettings& settings,
                                               kube::EventRecorder& events)
    : client_(client), informers_(informers), settings_(settings), events_(events) {}

void InvalidationController::enqueue_changes_into(controller::WorkQueue& queue) {
  informers_.provcache_policies.on_change([&queue](const controller::ObjectChange& change) {
    // Only creation and spec changes: the controller's own status writes
    // must not loop back. Deletion needs nothing (owner references).
    if (change.type == controller::ObjectChange::Type::kAdded ||
        (change.type == controller::ObjectChange::Type::kUpdated &&
         generation_of(change.object) != generation_of(change.old_object))) {
      queue.add(change.key);
    }
  });
  informers_.jobs.on_change([&queue](const controller::ObjectChange& change) {
    if (!change.object) return;
    if (std::string key = owner_policy_key(*change.object); !key.empty()) queue.add(key);
  });
  informers_.pods.on_change([this, &queue](const controller::ObjectChange& change) {
    if (!change.object) return;
    const json& metadata = member(*change.object, "metadata");
    const json& labels = member(metadata, "labels");
    const std::string ns = string_at(metadata, "namespace");
    if (std::string policy = string_at(labels, kPolicyLabel); !policy.empty()) {
      queue.add(ns + "/" + policy);
      return;
    }
    std::string job_name = string_at(labels, "batch.kubernetes.io/job-name");
    if (job_name.empty()) job_name = string_at(labels, "job-name");
    if (job_name.empty()) return;
    if (const auto job = informers_.jobs.get(ns + "/" + job_name)) {
      if (std::string key = owner_policy_key(*job); !key.empty()) queue.add(key);
    }
  });
}

bool InvalidationController::is_active(const json& policy) const {
  if (string_at(member(policy, "metadata"), "namespace") != settings_.operator_namespace) {
    return false;
  }
  std::vector<json> policies;
  informers_.provcache_policies.for_each(
      [&policies](json cached) { policies.push_back(std::move(cached)); });
  const auto selection = reconcile::select_provcache_policy(policies, settings_);
  const std::string name = string_at(member(policy, "metadata"), "name");
  for (const auto& outcome : selection.outcomes) {
    if (outcome.included && outcome.key.namespace_name == settings_.operator_namespace &&
        outcome.key.name == name) {
      return true;
    }
  }
  return false;
}

Result<bool> InvalidationController::create_job(const json& policy,
                                                const reconcile::PlannedInvalidation& planned) {
  const std::string ns = string_at(member(policy, "metadata"), "namespace");
  auto created =
      client_.create(kJobs.in(ns), reconcile::invalidation_job(policy, planned, settings_));
  if (created) return true;
  // The name comes from the request: a Job that exists is this one,
  // created by an earlier attempt or before a restart.
  if (kube::is_already_exists(created.error())) return false;
  return created.error().with_context("creating Job " + ns + "/" + planned.job_name);
}

Result<bool> InvalidationController::job_vanished(const std::string& ns,
                                                  const std::string& job_name) {
  auto job = client_.get(kJobs.in(ns).named(job_name));
  if (job) return false;
  if (kube::is_not_found(job.error())) return true;
  return job.error().with_context("reading Job " + ns + "/" + job_name);
}

void InvalidationController::report(const json& policy, const json& before, const json& after) {
  const std::string state = string_at(after, "state");
  if (state == string_at(before, "state")) return;
  const std::string job = string_at(after, "jobName");
  const std::string what = string_at(after, "target") + " (" + string_at(after, "reason") + ")";
  if (state == "Succeeded") {
    const json& entries = member(after, "entriesAffected");
    std::string note = "invalidated " + what;
    if (entries.is_number_integer()) note += ": " + entries.dump() + " entries removed";
    if (const std::string message = string_at(after, "message"); !message.empty()) {
      note += "; " + message;
    }
    events_.record({regarding(policy), "Normal", "InvalidationSucceeded", "Invalidate", note});
  } else if (state == "Failed") {
    events_.record(
        {regarding(policy), "Warning", "InvalidationFailed", "Invalidate",
         "Job " + job + " invalidating " + what + " failed: " + string_at(after, "message")});
  }
}

Result<ReconcileResult> InvalidationController::reconcile(std::string_view key) {
  const controller::ObjectPtr cached = informers_.provcache_policies.get(key);
  if (!cached || !is_active(*cached)) return ReconcileResult{};
  const json& cached_metadata = member(*cached, "metadata");
  const std::string ns = string_at(cached_metadata, "namespace");
  const std::string name = string_at(cached_metadata, "name");

  // The status as written last, not as the cache may still have it: what
  // is recorded there decides what is planned.
  auto fresh = client_.get(kProvcachePolicies.in(ns).named(name));
  if (!fresh) {
    if (kube::is_not_found(fresh.error())) return ReconcileResult{};
    return fresh.error().with_context("reading ProvcachePolicy " + std::string(key));
  }
  const json& policy = *fresh;
  const json& status = member(policy, "status");
  const std::int64_t now = now_seconds();
  json records =
      member(status, "invalidations").is_array() ? member(status, "invalidations") : json::array();

  // 2. Jobs for what is planned and not yet recorded.
  std::set<std::string, std::less<>> planned_now;
  for (const reconcile::PlannedInvalidation& planned :
       reconcile::plan_invalidations(policy, settings_, now)) {
    reconcile::JobObservation observed;
    if (planned.needs_job) {
      auto created = create_job(policy, planned);
      if (!created) return created.error();
      if (*created) {
        spdlog::info("invalidation Job {}/{} created for {}", ns, planned.job_name, key);
        events_.record({regarding(policy), "Normal", "InvalidationStarted", "Invalidate",
                        "Job " + planned.job_name + " invalidates " + planned.target + " (" +
                            planned.reason + ")"});
      }
    } else {
      observed.state = "Succeeded";
      observed.start_time = format_rfc3339_utc(now, false);
      observed.completion_time = observed.start_time;
      observed.message = std::string(kEmbeddedMessage);
    }
    records = reconcile::record_invalidation(records, planned, observed);
    if (const json* after = reconcile::find_invalidation(records, planned.job_name)) {
      report(policy, json::object(), *after);
    }
    planned_now.insert(planned.job_name);
  }

  // 3. Follow the Jobs of unfinished records (and a finished one still
  // waiting for its Pod's count).
  bool waiting = false;
  for (const json& record : json(records)) {
    const std::string job_name = string_at(record, "jobName");
    const bool waiting_for_count =
        string_at(record, "state") == "Succeeded" && !record.contains("entriesAffected");
    if (reconcile::is_finished(record) && !waiting_for_count) continue;
    const controller::ObjectPtr job = informers_.jobs.get(ns + "/" + job_name);
    if (!job) {
      // Not in the cache: created a moment ago (its event brings the key
      // back), or deleted before it finished, which only the API knows.
      if (reconcile::is_finished(record) || planned_now.contains(job_name)) continue;
      auto vanished = job_vanished(ns, job_name);
      if (!vanished) return vanished.error();
      if (!*vanished) continue;
      reconcile::JobObservation gone;
      gone.state = "Failed";
      gone.completion_time = format_rfc3339_utc(now, false);
      gone.message = "Job " + job_name + " was deleted before it finished";
      records = reconcile::record_invalidation(records, planned_from(record), gone);
      if (const json* after = reconcile::find_invalidation(records, job_name)) {
        report(policy, record, *after);
      }
      continue;
    }
    std::vector<json> pods;
    for (const auto& pod : informers_.pods.list()) {
      if (string_at(member(*pod, "metadata"), "namespace") == ns) pods.push_back(*pod);
    }
    reconcile::JobObservation observed = reconcile::observe_job(*job, pods);
    if (awaiting_count(observed, now)) {
      // Kubernetes may report the Job Complete before the Pod's termination
      // message reaches the informer: hold the record (and its Event) until
      // the count is read, or kCountGrace after completion without one.
      observed.state = "Running";
      observed.completion_time.clear();
      waiting = true;
    }
    records = reconcile::record_invalidation(records, planned_from(record), observed);
    if (const json* after = reconcile::find_invalidation(records, job_name)) {
      report(policy, record, *after);
    }
  }

  // 4. One status write, only when something changed.
  json patch = json::object();
  if (records != member(status, "invalidations")) patch["invalidations"] = records;
  const std::string policy_hash = string_at(member(policy, "spec"), "policyHash");
  if (!policy_hash.empty() && policy_hash != string_at(status, "appliedPolicyHash")) {
    patch["appliedPolicyHash"] = policy_hash;
  }
  if (!patch.empty()) {
    auto patched = client_.merge_patch(kProvcachePolicies.in(ns).named(name),
                                       {{"status", std::move(patch)}}, "status");
    if (!patched) return patched.error().with_context("writing the status of " + std::string(key));
  }

  // The next TTL sweep, or sooner the end of a wait for a count.
  ReconcileResult result;
  const std::int64_t interval = settings_.ttl_sweep_interval.count();
  if (interval > 0 && string_at(member(member(policy, "spec"), "store"), "type") == "Postgres") {
    const std::int64_t into_bucket = ((now % interval) + interval) % interval;
    result.requeue_after = std::chrono::seconds(interval - into_bucket + 1);
  }
  if (waiting && (!result.requeue_after || *result.requeue_after > kCountGrace)) {
    result.requeue_after = std::chrono::duration_cast<std::chrono::milliseconds>(kCountGrace);
  }
  return result;
}

}  // namespace zastava::operator_app
