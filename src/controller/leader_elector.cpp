#include "controller/leader_elector.hpp"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <cstdio>
#include <random>
#include <thread>
#include <utility>

#include "base/stoppable_sleep.hpp"
#include "base/utc_time.hpp"
#include "kube/api_error.hpp"

namespace zastava::controller {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

const kube::ResourceRef kLeases{"coordination.k8s.io", "v1", "leases", "", ""};
constexpr double kJitterFactor = 1.2;  // client-go's leaderelection.JitterFactor

// metav1.MicroTime of the current wall-clock time: "2026-11-22T16:59:07.123456Z".
std::string micro_time_now() {
  return format_rfc3339_utc_micros(std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
}

std::string string_field(const json& object, const char* field) {
  const auto value = object.find(field);
  return value != object.end() && value->is_string() ? value->get<std::string>() : std::string();
}

std::int64_t integer_field(const json& object, const char* field) {
  const auto value = object.find(field);
  return value != object.end() && value->is_number_integer() ? value->get<std::int64_t>() : 0;
}

bool same_record(const LeaseRecord& a, const LeaseRecord& b) {
  return a.holder_identity == b.holder_identity &&
         a.lease_duration_seconds == b.lease_duration_seconds && a.acquire_time == b.acquire_time &&
         a.renew_time == b.renew_time && a.lease_transitions == b.lease_transitions;
}

// Whole seconds, rounded up: a holder never promises less than it asked for.
std::int64_t ceil_seconds(std::chrono::milliseconds duration) {
  return std::max<std::int64_t>(1, std::chrono::ceil<std::chrono::seconds>(duration).count());
}

}  // namespace

LeaseRecord lease_record_from(const json& lease) {
  LeaseRecord record;
  const auto spec = lease.find("spec");
  if (spec == lease.end() || !spec->is_object()) return record;
  record.holder_identity = string_field(*spec, "holderIdentity");
  record.lease_duration_seconds = integer_field(*spec, "leaseDurationSeconds");
  record.acquire_time = string_field(*spec, "acquireTime");
  record.renew_time = string_field(*spec, "renewTime");
  record.lease_transitions = integer_field(*spec, "leaseTransitions");
  return record;
}

json lease_spec_json(const LeaseRecord& record) {
  json spec = {{"holderIdentity", record.holder_identity},
               {"leaseDurationSeconds", record.lease_duration_seconds},
               {"leaseTransitions", record.lease_transitions}};
  if (!record.acquire_time.empty()) spec["acquireTime"] = record.acquire_time;
  if (!record.renew_time.empty()) spec["renewTime"] = record.renew_time;
  return spec;
}

LeaderElector::LeaderElector(kube::Client& client, LeaderElectionOptions options)
    : client_(client), options_(std::move(options)) {}

std::string LeaderElector::observed_leader() const {
  const std::lock_guard lock(mutex_);
  return observed_record_.holder_identity;
}

kube::ResourceRef LeaderElector::lease_ref() const {
  return kLeases.in(options_.lease_namespace).named(options_.lease_name);
}

void LeaderElector::observe(const json& lease, SteadyClock::time_point now) {
  LeaseRecord record = lease_record_from(lease);
  std::string new_leader;
  {
    const std::lock_guard lock(mutex_);
    observed_lease_ = lease;
    if (!same_record(record, observed_record_) || observed_at_ == SteadyClock::time_point{}) {
      observed_at_ = now;
    }
    if (record.holder_identity != observed_record_.holder_identity &&
        !record.holder_identity.empty()) {
      new_leader = record.holder_identity;
    }
    observed_record_ = std::move(record);
  }
  if (!new_leader.empty()) {
    spdlog::info("leader election {}/{}: the leader is now {}", options_.lease_namespace,
                 options_.lease_name, new_leader);
    if (on_new_leader_) on_new_leader_(new_leader);
  }
}

bool LeaderElector::try_acquire_or_renew() {
  const auto now = SteadyClock::now();
  const std::string now_time = micro_time_now();
  LeaseRecord desired{.holder_identity = options_.identity,
                      .lease_duration_seconds = ceil_seconds(options_.lease_duration),
                      .acquire_time = now_time,
                      .renew_time = now_time,
                      .lease_transitions = 0};

  auto current = client_.get(lease_ref());
  if (!current) {
    if (!kube::is_not_found(current.error())) {
      spdlog::warn("leader election: cannot read lease {}/{}: {}", options_.lease_namespace,
                   options_.lease_name, current.error().describe());
      return false;
    }
    const json lease = {
        {"apiVersion", "coordination.k8s.io/v1"},
        {"kind", "Lease"},
        {"metadata", {{"name", options_.lease_name}, {"namespace", options_.lease_namespace}}},
        {"spec", lease_spec_json(desired)}};
    auto created = client_.create(kLeases.in(options_.lease_namespace), lease);
    if (!created) {
      if (!kube::is_already_exists(created.error()) && !kube::is_conflict(created.error())) {
        spdlog::warn("leader election: cannot create lease {}/{}: {}", options_.lease_namespace,
                     options_.lease_name, created.error().describe());
      }
      return false;  // another replica created it first
    }
    observe(*created, now);
    return true;
  }

  observe(*current, now);
  LeaseRecord observed;
  SteadyClock::time_point observed_at;
  {
    const std::lock_guard lock(mutex_);
    observed = observed_record_;
    observed_at = observed_at_;
  }
  const bool held_by_me = observed.holder_identity == options_.identity;
  const bool expired = now >= observed_at + std::chrono::seconds(observed.lease_duration_seconds);
  if (!observed.holder_identity.empty() && !held_by_me && !expired) return false;

  if (held_by_me) {
    desired.acquire_time = observed.acquire_time;
    desired.lease_transitions = observed.lease_transitions;
  } else {
    desired.lease_transitions = observed.lease_transitions + 1;
  }
  json lease = *current;  // keeps metadata.resourceVersion: a stale one fails with 409
  lease["spec"] = lease_spec_json(desired);
  auto updated = client_.update(lease_ref(), lease);
  if (!updated) {
    if (!kube::is_conflict(updated.error())) {
      spdlog::warn("leader election: cannot update lease {}/{}: {}", options_.lease_namespace,
                   options_.lease_name, updated.error().describe());
    }
    return false;
  }
  observe(*updated, now);
  return true;
}

void LeaderElector::release() {
  json lease;
  LeaseRecord released;
  {
    const std::lock_guard lock(mutex_);
    if (!observed_lease_ || observed_record_.holder_identity != options_.identity) return;
    lease = *observed_lease_;
    released.lease_transitions = observed_record_.lease_transitions;
  }
  const std::string now_time = micro_time_now();
  released.lease_duration_seconds = 1;
  released.acquire_time = now_time;
  released.renew_time = now_time;
  lease["spec"] = lease_spec_json(released);
  auto updated = client_.update(lease_ref(), lease);
  if (!updated) {
    spdlog::warn("leader election: cannot release lease {}/{}: {}", options_.lease_namespace,
                 options_.lease_name, updated.error().describe());
    return;
  }
  observe(*updated, SteadyClock::now());
  spdlog::info("leader election {}/{}: {} released the lease", options_.lease_namespace,
               options_.lease_name, options_.identity);
}

bool LeaderElector::acquire(const std::stop_token& stop) {
  spdlog::info("leader election {}/{}: {} is campaigning", options_.lease_namespace,
               options_.lease_name, options_.identity);
  // client-go's JitterUntil(retryPeriod, 1.2): replicas that started together
  // do not keep knocking at the same instant.
  std::minstd_rand random(std::random_device{}());
  std::uniform_real_distribution<double> jitter(1.0, 1.0 + kJitterFactor);
  while (!stop.stop_requested()) {
    if (try_acquire_or_renew()) return true;
    const auto wait =
        std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double, std::milli>(
            static_cast<double>(options_.retry_period.count()) * jitter(random)));
    if (!sleep_unless_stopped(stop, wait)) break;
  }
  return false;
}

