#include "provcache/lru_cache.hpp"

namespace zastava::provcache {

LruCache::LruCache(std::size_t capacity) : capacity_(capacity) {}

std::optional<ProvcacheEntry> LruCache::get(std::string_view veri_key, std::int64_t now_seconds) {
  const std::lock_guard lock(mutex_);
  const auto it = index_.find(std::string(veri_key));
  if (it == index_.end()) return std::nullopt;
  if (it->second->expires_at() <= now_seconds) {
    order_.erase(it->second);
    index_.erase(it);
    return std::nullopt;
  }
  order_.splice(order_.begin(), order_, it->second);
  return *it->second;
}

void LruCache::insert(const ProvcacheEntry& entry) {
  const std::lock_guard lock(mutex_);
  insert_locked(entry);
}

bool LruCache::insert_if_current(const ProvcacheEntry& entry, std::uint64_t generation) {
  const std::lock_guard lock(mutex_);
  if (generation != generation_) return false;
  insert_locked(entry);
  return true;
}

std::uint64_t LruCache::generation() const {
  const std::lock_guard lock(mutex_);
  return generation_;
}

std::vector<std::string> LruCache::remove_if(
    const std::function<bool(const ProvcacheEntry&)>& predicate) {
  const std::lock_guard lock(mutex_);
  ++generation_;
  std::vector<std::string> removed;
  for (auto it = order_.begin(); it != order_.end();) {
    if (predicate(*it)) {
      removed.push_back(it->veri_key());
      index_.erase(it->veri_key());
      it = order_.erase(it);
    } else {
      ++it;
    }
  }
  return removed;
}

void LruCache::erase(std::string_view veri_key) {
  const std::lock_guard lock(mutex_);
  ++generation_;
  const auto it = index_.find(std::string(veri_key));
  if (it == index_.end()) return;
  order_.erase(it->second);
  index_.erase(it);
}

void LruCache::clear() {
  const std::lock_guard lock(mutex_);
  ++generation_;
  order_.clear();
  index_.clear();
}

std::size_t LruCache::size() const {
  const std::lock_guard lock(mutex_);
  return index_.size();
}

void LruCache::insert_locked(const ProvcacheEntry& entry) {
  if (capacity_ == 0) return;
  const auto it = index_.find(entry.veri_key());
  if (it != index_.end()) {
    *it->second = entry;
    order_.splice(order_.begin(), order_, it->second);
    return;
  }
  order_.push_front(entry);
  index_.emplace(entry.veri_key(), order_.begin());
  while (index_.size() > capacity_) {
    index_.erase(order_.back().veri_key());
    order_.pop_back();
  }
}

}  // namespace zastava::provcache
