#pragma once
// The URLs the HTTP client accepts: http[s]://host[:port][/path[?query]],
// host a DNS name, an IPv4 address or a bracketed IPv6 address. No user
// info, no fragment.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace zastava::http {

struct Url {
  bool tls = false;
  std::string host;        // without brackets
  std::uint16_t port = 0;  // 443/80 when not given
  std::string target = "/";

  // host:port, with brackets for IPv6 (for the Host header and messages).
  [[nodiscard]] std::string authority() const;
};

// kInvalidArgument naming what is wrong.
Result<Url> parse_url(std::string_view text);

}  // namespace zastava::http
