#pragma once
// The write-behind queue of the tiered provcache (seed 000: "Provcache->>
// Postgres: INSERT (async)"). A put answers as soon as the entry is in the
// in-process LRU and Valkey; the durable copy (PostgreSQL) is written here,
// in batches, by one worker thread:
//
//   - every flush_interval (5 s), or as soon as max_batch_size (100) entries
//     wait, the worker writes them with durable.put_many(batch);
//   - the queue is bounded (max_queue): enqueue() returns false when it is
//     full and the caller writes through itself (nothing is dropped silently);
//   - a failed write keeps the batch at the front (order preserved), counts
//     the failure and retries with exponential backoff (100 ms .. 5 s);
//   - the same VeriKey queued twice is written once, with the newer entry;
//   - the destructor flushes with a deadline (10 s) and logs, with a count,
//     anything it could not write.
//
// Invalidation and the batch in flight. remove_matching() drops matching
// entries that still wait. A batch already handed to put_many cannot be
// recalled: when it commits after the invalidation removed the rows from the
// durable store, it would bring revoked entries back. So an invalidation that
// matches an entry of the batch in flight is recorded, and once the write is
// done the worker runs durable.remove_matching(request) again (retried with
// the next flush when that fails).
//
// Thread safety: every member may be called from any thread. Writes to the
// durable store are serialized (the worker and flush() never write at once).

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/result.hpp"
#include "store/provcache_store.hpp"

namespace zastava::metrics {
class Registry;
class Gauge;
class Counter;
}  // namespace zastava::metrics

namespace zastava::store {

struct WriteBehindOptions {
  std::chrono::milliseconds flush_interval{5000};
  std::size_t max_batch_size = 100;
  std::size_t max_queue = 100000;  // entries waiting or in flight
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
  std::chrono::milliseconds shutdown_deadline{10000};
};

class WriteBehindQueue {
 public:
  // `durable` must outlive the queue. `registry` may be null (no metrics):
  // provcache_write_behind_pending, _flushed_total, _failures_total.
  WriteBehindQueue(ProvcacheStore& durable, WriteBehindOptions options,
                   metrics::Registry* registry = nullptr);
  ~WriteBehindQueue();
  WriteBehindQueue(const WriteBehindQueue&) = delete;
  WriteBehindQueue& operator=(const WriteBehindQueue&) = delete;

  // Queues `entry` (replacing a waiting entry with the same VeriKey). False
  // when the queue is full: the caller must write the entry through itself.
  [[nodiscard]] bool enqueue(const ProvcacheEntry& entry);

  // Drops waiting entries `request` matches and returns their keys (sorted);
  // records the request for re-application when it matches the batch in flight.
  InvalidationResult remove_matching(const InvalidationRequest& request, std::int64_t now_seconds);

  // Writes everything waiting now, in batches, ignoring the backoff. The first
  // failure is returned and the unwritten entries stay queued.
  Status flush();

  struct Stats {
    std::size_t pending = 0;          // waiting or in flight
    std::uint64_t flushed = 0;        // entries written
    std::uint64_t failures = 0;       // failed batch writes (and re-applications)
    std::size_t reapply_pending = 0;  // invalidations still to re-apply
  };
  [[nodiscard]] Stats stats() const;

 private:
  struct Reapply {
    InvalidationRequest request;
    std::int64_t now_seconds = 0;
  };
  using Order = std::list<ProvcacheEntry>;

  void run_worker();
  // One batch from the front (and the recorded re-applications). The caller
  // holds write_mutex_.
  Status write_one_batch();
  [[nodiscard]] bool has_work_locked() const;
  void requeue_front_locked(std::vector<ProvcacheEntry> batch);
  void publish_pending_locked();
  void note_failure_locked();
  Status drain_with_deadline(std::chrono::steady_clock::time_point deadline);

  ProvcacheStore& durable_;
  const WriteBehindOptions options_;
  metrics::Gauge* pending_gauge_ = nullptr;
  metrics::Counter* flushed_counter_ = nullptr;
  metrics::Counter* failures_counter_ = nullptr;

  std::mutex write_mutex_;  // held while writing to durable_; taken before mutex_
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  Order pending_;  // front = oldest
  std::unordered_map<std::string, Order::iterator> index_;
  std::vector<ProvcacheEntry> in_flight_;  // written only under both mutexes
  std::vector<Reapply> reapply_;
  std::uint64_t flushed_ = 0;
  std::uint64_t failures_ = 0;
  std::chrono::milliseconds backoff_{0};  // 0: not backing off
  std::chrono::steady_clock::time_point retry_at_{};
  bool stopping_ = false;
  std::thread worker_;  // last: starts after everything above exists
};

}  // namespace zastava::store
