#include "store/postgres_conninfo.hpp"

#include <libpq-fe.h>

#include <chrono>
#include <string_view>

namespace zastava::store {
namespace {

bool is_uri(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

}  // namespace

// The URL or conninfo with the timeouts appended (later settings win in libpq).
std::string conninfo_with_timeouts(const PostgresOptions& options) {
  const auto statement_ms = options.statement_timeout.count();
  // Unacknowledged data (a vanished host) is given up on after this long.
  const auto tcp_ms = statement_ms + std::chrono::milliseconds(options.connect_timeout).count();
  std::string info = options.url;
  if (is_uri(info)) {
    info += info.find('?') == std::string::npos ? '?' : '&';
    info += "connect_timeout=" + std::to_string(options.connect_timeout.count()) +
            "&options=-c%20statement_timeout%3D" + std::to_string(statement_ms) +
            "&tcp_user_timeout=" + std::to_string(tcp_ms) +
            "&client_encoding=UTF8&application_name=zastava";
  } else {
    info += " connect_timeout=" + std::to_string(options.connect_timeout.count()) +
            " options='-c statement_timeout=" + std::to_string(statement_ms) + "'" +
            " tcp_user_timeout=" + std::to_string(tcp_ms) +
            " client_encoding=UTF8 application_name=zastava";
  }
  return info;
}

// "host:port" from the URL or conninfo (never the password), libpq's defaults
// filled in. kInvalidArgument when libpq cannot parse it.
Result<std::string> describe_server(const std::string& url) {
  char* message = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &message);
  if (parsed == nullptr) {
    std::string text = message != nullptr ? message : "out of memory";
    PQfreemem(message);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return make_error(ErrorCode::kInvalidArgument, "postgres URL: " + text);
  }
  std::string host;
  std::string port;
  for (const PQconninfoOption* option = parsed; option->keyword != nullptr; ++option) {
    const std::string_view keyword = option->keyword;
    const char* value = option->val;
    if (value == nullptr || *value == '\0') continue;
    if (keyword == "host" || (keyword == "hostaddr" && host.empty())) host = value;
    if (keyword == "port") port = value;
  }
  PQconninfoFree(parsed);
  if (host.empty()) host = "localhost";
  if (port.empty()) port = "5432";
  return host + ":" + port;
}

}  // namespace zastava::store
