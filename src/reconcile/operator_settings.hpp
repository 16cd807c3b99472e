#pragma once
// What the operator is told at start-up that shapes the compiled policy and
// the Jobs it runs (flags of zastava-operator; the chart sets them).

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace zastava::reconcile {

struct OperatorSettings {
  // The operator's own namespace. FacetPolicies here are *cluster* policies:
  // their namespaceSelector spans every namespace. A FacetPolicy anywhere else
  // governs only its own namespace. Only ProvcachePolicies here count.
  std::string operator_namespace = "zastava-system";
  // The ConfigMap written with the compiled policy, in operator_namespace,
  // and the data key holding it (canonical JSON).
  std::string config_map_name = "zastava-policy";
  std::string config_map_key = "policy.json";
  // metadata.name of the compiled document.
  std::string policy_name = "cluster-policy";
  // The compiled document's `defaults` section before the active
  // ProvcachePolicy is merged into its `provcache` (from --defaults-file).
  nlohmann::json defaults = nlohmann::json::object();

  // Invalidation Jobs (reconcile/invalidation_job.hpp).
  std::string stella_image = "ghcr.io/stellaops/zastava:latest";
  std::string image_pull_policy = "IfNotPresent";
  std::string job_service_account = "zastava-invalidator";
  std::int64_t job_backoff_limit = 3;
  std::int64_t job_active_deadline_seconds = 600;
  std::int64_t job_ttl_seconds_after_finished = 3600;
  // How often expired entries are swept from a shared (Postgres) store.
  std::chrono::seconds ttl_sweep_interval{3600};
};

}  // namespace zastava::reconcile
