#pragma once
// Watcher: a watch that never gives up, after kube-rs's watcher state
// machine. It LISTs (all pages) and reports the whole set as one Restarted
// event, then WATCHes from the list's resourceVersion reporting Applied /
// Deleted objects; bookmarks advance the resourceVersion silently. When the
// stream ends it re-watches from where it was; when the server says 410 Gone
// (the resourceVersion is too old, e.g. after a long disconnect or an API
// server restart) it lists again; on other errors it waits with exponential
// backoff (reset after a success) and tries again, until stop is requested.
// Informers and the operator's controllers are built on it.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>
#include <vector>

#include "kube/client.hpp"

namespace zastava::kube {

struct WatcherEvent {
  enum class Type { kRestarted, kApplied, kDeleted };
  Type type = Type::kApplied;
  std::vector<nlohmann::json> objects{};  // kRestarted: every object; otherwise one
};

// Receives each event; it may move the objects out (an informer keeps them
// without a copy).
using WatcherHandler = std::function<void(WatcherEvent&)>;

struct WatcherOptions {
  std::string label_selector{};
  std::string field_selector{};
  std::uint32_t page_size = 500;
  std::uint32_t watch_timeout_seconds = 290;  // the server ends each stream after this
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{30'000};
};

struct WatcherStats {
  std::uint64_t lists = 0;
  std::uint64_t watches = 0;
  std::uint64_t gone = 0;      // 410 answers (each followed by a list)
  std::uint64_t failures = 0;  // other errors (each followed by a backoff)
  std::uint64_t bookmarks = 0;
};

class Watcher {
 public:
  Watcher(Client& client, ResourceRef collection, WatcherOptions options = {});

  // Runs on the calling thread until `stop` is requested.
  void run(std::stop_token stop, const WatcherHandler& on_event);

  // Thread-safe: readable while run() runs.
  [[nodiscard]] WatcherStats stats() const noexcept;
  // Safe only from the run() thread or after it ended.
  [[nodiscard]] const std::string& resource_version() const noexcept { return resource_version_; }

 private:
  Status relist(const WatcherHandler& on_event);
  Status watch_once(const std::stop_token& stop, const WatcherHandler& on_event);

  Client& client_;
  ResourceRef collection_;
  WatcherOptions options_;
  std::string resource_version_{};  // empty: list first
  std::atomic<std::uint64_t> lists_{0};
  std::atomic<std::uint64_t> watches_{0};
  std::atomic<std::uint64_t> gone_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<std::uint64_t> bookmarks_{0};
};

}  // namespace zastava::kube
