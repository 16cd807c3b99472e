#include "kube/event_recorder.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <utility>

#include "base/utc_time.hpp"
#include "kube/api_error.hpp"
#include "kube/client.hpp"

namespace zastava::kube {
namespace {

using nlohmann::json;
using SystemClock = std::chrono::system_clock;

constexpr std::size_t kMaxNoteBytes = 1024;  // events.k8s.io/v1 limit
const ResourceRef kEvents{"events.k8s.io", "v1", "events", "", ""};

// metav1.MicroTime: "2026-11-22T16:59:07.123456Z".
std::string micro_time(SystemClock::time_point at) {
  return format_rfc3339_utc_micros(
      std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count());
}

std::string correlation_key(const EventSpec& spec) {
  const auto& r = spec.regarding;
  std::string key;
  for (const std::string* part : {&r.api_version, &r.kind, &r.namespace_, &r.name, &r.uid,
                                  &spec.type, &spec.reason, &spec.action, &spec.note}) {
    key += *part;
    key += '\x1f';
  }
  return key;
}

json regarding_json(const ObjectRef& ref) {
  json out = {{"apiVersion", ref.api_version}, {"kind", ref.kind}, {"name", ref.name}};
  if (!ref.namespace_.empty()) out["namespace"] = ref.namespace_;
  if (!ref.uid.empty()) out["uid"] = ref.uid;
  return out;
}

std::string event_namespace(const EventSpec& spec) {
  return spec.regarding.namespace_.empty() ? "default" : spec.regarding.namespace_;
}

}  // namespace

Result<json> ClientEventSink::create(const std::string& ns, const json& event) {
  return client_->create(kEvents.in(ns), event);
}

Result<json> ClientEventSink::patch(const std::string& ns, const std::string& name,
                                    const json& merge_patch) {
  return client_->merge_patch(kEvents.in(ns).named(name), merge_patch);
}

EventRecorder::EventRecorder(std::unique_ptr<EventSink> sink, EventRecorderOptions options)
    : sink_(std::move(sink)),
      options_(std::move(options)),
      bucket_(options_.qps, options_.burst),
      worker_([this] { run(); }) {}

EventRecorder::~EventRecorder() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
    flush_until_ = Clock::now() + options_.flush_deadline;
  }
  wake_.notify_all();
  worker_.join();
}

bool EventRecorder::record(EventSpec event) {
  if (event.note.size() > kMaxNoteBytes) event.note.resize(kMaxNoteBytes);
  std::string key = correlation_key(event);
  {
    const std::lock_guard lock(mutex_);
    if (stopping_) {
      ++stats_.dropped;
      return false;
    }
    if (const auto it = queued_.find(key); it != queued_.end()) {
      ++it->second->occurrences;
      it->second->last_seen = SystemClock::now();
      ++stats_.recorded;
      ++stats_.merged;
      return true;
    }
    if (queue_.size() >= options_.queue_capacity) {
      ++stats_.dropped;
      return false;
    }
    queue_.push_back(Pending{key, std::move(event), 1, SystemClock::now()});
    queued_.emplace(std::move(key), std::prev(queue_.end()));
    ++stats_.recorded;
  }
  wake_.notify_one();
  return true;
}

bool EventRecorder::wait_idle(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::unique_lock lock(mutex_);
  while (!queue_.empty() || busy_) {
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    lock.lock();
    if (Clock::now() >= deadline) return false;
  }
  return true;
}

EventRecorderStats EventRecorder::stats() const {
  const std::lock_guard lock(mutex_);
  return stats_;
}

void EventRecorder::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping with nothing left
    // Wait for a write token; at shutdown only until the flush deadline.
    for (;;) {
      const auto now = Clock::now();
      const auto ready = bucket_.next_token_at(now);
      if (ready <= now) break;
      if (stopping_ && ready > flush_until_) {
        stats_.dropped += queue_.size();
        queue_.clear();
        queued_.clear();
        return;
      }
      // Woken early only by shutdown; the bucket is the worker's alone.
      wake_.wait_until(lock, stopping_ ? std::min(ready, flush_until_) : ready);
    }
    if (stopping_ && Clock::now() > flush_until_) {
      stats_.dropped += queue_.size();
      queue_.clear();
      queued_.clear();
      return;
    }
    (void)bucket_.try_take(Clock::now());
    Pending pending = std::move(queue_.front());
    queue_.pop_front();
    queued_.erase(pending.key);
    busy_ = true;
    lock.unlock();
    write(pending);
    lock.lock();
    busy_ = false;
  }
}

void EventRecorder::write(const Pending& pending) {
  const auto now = Clock::now();
  const auto found = written_.find(pending.key);
  if (found != written_.end() && now - found->second.last_written < options_.series_window) {
    Written& written = found->second;
    const std::uint32_t count = written.count + pending.occurrences;
    const json patch = {
        {"series", {{"count", count}, {"lastObservedTime", micro_time(pending.last_seen)}}}};
    auto patched = sink_->patch(written.ns, written.name, patch);
    if (patched) {
      remember(pending.key, written.ns, written.name, count);
      const std::lock_guard lock(mutex_);
      ++stats_.patched;
      return;
    }
    if (!is_not_found(patched.error())) {
      spdlog::warn("event {} not updated: {}", written.name, patched.error().describe());
      const std::lock_guard lock(mutex_);
      ++stats_.failed;
      return;
    }
    // The Event expired (or was deleted) meanwhile: write a new one.
  }
  (void)write_new(pending, pending.occurrences);
}

bool EventRecorder::write_new(const Pending& pending, std::uint32_t count) {
  const auto now = SystemClock::now();
  const EventSpec& spec = pending.spec;
  const std::string ns = event_namespace(spec);
  char suffix[24];
  std::snprintf(
      suffix, sizeof(suffix), ".%llx",
      static_cast<unsigned long long>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count()));
  const std::string name = (spec.regarding.name.empty() ? "zastava" : spec.regarding.name) + suffix;
  json event = {{"apiVersion", "events.k8s.io/v1"},
                {"kind", "Event"},
                {"metadata", {{"name", name}, {"namespace", ns}}},
                {"eventTime", micro_time(now)},
                {"reportingController", options_.reporting_controller},
                {"reportingInstance", options_.reporting_instance},
                {"action", spec.action},
                {"reason", spec.reason},
                {"note", spec.note},
                {"type", spec.type},
                {"regarding", regarding_json(spec.regarding)}};
  if (count > 1) {
    event["series"] = {{"count", count}, {"lastObservedTime", micro_time(pending.last_seen)}};
  }
  auto created = sink_->create(ns, event);
  if (!created) {
    spdlog::warn("event {} ({}) not written: {}", spec.reason, spec.regarding.name,
                 created.error().describe());
    const std::lock_guard lock(mutex_);
    ++stats_.failed;
    return false;
  }
  remember(pending.key, ns, name, count);
  const std::lock_guard lock(mutex_);
  ++stats_.created;
  return true;
}

void EventRecorder::remember(const std::string& key, const std::string& ns, const std::string& name,
                             std::uint32_t count) {
  auto found = written_.find(key);
  if (found != written_.end()) {
    written_lru_.erase(found->second.lru);
    written_.erase(found);
  }
  written_lru_.push_front(key);
  written_.emplace(key, Written{ns, name, count, Clock::now(), written_lru_.begin()});
  while (written_.size() > options_.correlation_cache_size) {
    written_.erase(written_lru_.back());
    written_lru_.pop_back();
  }
}

}  // namespace zastava::kube
