#include "store/write_behind_queue.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>
#include <utility>

#include "metrics/registry.hpp"

namespace zastava::store {

namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

WriteBehindQueue::WriteBehindQueue(ProvcacheStore& durable, WriteBehindOptions options,
                                   metrics::Registry* registry)
    : durable_(durable), options_(options) {
  if (registry != nullptr) {
    pending_gauge_ = &registry->gauge("provcache_write_behind_pending",
                                      "Entries waiting to be written to the durable store");
    flushed_counter_ = &registry->counter("provcache_write_behind_flushed_total",
                                          "Entries written to the durable store by write-behind");
    failures_counter_ = &registry->counter("provcache_write_behind_failures_total",
                                           "Failed write-behind batch writes");
  }
  worker_ = std::thread([this] { run_worker(); });
}

WriteBehindQueue::~WriteBehindQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
  const auto status = drain_with_deadline(Clock::now() + options_.shutdown_deadline);
  const auto left = stats();
  if (!status.ok() || left.pending > 0 || left.reapply_pending > 0) {
    spdlog::error(
        "provcache write-behind: shutting down with {} entries not written and {} invalidations "
        "not re-applied to the {} store: {}",
        left.pending, left.reapply_pending, durable_.name(),
        status.ok() ? std::string("deadline passed") : status.error().describe());
  }
}

bool WriteBehindQueue::enqueue(const ProvcacheEntry& entry) {
  std::size_t waiting = 0;
  {
    std::lock_guard lock(mutex_);
    if (auto found = index_.find(entry.veri_key()); found != index_.end()) {
      *found->second = entry;  // same key: the newer entry, same place in line
      return true;
    }
    if (pending_.size() + in_flight_.size() >= options_.max_queue) return false;
    pending_.push_back(entry);
    index_.emplace(entry.veri_key(), std::prev(pending_.end()));
    publish_pending_locked();
    waiting = pending_.size();
  }
  if (waiting >= options_.max_batch_size) wake_.notify_one();
  return true;
}

InvalidationResult WriteBehindQueue::remove_matching(const InvalidationRequest& request,
                                                     std::int64_t now_seconds) {
  InvalidationResult removed;
  std::lock_guard lock(mutex_);
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (provcache::matches(request, *it, now_seconds)) {
      removed.veri_keys.push_back(it->veri_key());
      index_.erase(it->veri_key());
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  const bool hits_in_flight = std::any_of(
      in_flight_.begin(), in_flight_.end(),
      [&](const ProvcacheEntry& entry) { return provcache::matches(request, entry, now_seconds); });
  if (hits_in_flight) reapply_.push_back(Reapply{request, now_seconds});
  publish_pending_locked();
  std::sort(removed.veri_keys.begin(), removed.veri_keys.end());
  return removed;
}

Status WriteBehindQueue::flush() {
  std::lock_guard write_lock(write_mutex_);
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (!has_work_locked()) return ok_status();
    }
    if (auto status = write_one_batch(); !status.ok()) return status;
  }
}

WriteBehindQueue::Stats WriteBehindQueue::stats() const {
  std::lock_guard lock(mutex_);
  return Stats{pending_.size() + in_flight_.size(), flushed_, failures_, reapply_.size()};
}

void WriteBehindQueue::run_worker() {
  std::unique_lock lock(mutex_);
  auto next_interval = Clock::now() + options_.flush_interval;
  while (!stopping_) {
    const bool backing_off = backoff_.count() > 0;
    const auto seen_retry_at = retry_at_;  // flush() on another thread may start a backoff
    const auto wake_at = backing_off ? retry_at_ : next_interval;
    const auto batch_ready = [&] {
      return !backing_off && pending_.size() >= options_.max_batch_size;
    };
    wake_.wait_until(lock, wake_at,
                     [&] { return stopping_ || batch_ready() || retry_at_ != seen_retry_at; });
    if (stopping_) break;
    if (retry_at_ != seen_retry_at) continue;  // plan again with the new backoff
    const bool due = Clock::now() >= wake_at;
    if (!due && !batch_ready()) continue;
    if (!backing_off && due) next_interval = Clock::now() + options_.flush_interval;
    if (!has_work_locked()) {
      backoff_ = std::chrono::milliseconds{0};  // nothing left to retry
      continue;
    }

    lock.unlock();
    {
      std::lock_guard write_lock(write_mutex_);
      for (;;) {
        if (!write_one_batch().ok()) break;
        std::lock_guard check(mutex_);
        if (!has_work_locked() || stopping_) break;
      }
    }
    lock.lock();
  }
}