// Renews every retry_period; returns when a renewal did not succeed within
// renew_deadline (the lease is lost) or `stop` was requested.
void LeaderElector::renew_until_lost(const std::stop_token& stop) {
  while (sleep_unless_stopped(stop, options_.retry_period)) {
    const auto deadline = SteadyClock::now() + options_.renew_deadline;
    bool renewed = try_acquire_or_renew();
    while (!renewed && !stop.stop_requested()) {
      const auto now = SteadyClock::now();
      if (now >= deadline) break;
      sleep_unless_stopped(stop,
                           std::min<SteadyClock::duration>(options_.retry_period, deadline - now));
      if (stop.stop_requested() || SteadyClock::now() >= deadline) break;
      renewed = try_acquire_or_renew();
    }
    if (stop.stop_requested()) return;
    if (!renewed) {
      spdlog::warn("leader election {}/{}: {} could not renew within {} ms: lost the lease",
                   options_.lease_namespace, options_.lease_name, options_.identity,
                   options_.renew_deadline.count());
      return;
    }
  }
}

void LeaderElector::lead(const std::stop_token& stop, const LeaderCallbacks& callbacks) {
  std::stop_source lost;
  const std::stop_callback stop_leading(stop, [&lost] { lost.request_stop(); });
  leading_.store(true);
  spdlog::info("leader election {}/{}: {} is leading", options_.lease_namespace,
               options_.lease_name, options_.identity);
  std::jthread renewer([this, &lost](std::stop_token renewer_stop) {
    std::stop_source either;
    const std::stop_callback on_lost(lost.get_token(), [&either] { either.request_stop(); });
    const std::stop_callback on_stop(renewer_stop, [&either] { either.request_stop(); });
    renew_until_lost(either.get_token());
    lost.request_stop();
  });
  if (callbacks.on_started_leading) callbacks.on_started_leading(lost.get_token());
  {
    // on_started_leading may return early: leadership lasts until lost.
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    wake.wait(lock, lost.get_token(), [] { return false; });
  }
  renewer.request_stop();
  renewer.join();
  leading_.store(false);
  if (stop.stop_requested() && options_.release_on_cancel) release();
  spdlog::info("leader election {}/{}: {} stopped leading", options_.lease_namespace,
               options_.lease_name, options_.identity);
  if (callbacks.on_stopped_leading) callbacks.on_stopped_leading();
}

void LeaderElector::run(std::stop_token stop, const LeaderCallbacks& callbacks) {
  on_new_leader_ = callbacks.on_new_leader;
  while (!stop.stop_requested()) {
    if (!acquire(stop)) break;
    lead(stop, callbacks);
  }
  on_new_leader_ = nullptr;
}

}  // namespace zastava::controller
