#include "controller/informer.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <utility>

namespace zastava::controller {
namespace {

std::string resource_version_of(const nlohmann::json& object) {
  const auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return {};
  const auto version = metadata->find("resourceVersion");
  return version != metadata->end() && version->is_string() ? version->get<std::string>()
                                                            : std::string();
}

std::string metadata_string(const nlohmann::json& object, const char* field) {
  const auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return {};
  const auto value = metadata->find(field);
  return value != metadata->end() && value->is_string() ? value->get<std::string>() : std::string();
}

bool same_version(const ObjectPtr& cached, const nlohmann::json& object) {
  const std::string version = resource_version_of(object);
  return !version.empty() && resource_version_of(*cached) == version;
}

// The snapshot the cache keeps: the object without metadata.managedFields,
// which no Zastava controller reads and which is often the largest part of
// an object a real API server sends (controller-runtime's
// TransformStripManagedFields does the same).
ObjectPtr snapshot_of(nlohmann::json object) {
  if (const auto metadata = object.find("metadata");
      metadata != object.end() && metadata->is_object()) {
    metadata->erase("managedFields");
  }
  return std::make_shared<const nlohmann::json>(std::move(object));
}

}  // namespace

std::string object_key(const nlohmann::json& object) {
  const std::string name = metadata_string(object, "name");
  const std::string ns = metadata_string(object, "namespace");
  return ns.empty() ? name : ns + "/" + name;
}

Informer::Informer(kube::Client& client, kube::ResourceRef collection, kube::WatcherOptions options)
    : client_(client),
      collection_(std::move(collection)),
      watcher_(client_, collection_, std::move(options)) {}

Informer::~Informer() {
  stop();
}

void Informer::on_change(ChangeHandler handler) {
  handlers_.push_back(std::move(handler));
}

void Informer::start() {
  if (thread_.joinable()) return;
  thread_ = std::jthread([this](std::stop_token stop) { run(std::move(stop)); });
}

void Informer::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  thread_.join();
}

bool Informer::has_synced() const noexcept {
  return synced_.load();
}

bool Informer::wait_for_sync(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  return synced_cv_.wait(lock, stop, [this] { return synced_.load(); });
}

ObjectPtr Informer::get(std::string_view key) const {
  const std::lock_guard lock(mutex_);
  const auto found = cache_.find(key);
  return found == cache_.end() ? nullptr : found->second;
}

std::vector<ObjectPtr> Informer::list() const {
  const std::lock_guard lock(mutex_);
  std::vector<ObjectPtr> objects;
  objects.reserve(cache_.size());
  for (const auto& [key, object] : cache_) objects.push_back(object);
  return objects;
}

std::size_t Informer::size() const {
  const std::lock_guard lock(mutex_);
  return cache_.size();
}

kube::WatcherStats Informer::watcher_stats() const noexcept {
  return watcher_.stats();
}

void Informer::run(std::stop_token stop) {
  watcher_.run(stop, [this](kube::WatcherEvent& event) { apply(event); });
}

// The cache after a relist, and the changes that lead there from `cache`:
// deletions first, then additions and updates, each in key order.
std::vector<ObjectChange> Informer::replace_locked(std::vector<nlohmann::json> objects) {
  std::map<std::string, ObjectPtr, std::less<>> fresh;
  for (auto& object : objects) {
    std::string key = object_key(object);
    fresh.insert_or_assign(std::move(key), snapshot_of(std::move(object)));
  }
  std::vector<ObjectChange> changes;
  for (const auto& [key, old] : cache_) {
    if (!fresh.contains(key)) changes.push_back({ObjectChange::Type::kDeleted, key, old, nullptr});
  }
  for (auto& [key, object] : fresh) {
    const auto old = cache_.find(key);
    if (old == cache_.end()) {
      changes.push_back({ObjectChange::Type::kAdded, key, object, nullptr});
    } else if (!same_version(old->second, *object)) {
      changes.push_back({ObjectChange::Type::kUpdated, key, object, old->second});
    } else {
      object = old->second;  // unchanged: keep the snapshot readers may hold
    }
  }
  cache_ = std::move(fresh);
  return changes;
}

std::optional<ObjectChange> Informer::apply_one_locked(kube::WatcherEvent::Type type,
                                                       nlohmann::json object) {
  std::string key = object_key(object);
  ObjectPtr snapshot = snapshot_of(std::move(object));
  const auto old = cache_.find(key);
  if (type == kube::WatcherEvent::Type::kDeleted) {
    if (old != cache_.end()) cache_.erase(old);
    return ObjectChange{ObjectChange::Type::kDeleted, std::move(key), std::move(snapshot), nullptr};
  }
  if (old == cache_.end()) {
    cache_.emplace(key, snapshot);
    return ObjectChange{ObjectChange::Type::kAdded, std::move(key), std::move(snapshot), nullptr};
  }
  if (same_version(old->second, *snapshot)) return std::nullopt;
  ObjectPtr previous = std::exchange(old->second, snapshot);
  return ObjectChange{ObjectChange::Type::kUpdated, std::move(key), std::move(snapshot),
                      std::move(previous)};
}

void Informer::apply(kube::WatcherEvent& event) {
  std::vector<ObjectChange> changes;
  {
    const std::lock_guard lock(mutex_);
    if (event.type == kube::WatcherEvent::Type::kRestarted) {
      changes = replace_locked(std::move(event.objects));
    } else {
      for (auto& object : event.objects) {
        if (auto change = apply_one_locked(event.type, std::move(object)))
          changes.push_back(std::move(*change));
      }
    }
  }
  for (const auto& change : changes) notify(change);
  if (event.type == kube::WatcherEvent::Type::kRestarted && !synced_.load()) {
    // Synced once the first list is cached and its adds handed out, so a
    // controller that waits for the sync finds every key in its queue.
    const std::lock_guard lock(mutex_);
    synced_.store(true);
    synced_cv_.notify_all();
  }
}

void Informer::notify(const ObjectChange& change) {
  for (const auto& handler : handlers_) {
    try {
      handler(change);
    } catch (const std::exception& error) {  // one bad handler must not end the informer
      spdlog::error("informer {}: a change handler for {} failed: {}", collection_.describe(),
                    change.key, error.what());
    }
  }
}

}  // namespace zastava::controller
