#pragma once
// What /readyz knows about the stores after start: a thread probes them
// every `interval` and keeps the last result, so /readyz answers from memory
// (it never waits on a store) and follows the stores' health within one
// interval.
//
// Probes, each a cheap read through the store's own client:
//   provcache   a lookup of a VeriKey that never exists: the admission path's
//               own read (tiered: LRU, then Valkey, then PostgreSQL; one
//               miss counted in the provcache metrics per probe)
//   artifacts   the baseline lookup of a repository that never exists
//   valkey      PING (tiered store with Valkey only)
//
// Ready = the provcache and artifact probes succeed. Valkey failing alone
// leaves the webhook ready but degraded: the tiered store falls through to
// PostgreSQL, so admissions are still decided (slower). PostgreSQL failing
// makes it not ready: the artifact store is PostgreSQL then, and every
// provcache miss would fail (the failure policy would answer instead of the
// checks).
//
// Metrics: webhook_store_up{store="provcache|artifacts|valkey"} (1 or 0).

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/result.hpp"

namespace zastava::metrics {
class Gauge;
class Registry;
}  // namespace zastava::metrics

namespace zastava::webhook {

struct StoreProbe {
  std::string name;  // "provcache", "artifacts", "valkey"
  std::function<Status()> check;
  bool required = true;  // false: failing only degrades readiness
};

struct StoreState {
  std::string name;
  bool up = false;
  bool required = true;
  std::string error;  // why not, when down
};

struct StoreHealthReport {
  bool probed = false;  // false until the first round of probes finished
  std::vector<StoreState> stores;

  // Every required store is up (and a probe has run).
  [[nodiscard]] bool ready() const;
  // Some store that is not required is down.
  [[nodiscard]] bool degraded() const;
  // "provcache: <error>; artifacts: <error>" of the required stores down
  // (or "stores not probed yet").
  [[nodiscard]] std::string unready_reason() const;
};

class StoreHealth {
 public:
  // Probes once before returning, then every `interval` in a thread.
  // `registry` may be null.
  StoreHealth(std::vector<StoreProbe> probes, std::chrono::milliseconds interval,
              metrics::Registry* registry);
  ~StoreHealth();  // stops the thread (waits for a probe in progress)
  StoreHealth(const StoreHealth&) = delete;
  StoreHealth& operator=(const StoreHealth&) = delete;

  [[nodiscard]] StoreHealthReport report() const;

 private:
  void run();
  StoreHealthReport probe_all();

  std::vector<StoreProbe> probes_;
  std::vector<metrics::Gauge*> up_;  // per probe; null without a registry
  std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;     // guarded by mutex_
  StoreHealthReport report_;  // guarded by mutex_
  std::thread thread_;        // last: starts after everything above exists
};

}  // namespace zastava::webhook
