#pragma once
// LeaderElector: exactly one replica of a controller does the work, decided
// with a coordination.k8s.io/v1 Lease, as client-go's leaderelection does.
//
//   LeaderElector elector(client, {.lease_namespace = "zastava-system",
//                                  .lease_name = "zastava-operator",
//                                  .identity = pod_name});
//   elector.run(stop, {.on_started_leading = [&](std::stop_token lost) { run_controllers(lost); },
//                      .on_stopped_leading = [&] { ... }});
//
// The protocol (each replica, every retry_period):
//   - read the Lease; if it is free (no holder, or released), or its holder
//     has not renewed within lease_duration *as observed by this replica's
//     own clock* (the time it last saw the record change, not the record's
//     renewTime: clocks of different nodes disagree), take it with an update
//     that carries the read resourceVersion: if another replica got there
//     first the update fails with 409 Conflict and this one stays a follower;
//   - the leader renews (renewTime, same update rule) every retry_period; if
//     it cannot renew successfully within renew_deadline it stops leading:
//     the stop_token given to on_started_leading is requested, and run()
//     returns after on_started_leading returned and on_stopped_leading ran;
//   - when `stop` is requested, a leader releases the Lease (holder cleared,
//     leaseDurationSeconds 1) so a follower takes over at once.
// Lease fields written: holderIdentity, leaseDurationSeconds (lease_duration
// rounded up to whole seconds), acquireTime, renewTime (RFC 3339 with
// microseconds, as MicroTime), leaseTransitions (+1 whenever another replica,
// or the first one after a release, takes the lease). A missing Lease is
// created (409 AlreadyExists: another replica won). Followers retry every
// retry_period plus up to 120 % jitter, as client-go's JitterUntil.
// Each API call may take up to the Client's timeout: give the elector a
// Client whose timeout is below renew_deadline.
// Defaults are client-go's: 15 s lease, 10 s renew deadline, 2 s retry.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stop_token>
#include <string>

#include "base/result.hpp"
#include "kube/client.hpp"

namespace zastava::controller {

struct LeaderElectionOptions {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;  // unique per replica: the pod name, plus a random suffix
  std::chrono::milliseconds lease_duration{15'000};
  std::chrono::milliseconds renew_deadline{10'000};
  std::chrono::milliseconds retry_period{2'000};
  bool release_on_cancel = true;
};

struct LeaderCallbacks {
  // Runs on run()'s thread while this replica leads; must return soon after
  // `lost` is requested.
  std::function<void(std::stop_token lost)> on_started_leading;
  std::function<void()> on_stopped_leading;
  // Every time the observed leader changes (including to this replica).
  std::function<void(const std::string& identity)> on_new_leader;
};

// The part of a Lease's spec the election reads and writes.
struct LeaseRecord {
  std::string holder_identity;
  std::int64_t lease_duration_seconds = 0;
  std::string acquire_time;  // RFC 3339 MicroTime
  std::string renew_time;
  std::int64_t lease_transitions = 0;
};

LeaseRecord lease_record_from(const nlohmann::json& lease);  // missing fields stay empty / 0
nlohmann::json lease_spec_json(const LeaseRecord& record);

class LeaderElector {
 public:
  LeaderElector(kube::Client& client, LeaderElectionOptions options);

  // Campaigns, leads, and campaigns again after losing the lease, until
  // `stop` is requested. Errors talking to the API are logged and retried.
  void run(std::stop_token stop, const LeaderCallbacks& callbacks);

  [[nodiscard]] bool is_leader() const noexcept { return leading_.load(); }
  [[nodiscard]] std::string observed_leader() const;

 private:
  // One attempt to acquire or renew; true when this replica holds the lease.
  bool try_acquire_or_renew();
  void release();
  // Campaigns until this replica holds the lease (true) or `stop` (false).
  bool acquire(const std::stop_token& stop);
  void renew_until_lost(const std::stop_token& stop);
  // Leads until the lease is lost or `stop`; then releases (on stop) and
  // runs on_stopped_leading.
  void lead(const std::stop_token& stop, const LeaderCallbacks& callbacks);
  // Records a Lease read or written; the observed time moves when its record changed.
  void observe(const nlohmann::json& lease, std::chrono::steady_clock::time_point now);
  [[nodiscard]] kube::ResourceRef lease_ref() const;

  kube::Client& client_;
  LeaderElectionOptions options_;
  std::atomic<bool> leading_{false};
  mutable std::mutex mutex_;
  std::optional<nlohmann::json> observed_lease_;  // the last Lease read
  LeaseRecord observed_record_;
  std::chrono::steady_clock::time_point observed_at_{};    // when observed_record_ last changed
  std::function<void(const std::string&)> on_new_leader_;  // run()'s, while it runs
};

}  // namespace zastava::controller