Status WriteBehindQueue::write_one_batch() {
  std::vector<Reapply> reapply;
  {
    std::lock_guard lock(mutex_);
    const auto take = std::min(options_.max_batch_size, pending_.size());
    in_flight_.reserve(take);
    for (std::size_t i = 0; i < take; ++i) {
      index_.erase(pending_.front().veri_key());
      in_flight_.push_back(std::move(pending_.front()));
      pending_.pop_front();
    }
  }

  // in_flight_ only changes under write_mutex_, which this thread holds.
  Status written = in_flight_.empty() ? ok_status() : durable_.put_many(in_flight_);

  {
    std::lock_guard lock(mutex_);
    const auto batch_size = in_flight_.size();
    auto batch = std::move(in_flight_);
    in_flight_.clear();
    if (written.ok()) {
      flushed_ += batch_size;
      if (flushed_counter_ != nullptr) flushed_counter_->inc(batch_size);
    } else {
      note_failure_locked();
      requeue_front_locked(std::move(batch));
    }
    reapply = std::move(reapply_);
    reapply_.clear();
    publish_pending_locked();
  }

  // Invalidations that arrived while the batch was in flight: the write may
  // have brought their entries back, so remove them again.
  std::vector<Reapply> failed;
  for (auto& item : reapply) {
    auto removed = durable_.remove_matching(item.request, item.now_seconds);
    if (!removed.ok()) {
      if (written.ok()) written = removed.error();
      failed.push_back(std::move(item));
    }
  }

  std::lock_guard lock(mutex_);
  if (!failed.empty()) {
    note_failure_locked();
    reapply_.insert(reapply_.begin(), std::make_move_iterator(failed.begin()),
                    std::make_move_iterator(failed.end()));
  }
  if (written.ok()) backoff_ = std::chrono::milliseconds{0};
  return written;
}

bool WriteBehindQueue::has_work_locked() const {
  return !pending_.empty() || !reapply_.empty();
}

void WriteBehindQueue::requeue_front_locked(std::vector<ProvcacheEntry> batch) {
  // Entries invalidated while in flight stay dropped; a key queued again
  // meanwhile keeps its newer entry.
  const auto invalidated = [this](const ProvcacheEntry& entry) {
    return std::any_of(reapply_.begin(), reapply_.end(), [&](const Reapply& item) {
      return provcache::matches(item.request, entry, item.now_seconds);
    });
  };
  auto insert_at = pending_.begin();
  for (auto& entry : batch) {
    if (index_.contains(entry.veri_key())) continue;
    if (invalidated(entry)) continue;
    auto key = entry.veri_key();
    auto placed = pending_.insert(insert_at, std::move(entry));
    index_.emplace(std::move(key), placed);
  }
}

void WriteBehindQueue::publish_pending_locked() {
  if (pending_gauge_ != nullptr) {
    pending_gauge_->set(static_cast<double>(pending_.size() + in_flight_.size()));
  }
}

void WriteBehindQueue::note_failure_locked() {
  ++failures_;
  if (failures_counter_ != nullptr) failures_counter_->inc();
  backoff_ = backoff_.count() == 0 ? options_.initial_backoff
                                   : std::min(backoff_ * 2, options_.max_backoff);
  retry_at_ = Clock::now() + backoff_;
  wake_.notify_all();
}

Status WriteBehindQueue::drain_with_deadline(Clock::time_point deadline) {
  std::lock_guard write_lock(write_mutex_);
  auto pause = options_.initial_backoff;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (!has_work_locked()) return ok_status();
    }
    auto status = write_one_batch();
    if (status.ok()) continue;
    if (Clock::now() + pause >= deadline) return status;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, options_.max_backoff);
  }
}

}  // namespace zastava::store
