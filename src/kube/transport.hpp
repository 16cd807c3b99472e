#pragma once
// The HTTP/1.1-over-TLS connection layer under kube::Client (Boost.Beast in
// the .cpp only). Thread-safe: each call borrows a kept-alive connection
// from a small pool (or opens one) and gives it back when the server keeps
// it open, so a busy controller does not pay a TLS handshake per request.
// A request on a pooled connection that the server had closed meanwhile is
// retried once on a fresh one (nothing was received, so nothing happened).
//
// stream_lines() is for WATCH: it reads a chunked response as it arrives and
// hands over one line (one JSON watch event) at a time, on a connection of
// its own, until the server ends the stream, the callback says stop, the
// stream is idle too long, or `stop` is requested.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "kube/config.hpp"

namespace zastava::kube {

struct TransportOptions {
  std::chrono::milliseconds connect_timeout{5'000};  // TCP connect + TLS handshake
  std::size_t max_body_bytes = 64u << 20;
  std::size_t max_idle_connections = 4;
};

struct HttpReply {
  unsigned status = 0;
  std::string body{};
};

struct HttpCall {
  std::string_view method;
  std::string target{};  // path and query
  std::string body{};
  std::string content_type{};
  std::string authorization{};  // the whole header value, or empty
  std::chrono::milliseconds timeout{30'000};
};

class Transport {
 public:
  // kInvalidArgument for a bad server URL, kCrypto for unloadable PEMs.
  static Result<std::unique_ptr<Transport>> create(const ClusterConfig& config,
                                                   TransportOptions options = {});
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // kIo on connection errors and timeouts; any HTTP status is a reply.
  Result<HttpReply> request(const HttpCall& call);

  // Returns the status; for 200 the body went line by line to `on_line`
  // (return false to stop), for others the reply's body is returned whole.
  // `call.timeout` is the idle timeout: the longest wait for the next bytes.
  Result<HttpReply> stream_lines(const HttpCall& call,
                                 const std::function<bool(std::string_view line)>& on_line,
                                 std::stop_token stop = {});

  // TCP+TLS connections opened so far (to see keep-alive work).
  [[nodiscard]] std::uint64_t connections_opened() const noexcept;

  struct Impl;

 private:
  explicit Transport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace zastava::kube
