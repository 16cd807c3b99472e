#include "store_health.hpp"

#include "metrics/registry.hpp"

namespace zastava::webhook {

bool StoreHealthReport::ready() const {
  if (!probed) return false;
  for (const StoreState& store : stores) {
    if (store.required && !store.up) return false;
  }
  return true;
}

bool StoreHealthReport::degraded() const {
  for (const StoreState& store : stores) {
    if (!store.required && !store.up) return true;
  }
  return false;
}

std::string StoreHealthReport::unready_reason() const {
  if (!probed) return "stores not probed yet";
  std::string reason;
  for (const StoreState& store : stores) {
    if (!store.required || store.up) continue;
    if (!reason.empty()) reason += "; ";
    reason += store.name + ": " + store.error;
  }
  return reason;
}

StoreHealth::StoreHealth(std::vector<StoreProbe> probes, std::chrono::milliseconds interval,
                         metrics::Registry* registry)
    : probes_(std::move(probes)), interval_(interval) {
  for (const StoreProbe& probe : probes_) {
    up_.push_back(registry == nullptr
                      ? nullptr
                      : &registry->gauge("webhook_store_up",
                                         "1 when the store answered the last readiness probe",
                                         {{"store", probe.name}}));
  }
  report_ = probe_all();  // known before the server starts
  thread_ = std::thread([this] { run(); });
}

StoreHealth::~StoreHealth() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  thread_.join();
}

StoreHealthReport StoreHealth::report() const {
  const std::lock_guard lock(mutex_);
  return report_;
}

StoreHealthReport StoreHealth::probe_all() {
  StoreHealthReport report;
  report.probed = true;
  for (std::size_t i = 0; i < probes_.size(); ++i) {
    const StoreProbe& probe = probes_[i];
    StoreState state{.name = probe.name, .up = false, .required = probe.required, .error = {}};
    const Status status = probe.check();
    state.up = status.ok();
    if (!state.up) state.error = status.error().message;
    if (up_[i] != nullptr) up_[i]->set(state.up ? 1.0 : 0.0);
    report.stores.push_back(std::move(state));
  }
  return report;
}

void StoreHealth::run() {
  std::unique_lock lock(mutex_);
  while (!stop_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    StoreHealthReport fresh = probe_all();
    lock.lock();
    report_ = std::move(fresh);
  }
}

}  // namespace zastava::webhook
