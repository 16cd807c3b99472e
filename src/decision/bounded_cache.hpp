#pragma once
// A bounded, thread-safe map from a string key to an immutable value, for the
// admission path's memo tables: seal and statement verification results (by
// envelope id and trust set) and drift results (by baseline seal, current
// seal and quota). Every key names its inputs completely (content ids), so
// an entry never goes stale: it can only become unused, and eviction takes
// care of that.
//
// Reads take a shared lock and copy a shared_ptr, so concurrent admissions
// hitting warm entries do not serialize. When full, an insert evicts the
// oldest insertion (FIFO): simpler than LRU and, for content-addressed
// entries that are re-created on demand, just as correct. Capacity 0
// disables the cache (every find misses, inserts are dropped).

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace zastava::decision {

// Lets unordered_map<std::string, ...> be searched by string_view.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};

template <typename Value>
class BoundedCache {
 public:
  explicit BoundedCache(std::size_t capacity) : capacity_(capacity) {}

  // The value under `key`, or nullptr.
  std::shared_ptr<const Value> find(std::string_view key) const {
    std::shared_lock lock(mutex_);
    const auto it = map_.find(key);
    return it == map_.end() ? nullptr : it->second;
  }

  // Stores `value` under `key` (keeping an existing one) and returns what the
  // cache holds for the key afterwards.
  std::shared_ptr<const Value> insert(std::string key, std::shared_ptr<const Value> value) {
    if (capacity_ == 0) return value;
    std::unique_lock lock(mutex_);
    if (const auto it = map_.find(key); it != map_.end()) return it->second;
    while (map_.size() >= capacity_ && !order_.empty()) {
      map_.erase(order_.front());
      order_.pop_front();
    }
    order_.push_back(key);
    map_.emplace(std::move(key), value);
    return value;
  }

  [[nodiscard]] std::size_t size() const {
    std::shared_lock lock(mutex_);
    return map_.size();
  }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

 private:
  const std::size_t capacity_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Value>, StringHash, std::equal_to<>> map_;
  std::deque<std::string> order_;  // insertion order, oldest first
};

}  // namespace zastava::decision
