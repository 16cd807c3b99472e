#pragma once
// EventRecorder: Kubernetes Events sent off the caller's thread, the way
// client-go's event broadcaster does, so the admission path never waits on
// the API server.
//
//   kube::EventRecorder recorder(std::make_unique<kube::ClientEventSink>(client), {
//       .reporting_controller = "zastava.stellaops.io/webhook", .reporting_instance = pod_name});
//   recorder.record({.regarding = {...}, .type = "Warning", .reason = "SealMissing",
//                    .action = "Admit", .note = "container app: image ... has no seal"});
//
// - Asynchronous: record() puts the event in a bounded queue and returns; a
//   worker thread writes it. A full queue drops the event and counts it
//   (stats().dropped): memory stays bounded when the API server is slow.
// - Aggregated (client-go's EventCorrelator): an event with the same regarding
//   object, type, reason, action and note as one written within
//   `series_window` is not a new Event: the existing one's series.count and
//   series.lastObservedTime are PATCHed. Identical events still waiting in the
//   queue are merged there, so a burst costs one write.
// - Rate-limited: the worker takes a token from a token bucket before every
//   write (qps, burst), protecting the API server from event storms.
// - RAII: the destructor stops taking events, writes what is queued until
//   `flush_deadline`, drops (and counts) the rest, and joins the worker.
//
// API: events.k8s.io/v1 — the current Events API (core/v1 Event is its legacy
// view of the same objects): it has first-class series for aggregation and
// the reportingController/reportingInstance fields that say which Zastava
// replica reported it. RBAC: create and patch on events.events.k8s.io.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <unordered_map>

#include "base/result.hpp"
#include "kube/token_bucket.hpp"

namespace zastava::kube {

class Client;

// The object an event is about (an ObjectReference).
struct ObjectRef {
  std::string api_version{};  // "v1", "apps/v1"
  std::string kind{};         // "Pod"
  std::string namespace_{};
  std::string name{};
  std::string uid{};  // optional (admission of a CREATE has none yet)
};

struct EventSpec {
  ObjectRef regarding{};
  std::string type = "Normal";  // "Normal" or "Warning"
  std::string reason{};         // UpperCamelCase: "FacetQuotaExceeded"
  std::string action{};         // what was done: "Admit", "Reconcile"
  std::string note{};           // human-readable, at most 1 kB is kept
};

// Where events go: the API server (ClientEventSink) or a test's fake.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual Result<nlohmann::json> create(const std::string& ns, const nlohmann::json& event) = 0;
  virtual Result<nlohmann::json> patch(const std::string& ns, const std::string& name,
                                       const nlohmann::json& merge_patch) = 0;
};

class ClientEventSink final : public EventSink {
 public:
  explicit ClientEventSink(std::shared_ptr<Client> client) : client_(std::move(client)) {}
  Result<nlohmann::json> create(const std::string& ns, const nlohmann::json& event) override;
  Result<nlohmann::json> patch(const std::string& ns, const std::string& name,
                               const nlohmann::json& merge_patch) override;

 private:
  std::shared_ptr<Client> client_;
};

struct EventRecorderOptions {
  std::string reporting_controller = "zastava.stellaops.io/webhook";
  std::string reporting_instance{};  // the pod name
  std::size_t queue_capacity = 1024;
  double qps = 5.0;  // writes per second, after a burst of
  double burst = 25.0;
  std::chrono::milliseconds series_window{std::chrono::minutes(6)};
  std::size_t correlation_cache_size = 4096;
  std::chrono::milliseconds flush_deadline{2'000};
};

struct EventRecorderStats {
  std::uint64_t recorded = 0;  // accepted by record()
  std::uint64_t merged = 0;    // folded into an event still queued
  std::uint64_t dropped = 0;   // queue full, or left at shutdown
  std::uint64_t created = 0;   // new Event objects
  std::uint64_t patched = 0;   // series updates of existing Events
  std::uint64_t failed = 0;    // writes the API server refused
};

class EventRecorder {
 public:
  EventRecorder(std::unique_ptr<EventSink> sink, EventRecorderOptions options);
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // Never blocks on I/O. False when the event was dropped (queue full or shut down).
  bool record(EventSpec event);

  // Waits until the queue is empty and the worker idle, or the timeout passes.
  bool wait_idle(std::chrono::milliseconds timeout);

  [[nodiscard]] EventRecorderStats stats() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Pending {
    std::string key{};
    EventSpec spec;
    std::uint32_t occurrences = 1;
    std::chrono::system_clock::time_point last_seen;
  };
  struct Written {
    std::string ns{};
    std::string name{};
    std::uint32_t count = 0;
    Clock::time_point last_written;
    std::list<std::string>::iterator lru;
  };

  void run();
  void write(const Pending& pending);
  bool write_new(const Pending& pending, std::uint32_t count);
  void remember(const std::string& key, const std::string& ns, const std::string& name,
                std::uint32_t count);

  std::unique_ptr<EventSink> sink_;
  EventRecorderOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::list<Pending> queue_;                                              // guarded by mutex_
  std::unordered_map<std::string, std::list<Pending>::iterator> queued_;  // guarded by mutex_
  bool stopping_ = false;                                                 // guarded by mutex_
  bool busy_ = false;                                                     // guarded by mutex_
  Clock::time_point flush_until_;                                         // guarded by mutex_
  EventRecorderStats stats_;                                              // guarded by mutex_

  // The worker's own state.
  TokenBucket bucket_;
  std::unordered_map<std::string, Written> written_;
  std::list<std::string> written_lru_;  // most recent first

  std::thread worker_;
};

}  // namespace zastava::kube
