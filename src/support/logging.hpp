#pragma once
// Structured logging shared by the binaries: spdlog to stderr, as readable text
// or as JSON lines ({"ts","level","logger","msg"}) for log collectors.
//
// A server logs a line or two per request, so its logger can be
// asynchronous (LogOptions::asynchronous): the line is formatted by the
// caller, handed to a LineWriter, and a dedicated thread writes what has
// accumulated with one write() a batch instead of one locked write a line.
// The queue is bounded: when the writer falls behind (a blocked stderr
// pipe), lines are dropped and counted, and the next line that gets through
// is followed by a warning saying how many were lost. Errors and worse, and
// flush(), wait until everything before them is written (1 s at most).

#include <chrono>
#include <cstddef>
#include <cstdint>
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
  bool asynchronous = false;   // a LineWriter thread writes the lines (see above)
};

// LineWriter's settings and counters (see LineWriter below).
struct LineWriterOptions {
  std::size_t max_pending_bytes = 8u << 20;
  std::chrono::milliseconds batch_window{10};
  std::chrono::milliseconds flush_timeout{1000};  // flush() waits at most this long
};

struct LineWriterStats {
  std::uint64_t written_lines = 0;
  std::uint64_t dropped_lines = 0;
  std::uint64_t write_errors = 0;  // failed write() calls (their batch is lost)
};

// Lines written to a file descriptor by a dedicated thread, in batches: one
// write() for everything queued since the last one (it waits up to
// `batch_window` for more once a line arrives). Bounded: a line that would
// take the queue over `max_pending_bytes` is dropped and counted, never
// waited for. Thread-safe.
//
//   auto audit = support::LineWriter::open_file("/var/log/zastava/audit.jsonl");
//   if (!(*audit)->write_line(record)) ... dropped: count it ...
class LineWriter {
 public:
  using Options = LineWriterOptions;
  using Stats = LineWriterStats;

  // Writes to `fd`, which the caller keeps open (stderr: 2) until this is destroyed.
  explicit LineWriter(int fd, Options options);
  explicit LineWriter(int fd) : LineWriter(fd, Options{}) {}
  // Opens (creates) `path` for appending and owns it; kIo naming the path.
  static Result<std::unique_ptr<LineWriter>> open_file(const std::string& path,
                                                       Options options = {});
  ~LineWriter();  // writes what is queued, then stops the thread
  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;

  // Queues `line` and a newline; false when it was dropped (queue full).
  bool write_line(std::string_view line);
  // Waits until every line queued before the call is written, or
  // options.flush_timeout (a blocked pipe must not wedge the caller).
  void flush();
  [[nodiscard]] Stats stats() const;
  // Lines dropped since the last call (to report the loss once).
  std::uint64_t take_unreported_drops();

 private:
  struct State;
  LineWriter(int fd, bool owns_fd, Options options);
  std::unique_ptr<State> state_;
};

Result<LogFormat> parse_log_format(std::string_view text);

// A logger named `name` writing to stderr in the requested format
// (asynchronously when asked: see above). Fails on an unknown level. The
// caller decides whether to make it spdlog's default, and flushes it before
// exiting.
Result<std::shared_ptr<spdlog::logger>> make_logger(std::string name, const LogOptions& options);

// Formats one JSON log line (no trailing newline); exposed for tests.
std::string format_json_line(std::string_view timestamp, std::string_view level,
                             std::string_view logger, std::string_view message);

}  // namespace zastava::support
