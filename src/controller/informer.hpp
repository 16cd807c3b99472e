#pragma once
// Informer: a local, always-current copy of one kind of object, after
// client-go's shared informer. A thread runs a kube::Watcher (list, then
// watch; relist on 410 Gone; reconnect with backoff) and keeps an indexed
// cache of the objects by key ("namespace/name", or "name" for
// cluster-scoped ones); handlers hear of each change.
//
//   Informer policies(client, {"zastava.stellaops.io", "v1alpha1", "facetpolicies"});
//   policies.on_change([&](const ObjectChange& change) { queue.add(change.key); });
//   policies.start();                       // owns its thread until stop()/destruction
//   policies.wait_for_sync(stop);           // the first list is cached and handled
//   auto object = policies.get("payments/strict");
//
// After a relist (kRestarted), objects that vanished while the watch was
// down are reported as deletions and the others as updates, so a handler
// never misses a change. Handlers run on the informer's thread, one at a
// time, after the cache is updated; they must be quick (enqueue a key).
// The cache is readable from any thread. It keeps each object encoded
// (CBOR, about a fifth of the memory of a parsed nlohmann::json tree: an
// operator caches thousands of policies), so get() and list() decode a
// fresh, immutable copy (std::shared_ptr<const nlohmann::json>) each call:
// ~10 µs for a policy-sized object (bench: InformerCache).

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "kube/client.hpp"
#include "kube/watcher.hpp"

namespace zastava::controller {

using ObjectPtr = std::shared_ptr<const nlohmann::json>;

// "namespace/name", or "name" when the object has no namespace.
std::string object_key(const nlohmann::json& object);

struct ObjectChange {
  enum class Type { kAdded, kUpdated, kDeleted };
  Type type = Type::kAdded;
  std::string key;
  ObjectPtr object;      // the new object (kDeleted: the last one known)
  ObjectPtr old_object;  // kUpdated: the previous one; otherwise null
};

using ChangeHandler = std::function<void(const ObjectChange&)>;

class Informer {
 public:
  Informer(kube::Client& client, kube::ResourceRef collection, kube::WatcherOptions options = {});
  ~Informer();  // stop()
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Register before start().
  void on_change(ChangeHandler handler);

  void start();
  void stop();  // idempotent; joins the thread

  // True once the first list has been applied to the cache and its changes
  // handed to the handlers.
  [[nodiscard]] bool has_synced() const noexcept;
  // Waits until has_synced() or `stop` (false then).
  bool wait_for_sync(std::stop_token stop);

  [[nodiscard]] ObjectPtr get(std::string_view key) const;
  // Every cached object, sorted by key.
  [[nodiscard]] std::vector<ObjectPtr> list() const;
  // Each cached object in key order, decoded one at a time and handed over
  // (the visitor may move parts out), so a caller that keeps only part of
  // each never holds all of them parsed at once. The cache is copied
  // (encoded) first: `visit` may call back into this informer.
  void for_each(const std::function<void(nlohmann::json)>& visit) const;
  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] kube::WatcherStats watcher_stats() const noexcept;

 private:
  // One object as the cache keeps it.
  struct Entry {
    std::string resource_version;
    std::vector<std::uint8_t> cbor;
  };
  // A change waiting for the handlers, still encoded: a relist of thousands
  // is handed out one decoded object at a time.
  struct PendingChange {
    ObjectChange::Type type = ObjectChange::Type::kAdded;
    std::string key;
    std::vector<std::uint8_t> object;
    std::vector<std::uint8_t> old_object;  // kUpdated only
  };
  using Cache = std::map<std::string, Entry, std::less<>>;

  [[nodiscard]] std::vector<std::vector<std::uint8_t>> encoded_objects() const;  // key order
  void run(std::stop_token stop);
  void apply(kube::WatcherEvent& event);  // the objects are encoded into the cache
  std::vector<PendingChange> replace_locked(std::vector<nlohmann::json> objects);
  std::optional<PendingChange> apply_one_locked(kube::WatcherEvent::Type type,
                                                nlohmann::json object);
  void notify(const PendingChange& pending);

  kube::Client& client_;
  kube::ResourceRef collection_;
  kube::Watcher watcher_;
  std::vector<ChangeHandler> handlers_;
  mutable std::mutex mutex_;
  std::condition_variable_any synced_cv_;
  Cache cache_;
  std::atomic<bool> synced_{false};
  std::jthread thread_;
};

}  // namespace zastava::controller
