#pragma once
// The in-process layer of the tiered provcache: a bounded, thread-safe LRU
// map from VeriKey to ProvcacheEntry.
//
// Invalidation races. A lookup that misses here reads Valkey or PostgreSQL
// and then fills this cache; an invalidation may land in between, and the
// fill would bring a revoked entry back. So every invalidation (remove_if,
// clear) advances a generation, a lookup takes generation() before reading
// the lower layers, and insert_if_current() drops the fill when the
// generation has moved since.
//
//   auto gen = lru.generation();
//   auto entry = valkey.get(key);          // slow, unlocked
//   lru.insert_if_current(*entry, gen);    // no-op if an invalidation ran meanwhile

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "provcache/entry.hpp"

namespace zastava::provcache {

class LruCache {
 public:
  explicit LruCache(std::size_t capacity);  // capacity 0 disables the cache

  // The entry, moved to the front; expired entries (expiresAt <= now) are
  // dropped and missed.
  std::optional<ProvcacheEntry> get(std::string_view veri_key, std::int64_t now_seconds);

  // Insert or replace; evicts the least recently used beyond capacity.
  void insert(const ProvcacheEntry& entry);
  // insert() only when no invalidation ran since `generation` was read.
  // Returns whether it inserted.
  bool insert_if_current(const ProvcacheEntry& entry, std::uint64_t generation);

  [[nodiscard]] std::uint64_t generation() const;

  // Removes every entry `predicate` accepts, returns their keys; advances the
  // generation (even when nothing matched).
  std::vector<std::string> remove_if(const std::function<bool(const ProvcacheEntry&)>& predicate);
  void erase(std::string_view veri_key);  // also advances the generation
  void clear();                           // advances the generation

  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

 private:
  using Order = std::list<ProvcacheEntry>;
  void insert_locked(const ProvcacheEntry& entry);

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  Order order_;  // front = most recently used
  std::unordered_map<std::string, Order::iterator> index_;
  std::uint64_t generation_ = 0;
};

}  // namespace zastava::provcache
