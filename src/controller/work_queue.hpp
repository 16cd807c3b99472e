#pragma once
// WorkQueue: client-go's rate-limited work queue for controllers.
//
//   queue.add("payments/strict");            // from an informer's handler
//   while (auto key = queue.get(stop)) {     // a worker thread
//     Status done = reconcile(*key);
//     if (done) queue.forget(*key); else queue.add_rate_limited(*key);
//     queue.done(*key);
//   }
//
// Guarantees (the ones controllers rely on):
//   - a key is queued at most once however often it is added (de-duplicated);
//   - a key is never handed to two workers at once: added while a worker
//     holds it, it is queued again only when that worker calls done();
//   - add_after / add_rate_limited delay a key (the rate limiter decides how
//     long: per-item exponential backoff under an overall token bucket); a
//     delayed key that is added plainly meanwhile runs at once (its delay is
//     dropped); of two delays for one key the earlier wins; delaying a key
//     that is already queued does nothing;
//   - shut_down() wakes every get(), which then returns nullopt; keys still
//     queued are dropped.
// Keys come out in the order they were first added (FIFO). Thread-safe; the
// delaying is done by get() itself, so the queue owns no thread.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <string_view>

#include "controller/rate_limiter.hpp"

namespace zastava::controller {

struct WorkQueueStats {
  std::uint64_t adds = 0;      // add() calls that queued the key (not de-duplicated ones)
  std::uint64_t retries = 0;   // add_rate_limited() calls
  std::size_t depth = 0;       // keys queued now (not delayed, not processing)
  std::size_t delayed = 0;     // keys waiting for their delay
  std::size_t processing = 0;  // keys handed out and not yet done()
};

class WorkQueue {
 public:
  using Clock = std::chrono::steady_clock;

  explicit WorkQueue(RateLimiterOptions rate_limits = {});
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void add(std::string_view key);
  void add_after(std::string_view key, std::chrono::milliseconds delay);
  // add_after(key, the rate limiter's delay for it).
  void add_rate_limited(std::string_view key);
  // Resets the key's backoff (call after a success).
  void forget(std::string_view key);
  // The key's failures since it was last forgotten.
  [[nodiscard]] std::uint32_t retries(std::string_view key) const;

  // Blocks until a key is ready, the queue is shut down or `stop` is
  // requested (both: nullopt). The caller must call done(key) afterwards.
  std::optional<std::string> get(std::stop_token stop = {});
  void done(std::string_view key);

  void shut_down();
  [[nodiscard]] bool shutting_down() const;
  [[nodiscard]] WorkQueueStats stats() const;

 private:
  void queue_locked(const std::string& key);
  void cancel_delay_locked(std::string_view key);
  void promote_due_locked(Clock::time_point now);

  mutable std::mutex mutex_;
  std::condition_variable_any ready_;
  std::deque<std::string> queue_;
  std::set<std::string, std::less<>> dirty_;       // queued, or to be re-queued at done()
  std::set<std::string, std::less<>> processing_;  // handed out
  std::multimap<Clock::time_point, std::string> delayed_;
  std::map<std::string, Clock::time_point, std::less<>> delayed_until_;  // earliest per key
  ControllerRateLimiter rate_limiter_;
  bool shutting_down_ = false;
  std::uint64_t adds_ = 0;
  std::uint64_t retries_ = 0;
};

}  // namespace zastava::controller
