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

// The object as the cache keeps it: without metadata.managedFields, which
// no Zastava controller reads and which is often the largest part of an
// object a real API server sends (controller-runtime's
// TransformStripManagedFields does the same), and encoded.
std::vector<std::uint8_t> encode(nlohmann::json& object) {
  if (const auto metadata = object.find("metadata");
      metadata != object.end() && metadata->is_object()) {
    metadata->erase("managedFields");
  }
  return nlohmann::json::to_cbor(object);
}

ObjectPtr decode(const std::vector<std::uint8_t>& cbor) {
  if (cbor.empty()) return nullptr;
  return std::make_shared<const nlohmann::json>(nlohmann::json::from_cbor(cbor));
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
  std::vector<std::uint8_t> cbor;
  {
    const std::lock_guard lock(mutex_);
    const auto found = cache_.find(key);
    if (found == cache_.end()) return nullptr;
    cbor = found->second.cbor;
  }
  return decode(cbor);
}

std::vector<std::vector<std::uint8_t>> Informer::encoded_objects() const {
  const std::lock_guard lock(mutex_);
  std::vector<std::vector<std::uint8_t>> encoded;
  encoded.reserve(cache_.size());
  for (const auto& [key, entry] : cache_) encoded.push_back(entry.cbor);
  return encoded;
}

std::vector<ObjectPtr> Informer::list() const {
  std::vector<ObjectPtr> objects;
  for (const auto& cbor : encoded_objects()) objects.push_back(decode(cbor));
  return objects;
}

void Informer::for_each(const std::function<void(nlohmann::json)>& visit) const {
  for (const auto& cbor : encoded_objects()) visit(nlohmann::json::from_cbor(cbor));
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
std::vector<Informer::PendingChange> Informer::replace_locked(std::vector<nlohmann::json> objects) {
  Cache fresh;
  for (auto& object : objects) {
    std::string key = object_key(object);
    std::string version = resource_version_of(object);
    fresh.insert_or_assign(std::move(key), Entry{std::move(version), encode(object)});
    object = nullptr;  // freed as it is encoded, not after the whole list
  }
  std::vector<PendingChange> changes;
  for (auto& [key, old] : cache_) {
    if (!fresh.contains(key)) {
      changes.push_back({ObjectChange::Type::kDeleted, key, std::move(old.cbor), {}});
    }
  }
  for (const auto& [key, entry] : fresh) {
    const auto old = cache_.find(key);
    if (old == cache_.end()) {
      changes.push_back({ObjectChange::Type::kAdded, key, entry.cbor, {}});
    } else if (entry.resource_version.empty() ||
               entry.resource_version != old->second.resource_version) {
      changes.push_back(
          {ObjectChange::Type::kUpdated, key, entry.cbor, std::move(old->second.cbor)});
    }
  }
  cache_ = std::move(fresh);
  return changes;
}

std::optional<Informer::PendingChange> Informer::apply_one_locked(kube::WatcherEvent::Type type,
                                                                  nlohmann::json object) {
  std::string key = object_key(object);
  Entry entry{resource_version_of(object), encode(object)};
  const auto old = cache_.find(key);
  if (type == kube::WatcherEvent::Type::kDeleted) {
    if (old != cache_.end()) cache_.erase(old);
    return PendingChange{ObjectChange::Type::kDeleted, std::move(key), std::move(entry.cbor), {}};
  }
  if (old == cache_.end()) {
    PendingChange added{ObjectChange::Type::kAdded, key, entry.cbor, {}};
    cache_.emplace(std::move(key), std::move(entry));
    return added;
  }
  if (!entry.resource_version.empty() && entry.resource_version == old->second.resource_version) {
    return std::nullopt;
  }
  PendingChange updated{ObjectChange::Type::kUpdated, std::move(key), entry.cbor,
                        std::move(old->second.cbor)};
  old->second = std::move(entry);
  return updated;
}

void Informer::apply(kube::WatcherEvent& event) {
  std::vector<PendingChange> changes;
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
  for (auto& change : changes) {
    notify(change);
    change = {};  // each decoded and freed in turn
  }
  if (event.type == kube::WatcherEvent::Type::kRestarted && !synced_.load()) {
    // Synced once the first list is cached and its adds handed out, so a
    // controller that waits for the sync finds every key in its queue.
    const std::lock_guard lock(mutex_);
    synced_.store(true);
    synced_cv_.notify_all();
  }
}

void Informer::notify(const PendingChange& pending) {
  if (handlers_.empty()) return;
  const ObjectChange change{pending.type, pending.key, decode(pending.object),
                            decode(pending.old_object)};
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
