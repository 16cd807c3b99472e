#pragma once
// zastava-operator assembled: the process around the two controllers.
//
//   kube::Client ─┬─ EventRecorder (reportingController zastava.stellaops.io/operator)
//                 ├─ LeaderElector on Lease <namespace>/<lease-name>
//                 │    while leading:
//                 │      informers: FacetPolicies, ProvcachePolicies (all namespaces),
//                 │                 the policy ConfigMap (metadata.name=<config-map>),
//                 │                 Jobs and Pods (managed-by=zastava-operator)
//                 │      PolicyController       ← its WorkQueue ← --workers threads
//                 │      InvalidationController ← its WorkQueue ← --workers threads
//                 │      housekeeping: every --resync "compile" and every
//                 │                    ProvcachePolicy key are queued; gauges updated
//                 └─ health listener (plain HTTP): /healthz /readyz /metrics
//
// Workers do what controller-runtime's do with a reconcile's result: success
// → forget(key) (its backoff is reset); error → add_rate_limited(key) (per-key
// exponential backoff under a global token bucket); requeue_after → add_after;
// then done(key).
//
// Lifetime: run() returns kExitStopped once `stop` was requested (workers
// stopped, informers stopped, the Lease released, Events flushed), or
// kExitLeadershipLost when this replica stopped leading while still meant to
// run: as with client-go / controller-runtime the process then exits and its
// Deployment restarts it as a fresh follower, so no state from the lost term
// survives to race with the new leader.
//
// /readyz: 200 for a leader whose informers have synced, and for a standby
// replica (it is ready to take over; an operator has no Service, so readiness
// gates only rollouts); 503 for a leader still syncing its caches.
// /healthz: 200 while the process serves.

#include <cstdint>
#include <memory>
#include <stop_token>

#include "base/result.hpp"
#include "config.hpp"
#include "kube/config.hpp"

namespace spdlog {
class logger;
}

namespace zastava::operator_app {

inline constexpr int kExitStopped = 0;
inline constexpr int kExitStartFailed = 1;
inline constexpr int kExitLeadershipLost = 2;

class OperatorApp {
 public:
  // Connects as config.kubeconfig says (else kube::load_default_config())
  // and starts the health listener; nothing is reconciled until run().
  static Result<std::unique_ptr<OperatorApp>> create(const OperatorConfig& config,
                                                     std::shared_ptr<spdlog::logger> logger);
  // The same against an explicit cluster (tests).
  static Result<std::unique_ptr<OperatorApp>> create(const OperatorConfig& config,
                                                     const kube::ClusterConfig& cluster,
                                                     std::shared_ptr<spdlog::logger> logger);
  ~OperatorApp();
  OperatorApp(const OperatorApp&) = delete;
  OperatorApp& operator=(const OperatorApp&) = delete;

  // Campaigns for the Lease (or, with leader_elect false, just leads) and
  // reconciles while leading; returns kExitStopped or kExitLeadershipLost.
  int run(std::stop_token stop);

  [[nodiscard]] std::uint16_t health_port() const;
  [[nodiscard]] bool is_leader() const;
  // Leading, and every informer has synced.
  [[nodiscard]] bool is_serving() const;

  struct Parts;

 private:
  explicit OperatorApp(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace zastava::operator_app
