#pragma once
// What the listeners and sessions of one Server share (internal): the
// logger, the stopping flag, the registry of live sessions stop() walks, and
// per listener its handler, limits, TLS source, token file and metrics.

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "http/bearer_token.hpp"
#include "http/detail/tls_context.hpp"
#include "http/server.hpp"
#include "metrics/registry.hpp"

namespace zastava::http::detail {

// A connection as stop() sees it. Both calls are thread-safe (they post to
// the session's strand).
class SessionControl {
 public:
  virtual ~SessionControl() = default;
  // Close now if idle; otherwise finish the request in flight, then close.
  virtual void begin_stop() = 0;
  // Close now, whatever the state.
  virtual void force_close() = 0;
};

class SessionRegistry {
 public:
  std::uint64_t add(std::weak_ptr<SessionControl> session);
  void remove(std::uint64_t id);
  [[nodiscard]] std::vector<std::shared_ptr<SessionControl>> live() const;
  // True when no session is left before the deadline.
  bool wait_until_empty(std::chrono::steady_clock::time_point deadline);

 private:
  mutable std::mutex mutex_;
  std::condition_variable emptied_;
  std::uint64_t next_id_ = 1;  // 0: never registered
  std::map<std::uint64_t, std::weak_ptr<SessionControl>> sessions_;
};

struct ServerShared {
  std::shared_ptr<spdlog::logger> logger;
  std::atomic<bool> stopping{false};
  SessionRegistry sessions;
};

// The series of one listener; all null without a registry.
class ListenerMetrics {
 public:
  ListenerMetrics(metrics::Registry* registry, const std::string& listener);
  void request_done(unsigned status, double seconds);
  void connection_opened() const;
  void connection_closed() const;
  void connection_rejected() const;

 private:
  metrics::Registry* registry_;
  std::string listener_;
  std::array<std::atomic<metrics::Counter*>, 600> by_status_{};  // lazily registered
  metrics::Histogram* duration_ = nullptr;
  metrics::Gauge* active_ = nullptr;
  metrics::Counter* rejected_ = nullptr;
};

struct ListenerState {
  ListenerState(ListenerConfig config, std::shared_ptr<ServerShared> server_shared,
                metrics::Registry* registry)
      : name(config.name),
        handler(std::move(config.handler)),
        limits(config.limits),
        server(std::move(server_shared)),
        metrics(registry, config.name) {}

  std::string name;
  Handler handler;
  Limits limits;
  std::shared_ptr<ServerShared> server;
  std::unique_ptr<TlsContextSource> tls;   // null: plain HTTP
  std::unique_ptr<BearerTokenFile> token;  // null: no bearer authentication
  std::atomic<std::size_t> active_connections{0};
  ListenerMetrics metrics;
};

}  // namespace zastava::http::detail
