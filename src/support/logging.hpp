#pragma once
// Structured logging shared by the binaries: spdlog to stderr, as readable text
// or as JSON lines ({"ts","level","logger","msg"}) for log collectors.

#include <memory>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace spdlog {
class logger;
}

namespace zastava::support {

enum class LogFormat { kText, kJson };

struct LogOptions {
  LogFormat format = LogFormat::kText;
  std::string level = "info";  // trace, debug, info, warn, error, critical, off
};

Result<LogFormat> parse_log_format(std::string_view text);

// A logger named `name` writing to stderr in the requested format. Fails on an
// unknown level. The caller decides whether to make it spdlog's default.
Result<std::shared_ptr<spdlog::logger>> make_logger(std::string name, const LogOptions& options);

// Formats one JSON log line (no trailing newline); exposed for tests.
std::string format_json_line(std::string_view timestamp, std::string_view level,
                             std::string_view logger, std::string_view message);

}  // namespace zastava::support
