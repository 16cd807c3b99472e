#pragma once
// PolicyController: every FacetPolicy and ProvcachePolicy → the compiled
// policy ConfigMap the webhook mounts, and each policy's status.
//
// Two kinds of queue key:
//   "compile"                 assemble the whole document from the informer
//                             caches (reconcile/policy_assembly.hpp); apply
//                             the ConfigMap only when its content hash
//                             differs from the one it carries (annotation
//                             zastava.stellaops.io/content-hash); remember
//                             each resource's outcome and queue a status key
//                             for each whose status would change;
//   "<Kind>/<ns>/<name>"      write that resource's status (merge patch on
//                             the status subresource) from its outcome;
//                             Events: PolicyInvalid (Warning) when it turns
//                             Ready=False, PolicyCompiled (Normal) when it
//                             turns Ready=True.
// Only creation, deletion and spec changes (metadata.generation) queue
// "compile": the controller's own status writes must not loop back into it.
// A resync every `resync` period queues "compile" too (Secrets holding keys
// are read, not watched): the operator app adds it (queue.add_after).
// A ConfigMap changed or deleted by someone else queues "compile" (it is
// rewritten); the controller's own writes do not.
//
// Secrets (trustedKeys[].secretRef) are read with GET, each once per compile.
// A Secret that is missing (404) or forbidden (403) leaves its policy out
// (SecretNotFound); any other failure fails the compile, which is retried
// with backoff while the last good ConfigMap stays.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "controller/informer.hpp"
#include "controller/work_queue.hpp"
#include "kube/client.hpp"
#include "kube/event_recorder.hpp"
#include "reconcile/operator_settings.hpp"
#include "reconcile/policy_assembly.hpp"
#include "reconcile/resource_outcome.hpp"

namespace zastava::operator_app {

inline constexpr std::string_view kCompileKey = "compile";
inline constexpr std::string_view kContentHashAnnotation = "zastava.stellaops.io/content-hash";

// What the controller did, for tests, metrics and the benchmark.
struct PolicyControllerStats {
  std::uint64_t compiles = 0;           // "compile" keys reconciled (assemblies run)
  std::uint64_t config_map_writes = 0;  // creates and patches of the ConfigMap
  std::uint64_t status_writes = 0;      // status merge patches sent
  std::uint64_t events = 0;             // Events recorded
};

struct PolicyInformers {
  controller::Informer& facet_policies;      // all namespaces
  controller::Informer& provcache_policies;  // all namespaces
  controller::Informer& config_maps;         // operator namespace, the policy ConfigMap
};

class PolicyController {
 public:
  PolicyController(kube::Client& client, PolicyInformers informers,
                   const reconcile::OperatorSettings& settings, kube::EventRecorder& events);

  void enqueue_changes_into(controller::WorkQueue& queue);
  Status reconcile(std::string_view key, controller::WorkQueue& queue);

  // For tests and the benchmark: the content hash last written or found.
  [[nodiscard]] std::string current_content_hash() const;
  [[nodiscard]] PolicyControllerStats stats() const noexcept;

 private:
  Status compile(controller::WorkQueue& queue);
  Status write_status(std::string_view key);
  // Every cached policy → the compiled document and each one's outcome.
  Result<reconcile::AssembledPolicy> assemble();
  Status apply_config_map(std::string text, const std::string& content_hash);
  void queue_status_changes(controller::WorkQueue& queue);
  [[nodiscard]] bool is_own_config_map_write(const controller::ObjectChange& change) const;

  kube::Client& client_;
  PolicyInformers informers_;
  const reconcile::OperatorSettings& settings_;
  kube::EventRecorder& events_;
  mutable std::mutex mutex_;
  std::map<std::string, reconcile::ResourceOutcome, std::less<>> outcomes_;  // by status key
  std::string content_hash_;
  // Spec changes seen by the handlers: a compile that finds more than when it
  // started leaves the status keys to the compile already queued after it,
  // so a burst of creations is not slowed by status writes in between.
  std::atomic<std::uint64_t> spec_changes_{0};
  std::atomic<std::uint64_t> compiles_{0};
  std::atomic<std::uint64_t> config_map_writes_{0};
  std::atomic<std::uint64_t> status_writes_{0};
  std::atomic<std::uint64_t> events_recorded_{0};
};

}  // namespace zastava::operator_app
