#include "http/url.hpp"

#include <charconv>

namespace zastava::http {
namespace {

Error bad_url(std::string_view text, std::string_view why) {
  return make_error(ErrorCode::kInvalidArgument,
                    "bad URL '" + std::string(text) + "': " + std::string(why));
}

Result<std::uint16_t> parse_port(std::string_view digits) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value == 0 ||
      value > 65535) {
    return make_error(ErrorCode::kInvalidArgument, "bad port");
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string Url::authority() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<Url> parse_url(std::string_view text) {
  Url url;
  std::string_view rest;
  if (text.starts_with("https://")) {
    url.tls = true;
    rest = text.substr(8);
  } else if (text.starts_with("http://")) {
    rest = text.substr(7);
  } else {
    return bad_url(text, "the scheme must be http or https");
  }
  const std::size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    if (rest[slash] == '#' || rest.find('#') != std::string_view::npos) {
      return bad_url(text, "fragments are not allowed");
    }
    url.target = std::string(rest.substr(slash));
    if (url.target.front() == '?') url.target.insert(0, "/");
  }
  if (authority.find('@') != std::string_view::npos) return bad_url(text, "user info not allowed");
  std::string_view port_text;
  if (authority.starts_with("[")) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad_url(text, "unclosed [");
    url.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad_url(text, "junk after ]");
      port_text = after.substr(1);
      if (port_text.empty()) return bad_url(text, "empty port");
    }
  } else {
    const std::size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return bad_url(text, "empty port");
    }
  }
  if (url.host.empty()) return bad_url(text, "no host");
  if (port_text.empty()) {
    url.port = url.tls ? 443 : 80;
  } else {
    auto port = parse_port(port_text);
    if (!port) return bad_url(text, "bad port");
    url.port = *port;
  }
  return url;
}

}  // namespace zastava::http
