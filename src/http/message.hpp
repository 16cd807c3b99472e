#pragma once
// The HTTP request and response a Handler sees: plain structs, no Boost, so
// handlers (the provcache API, the admission endpoint, /metrics) are pure
// functions tested without sockets. The server (server.hpp) converts to and
// from Boost.Beast messages.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zastava::http {

// Who the caller proved to be on this connection/request.
struct Identity {
  bool authenticated = false;
  std::string subject;  // client certificate subject, or "bearer-token"
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // "/v1/provcache/sha256:..?x=y" as received
  std::string path;    // target without the query string, percent-decoded
  std::string query;   // after '?', raw
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  Identity identity;  // filled by the server's authenticator

  // First header with this (lower-case) name.
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// {"error":{"code":status,"message":message}} with that status.
Response error_response(unsigned status, std::string_view message);
Response json_response(unsigned status, std::string body);

using Handler = std::function<Response(const Request&)>;

// ASCII lower case (header names are case-insensitive; Request keeps them lower-case).
std::string to_lower_ascii(std::string_view text);

}  // namespace zastava::http
