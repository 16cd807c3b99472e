#pragma once
// The HTTP(S) server every Zastava binary runs: the admission webhook, the
// provcache API and /metrics are listeners of one Server, served by one pool
// of worker threads. Boost-free (pimpl): the Beast/Asio machinery lives in
// server.cpp and detail/.
//
//   http::ServerConfig config;
//   http::ListenerConfig api;
//   api.name = "provcache";
//   api.port = 8443;                                  // 0: an ephemeral port
//   api.tls = http::TlsFiles{"tls.crt", "tls.key", "ca.crt"};   // CA: optional mTLS
//   api.token_file = "/var/run/secrets/zastava/token";           // optional bearer auth
//   api.handler = router.handler();
//   config.listeners.push_back(api);
//   auto server = http::Server::start(std::move(config), &registry);
//   if (!server) ... (*server)->port("provcache") ...
//
// Behaviour, per connection (one strand each; HTTP/1.1 keep-alive):
// - TLS 1.2/1.3 only, TLS 1.2 with ECDHE + AES-GCM/CHACHA20-POLY1305 only; no
//   compression, no renegotiation. The certificate, key (and client CA) are
//   re-read when their files change (checked at most once a second, on
//   accept): new connections get the new context, open ones keep theirs; a
//   broken new pair is logged and the old one kept.
// - Identity: a verified client certificate (subject, RFC 2253) or a bearer
//   token matching the token file ("bearer-token"). Handlers decide what
//   needs it.
// - Limits (Limits below): 413 body, 431 header block, 400 malformed, all
//   followed by close; a request must arrive whole within read_timeout; idle
//   keep-alive connections close after idle_timeout; connections beyond
//   max_connections are accepted and closed at once (counted).
// - A handler that throws gets a 500 with a generic message (the exception
//   is logged); the server keeps serving.
//
// Metrics (when a registry is given): http_requests_total{listener,code},
// http_request_duration_seconds{listener}, http_connections_active{listener},
// http_connections_rejected_total{listener}.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "http/message.hpp"

namespace spdlog {
class logger;
}
namespace zastava::metrics {
class Registry;
}

namespace zastava::http {

struct Limits {
  std::size_t max_body_bytes = 3u << 20;            // kube-apiserver's own request limit
  std::size_t max_header_bytes = 16u << 10;         // request line + header fields
  std::chrono::milliseconds read_timeout{10'000};   // a whole request, first byte to last
  std::chrono::milliseconds write_timeout{10'000};  // a whole response
  std::chrono::milliseconds idle_timeout{60'000};   // between keep-alive requests
  std::size_t max_connections = 1024;
  std::size_t max_requests_per_connection = 0;  // 0: unlimited
};

struct TlsFiles {
  std::string cert_file;       // PEM chain, leaf first
  std::string key_file;        // PEM private key
  std::string client_ca_file;  // empty: no client certificates asked for
};

struct ListenerConfig {
  std::string name;  // the metrics label and port() key, e.g. "webhook"
  std::string address = "0.0.0.0";
  std::uint16_t port = 0;       // 0: ephemeral (port() reports it)
  std::optional<TlsFiles> tls;  // nullopt: plain HTTP (for /metrics)
  std::string token_file;       // empty: no bearer token authentication
  Handler handler;
  Limits limits;
};

struct ServerConfig {
  std::vector<ListenerConfig> listeners;
  unsigned threads = 0;                            // 0: std::thread::hardware_concurrency()
  std::chrono::milliseconds stop_timeout{10'000};  // for in-flight requests in stop()
  std::shared_ptr<spdlog::logger> logger;          // null: spdlog's default logger
};

class Server {
 public:
  // Loads the TLS files and token files, binds every listener and starts the
  // worker threads. kInvalidArgument for a bad config (no listeners, a
  // listener without a handler, duplicate names), kCrypto for TLS files that
  // do not load, kIo when an address cannot be bound.
  static Result<std::unique_ptr<Server>> start(ServerConfig config,
                                               metrics::Registry* registry = nullptr);
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port of the listener with this name (0 when there is none).
  [[nodiscard]] std::uint16_t port(std::string_view listener_name) const;

  // Stops accepting, closes idle connections, lets in-flight requests finish
  // (their responses say Connection: close) until stop_timeout, then closes
  // what is left and joins the threads. Idempotent. Must not be called from a
  // handler (it waits for the worker threads).
  void stop();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace zastava::http
