#pragma once
// zastava-webhook assembled: every part the binary runs, started in
// dependency order and stopped in reverse.
//
//   metrics registry ─┬─ policy watcher (--policy-file, polled)
//                     ├─ provcache store (embedded, or Valkey → PostgreSQL)
//                     ├─ artifact store (seals, VEX, SBOMs, findings)
//                     ├─ Kubernetes client (optional): EventRecorder + namespace-label watch
//                     ├─ Decider (src/decision) ← AdmissionEndpoint (/validate)
//                     ├─ ProvcacheApi + IngestionApi (the API listener)
//                     └─ http::Server: webhook (TLS), api (TLS), metrics (plain)
//
// /readyz answers 200 while a policy is loaded and the stores answer their
// readiness probes (store_health.hpp: probed every --readiness-interval;
// Valkey down behind PostgreSQL is ready but "degraded"), else 503 with the
// reason; /healthz is 200 while the process serves.
//
// stop(): the server stops first (in-flight requests finish), then the
// Events queue is flushed and the stores flush their write-behind queues as
// they are destroyed.

#include <cstdint>
#include <memory>
#include <string_view>

#include "base/result.hpp"
#include "config.hpp"

namespace spdlog {
class logger;
}

namespace zastava::webhook {

class WebhookApp {
 public:
  static Result<std::unique_ptr<WebhookApp>> start(const WebhookConfig& config,
                                                   std::shared_ptr<spdlog::logger> logger);
  ~WebhookApp();  // stop()
  WebhookApp(const WebhookApp&) = delete;
  WebhookApp& operator=(const WebhookApp&) = delete;

  // "webhook", "api" or "metrics": the bound port.
  [[nodiscard]] std::uint16_t port(std::string_view listener) const;
  void stop();

  struct Parts;

 private:
  explicit WebhookApp(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace zastava::webhook
