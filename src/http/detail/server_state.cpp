#include "http/detail/server_state.hpp"

namespace zastava::http::detail {

std::uint64_t SessionRegistry::add(std::weak_ptr<SessionControl> session) {
  const std::lock_guard lock(mutex_);
  const std::uint64_t id = next_id_++;
  sessions_.emplace(id, std::move(session));
  return id;
}

void SessionRegistry::remove(std::uint64_t id) {
  const std::lock_guard lock(mutex_);
  sessions_.erase(id);
  if (sessions_.empty()) emptied_.notify_all();
}

std::vector<std::shared_ptr<SessionControl>> SessionRegistry::live() const {
  const std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<SessionControl>> result;
  for (const auto& [id, weak] : sessions_) {
    if (auto session = weak.lock()) result.push_back(std::move(session));
  }
  return result;
}

bool SessionRegistry::wait_until_empty(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return emptied_.wait_until(lock, deadline, [this] { return sessions_.empty(); });
}

ListenerMetrics::ListenerMetrics(metrics::Registry* registry, const std::string& listener)
    : registry_(registry), listener_(listener) {
  if (registry_ == nullptr) return;
  const metrics::Labels labels{{"listener", listener_}};
  duration_ = &registry_->histogram("http_request_duration_seconds",
                                    "Time from a whole request read to its response written",
                                    metrics::kLatencyBuckets, labels);
  active_ = &registry_->gauge("http_connections_active", "Open connections", labels);
  rejected_ =
      &registry_->counter("http_connections_rejected_total",
                          "Connections closed at accept because of max_connections", labels);
}

void ListenerMetrics::request_done(unsigned status, double seconds) {
  if (registry_ == nullptr) return;
  duration_->observe(seconds);
  if (status >= by_status_.size()) return;
  metrics::Counter* counter = by_status_[status].load(std::memory_order_acquire);
  if (counter == nullptr) {
    // Registering twice returns the same series, so a race here is harmless.
    counter = &registry_->counter("http_requests_total", "Requests answered, by status code",
                                  {{"listener", listener_}, {"code", std::to_string(status)}});
    by_status_[status].store(counter, std::memory_order_release);
  }
  counter->inc();
}

void ListenerMetrics::connection_opened() const {
  if (active_ != nullptr) active_->add(1.0);
}

void ListenerMetrics::connection_closed() const {
  if (active_ != nullptr) active_->add(-1.0);
}

void ListenerMetrics::connection_rejected() const {
  if (rejected_ != nullptr) rejected_->inc();
}

}  // namespace zastava::http::detail
