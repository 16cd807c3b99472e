#pragma once
// A small synchronous HTTP(S) client: what `stella prov import --lazy-fetch`
// and the end-to-end tests use to talk to a Zastava server. Boost-free header.
//
//   http::ClientOptions options;
//   options.ca_file = "ca.crt";           // verifies the chain and the host name (or IP)
//   options.bearer_token = token;         // optional; client_cert_file/_key_file for mTLS
//   auto client = http::Client::connect("https://127.0.0.1:8443", options);
//   auto response = (*client)->get("/v1/provcache/sha256:...");
//
// One connection, kept alive between requests and reopened when the server
// closed it (a request on a connection found closed before any response
// byte is retried once on a new one). Every step has a timeout; a response
// body over max_body_bytes is an error. Not thread-safe: one Client a thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "http/url.hpp"

namespace zastava::http {

struct ClientOptions {
  std::string ca_file;           // required for https
  std::string client_cert_file;  // optional client certificate (mTLS)
  std::string client_key_file;
  std::string bearer_token;  // sent as "Authorization: Bearer <token>" when set
  std::chrono::milliseconds connect_timeout{5'000};   // TCP connect + TLS handshake
  std::chrono::milliseconds request_timeout{30'000};  // request written + response read
  std::size_t max_body_bytes = 64u << 20;
};

struct ClientResponse {
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;

  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
};

class Client {
 public:
  // Connects (and handshakes) now. kInvalidArgument for a bad URL or
  // options, kCrypto for unloadable TLS files, kIo for connect/TLS failures
  // (including a server certificate that does not verify).
  static Result<std::unique_ptr<Client>> connect(std::string_view base_url, ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // `target` is the path and query ("/v1/provcache/x?y=1"). kIo on network
  // errors or timeouts, kParse on a malformed or too large response.
  Result<ClientResponse> request(
      std::string_view method, std::string_view target, std::string body = {},
      std::string_view content_type = {},
      const std::vector<std::pair<std::string, std::string>>& headers = {});
  Result<ClientResponse> get(std::string_view target) { return request("GET", target); }
  Result<ClientResponse> post(std::string_view target, std::string body,
                              std::string_view content_type = "application/json") {
    return request("POST", target, std::move(body), content_type);
  }

  // Whether a connection is open now (false after the server said close).
  [[nodiscard]] bool connected() const noexcept;
  // The certificate the server presented on the current connection:
  // subject (RFC 2253) and serial (hex). Empty for plain HTTP or when closed.
  [[nodiscard]] std::string peer_subject() const;
  [[nodiscard]] std::string peer_serial() const;

  struct Impl;

 private:
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// One request on a fresh connection: fetch("GET", "https://host:8443/x", {}, options).
Result<ClientResponse> fetch(std::string_view method, std::string_view url, std::string body,
                             const ClientOptions& options,
                             std::string_view content_type = "application/json");

}  // namespace zastava::http
