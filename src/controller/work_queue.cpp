#include "controller/work_queue.hpp"

#include <utility>

namespace zastava::controller {

WorkQueue::WorkQueue(RateLimiterOptions rate_limits) : rate_limiter_(rate_limits) {}

WorkQueue::~WorkQueue() {
  shut_down();
}

void WorkQueue::queue_locked(const std::string& key) {
  if (!dirty_.insert(key).second) return;  // already queued, or re-queued at done()
  if (processing_.contains(key)) return;   // done() queues it
  queue_.push_back(key);
  ready_.notify_one();
}

void WorkQueue::cancel_delay_locked(std::string_view key) {
  const auto until = delayed_until_.find(key);
  if (until == delayed_until_.end()) return;
  auto [first, last] = delayed_.equal_range(until->second);
  for (auto entry = first; entry != last; ++entry) {
    if (entry->second == key) {
      delayed_.erase(entry);
      break;
    }
  }
  delayed_until_.erase(until);
}

void WorkQueue::promote_due_locked(Clock::time_point now) {
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    std::string key = std::move(delayed_.begin()->second);
    delayed_.erase(delayed_.begin());
    delayed_until_.erase(key);
    queue_locked(key);
  }
}

void WorkQueue::add(std::string_view key) {
  const std::lock_guard lock(mutex_);
  if (shutting_down_) return;
  cancel_delay_locked(key);  // a plain add runs it at once
  if (dirty_.contains(key)) return;
  ++adds_;
  queue_locked(std::string(key));
}

void WorkQueue::add_after(std::string_view key, std::chrono::milliseconds delay) {
  if (delay <= std::chrono::milliseconds(0)) {
    add(key);
    return;
  }
  const std::lock_guard lock(mutex_);
  if (shutting_down_) return;
  if (dirty_.contains(key)) return;  // it runs sooner anyway
  const Clock::time_point due = Clock::now() + delay;
  if (const auto until = delayed_until_.find(key); until != delayed_until_.end()) {
    if (until->second <= due) return;  // the earlier wake-up wins
    cancel_delay_locked(key);
  }
  delayed_.emplace(due, std::string(key));
  delayed_until_.emplace(std::string(key), due);
  ready_.notify_all();  // a waiting get() may have to wake earlier
}

void WorkQueue::add_rate_limited(std::string_view key) {
  {
    const std::lock_guard lock(mutex_);
    if (shutting_down_) return;
    ++retries_;
  }
  add_after(key, rate_limiter_.when(key));
}

void WorkQueue::forget(std::string_view key) {
  rate_limiter_.forget(key);
}

std::uint32_t WorkQueue::retries(std::string_view key) const {
  return rate_limiter_.failures(key);
}

std::optional<std::string> WorkQueue::get(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  while (true) {
    if (shutting_down_ || stop.stop_requested()) return std::nullopt;
    promote_due_locked(Clock::now());
    if (!queue_.empty()) {
      std::string key = std::move(queue_.front());
      queue_.pop_front();
      dirty_.erase(key);
      processing_.insert(key);
      return key;
    }
    const auto wake = [this] { return shutting_down_ || !queue_.empty(); };
    if (delayed_.empty()) {
      ready_.wait(lock, stop, wake);
    } else {
      // add_after() notifies, so an earlier delay added meanwhile is seen.
      const Clock::time_point next_due = delayed_.begin()->first;
      ready_.wait_until(lock, stop, next_due, [&] {
        return wake() || delayed_.empty() || delayed_.begin()->first < next_due;
      });
    }
  }
}

void WorkQueue::done(std::string_view key) {
  const std::lock_guard lock(mutex_);
  const auto found = processing_.find(key);
  if (found == processing_.end()) return;
  processing_.erase(found);
  if (shutting_down_ || !dirty_.contains(key)) return;
  queue_.emplace_back(key);
  ready_.notify_one();
}

void WorkQueue::shut_down() {
  const std::lock_guard lock(mutex_);
  shutting_down_ = true;
  queue_.clear();
  dirty_.clear();
  delayed_.clear();
  delayed_until_.clear();
  ready_.notify_all();
}

bool WorkQueue::shutting_down() const {
  const std::lock_guard lock(mutex_);
  return shutting_down_;
}

WorkQueueStats WorkQueue::stats() const {
  const std::lock_guard lock(mutex_);
  return {adds_, retries_, queue_.size(), delayed_until_.size(), processing_.size()};
}

}  // namespace zastava::controller
