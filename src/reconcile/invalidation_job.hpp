#pragma once
// The batch/v1 Job that carries out one planned invalidation, and what its
// state is once Kubernetes has run it.
//
// The Job, in the policy's namespace, owned by the policy (ownerReferences,
// controller: true, so deleting the policy garbage-collects its Jobs),
// labelled app.kubernetes.io/managed-by=zastava-operator and
// zastava.stellaops.io/provcache-policy=<name>, runs one container:
//   stella prov invalidate --by <kind> [--value V] --reason <reason>
//       --actor zastava-operator --result-file /dev/termination-log
//       --postgres $(ZASTAVA_POSTGRES_URL) [--valkey $(ZASTAVA_VALKEY_URL)]
// with the URLs from the policy's store Secrets (env valueFrom.secretKeyRef,
// key "url" unless the ref names one; Kubernetes expands $(VAR) in the
// command, so every "$" of policy text is doubled: a feed epoch can never
// read the Secrets), backoffLimit, activeDeadlineSeconds and
// ttlSecondsAfterFinished from the settings, restartPolicy Never, no
// service-account token, a non-root (uid 65532) read-only security context
// dropping every capability, RuntimeDefault seccomp, small requests and
// limits. The policy label is left out for names over 63 characters (label
// values cannot hold them); the owner reference always names the policy.
//
// `stella prov invalidate --result-file` writes the revocation record (JSON,
// with entriesAffected) there, so it reaches the operator as the container's
// termination message in the Pod's status.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "reconcile/invalidation_plan.hpp"
#include "reconcile/operator_settings.hpp"

namespace zastava::reconcile {

nlohmann::json invalidation_job(const nlohmann::json& provcache_policy,
                                const PlannedInvalidation& invalidation,
                                const OperatorSettings& settings);

struct JobObservation {
  std::string state;            // Pending, Running, Succeeded, Failed (the CRD's enum)
  std::string start_time;       // RFC 3339 or ""
  std::string completion_time;  // RFC 3339 or ""
  std::string message;          // the Failed condition's reason: message
  std::optional<std::int64_t> entries_affected;  // from a pod's termination message
};

// From the Job's status and its Pods:
//   condition Complete=True → Succeeded; Failed=True → Failed (message
//   "reason: message", completion_time the condition's lastTransitionTime);
//   else active > 0 or startTime → Running; else Pending.
// entries_affected: among the Pods labelled job-name=<job> (or
// batch.kubernetes.io/job-name), the first terminated container whose
// termination message is a JSON object with a non-negative integer
// entriesAffected (the revocation record or its shortened form), one that
// exited 0 first: a failed attempt's message is its log tail.
JobObservation observe_job(const nlohmann::json& job, const std::vector<nlohmann::json>& pods);

}  // namespace zastava::reconcile
