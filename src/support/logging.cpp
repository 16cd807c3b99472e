#include "support/logging.hpp"

#include <fcntl.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

namespace zastava::support {
namespace {

constexpr int kStderrFd = STDERR_FILENO;

// "2026-01-01T00:00:00.123Z". The seconds part is formatted once a second
// per thread (strftime is not free at a line per request).
std::string utc_timestamp(spdlog::log_clock::time_point when) {
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch());
  const std::time_t seconds = static_cast<std::time_t>(millis.count() / 1000);
  thread_local std::time_t cached_seconds = -1;
  thread_local std::string cached_prefix;
  if (seconds != cached_seconds) {
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    char buffer[32];
    const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &parts);
    cached_prefix.assign(buffer, n);
    cached_seconds = seconds;
  }
  const auto milli = static_cast<int>(millis.count() % 1000);
  std::string out = cached_prefix;
  out += '.';
  out += static_cast<char>('0' + milli / 100);
  out += static_cast<char>('0' + milli / 10 % 10);
  out += static_cast<char>('0' + milli % 10);
  out += 'Z';
  return out;
}

// Appends `text` as a JSON string literal. ASCII is escaped here ('"', '\\',
// control characters); text with other bytes goes through nlohmann, which
// also replaces invalid UTF-8 (a log line must never fail).
void append_json_text(std::string& out, std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      out += nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
    }
  }
  out += '"';
  std::size_t run_start = 0;  // copy runs of plain characters at once
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run_start, i - run_start);
    run_start = i + 1;
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\b') {
      out += "\\b";
    } else if (c == '\f') {
      out += "\\f";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      constexpr std::string_view kHex = "0123456789abcdef";
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  out.append(text.data() + run_start, text.size() - run_start);
  out += '"';
}

std::string_view view(spdlog::string_view_t text) {
  return {text.data(), text.size()};
}

// Renders each record as one JSON object a line.
class JsonLineFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string line =
        format_json_line(utc_timestamp(msg.time), view(spdlog::level::to_string_view(msg.level)),
                         view(msg.logger_name), view(msg.payload));
    dest.append(line.data(), line.data() + line.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonLineFormatter>();
  }
};

// The asynchronous sink: formats on the caller's thread (under the sink's
// lock: spdlog's pattern formatter is not thread-safe), queues the line.
class LineWriterSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  LineWriterSink() : writer_(kStderrFd) {}

 protected:
  // A line that got through is followed by a warning counting the lines
  // dropped before it; if that warning is dropped too, its count is carried
  // to the next line that gets through.
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const bool written = queue(msg);
    unreported_ += writer_.take_unreported_drops();
    if (!written || unreported_ == 0) return;
    const std::string notice = "log: " + std::to_string(unreported_) +
                               " lines dropped before this one (the log writer fell behind)";
    if (queue(
            spdlog::details::log_msg(msg.time, {}, msg.logger_name, spdlog::level::warn, notice))) {
      unreported_ = 0;
    } else {
      unreported_ += writer_.take_unreported_drops() - 1;  // the notice itself is not a lost line
    }
  }
  void flush_() override { writer_.flush(); }

 private:
  bool queue(const spdlog::details::log_msg& msg) {
    buffer_.clear();
    formatter_->format(msg, buffer_);
    std::string_view line(buffer_.data(), buffer_.size());
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    return writer_.write_line(line);
  }

  spdlog::memory_buf_t buffer_;   // guarded by the sink's mutex
  std::uint64_t unreported_ = 0;  // dropped lines no warning has counted yet (same mutex)
  LineWriter writer_;
};

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

// --- LineWriter ---

struct LineWriter::State {
  int fd = -1;
  bool owns_fd = false;
  Options options;
  mutable std::mutex mutex;
  std::condition_variable wake;     // the writer: lines queued, flush, stop
  std::condition_variable written;  // flush(): the queue was written
  std::string pending;              // guarded by mutex
  std::uint64_t pending_lines = 0;
  std::uint64_t queued_total = 0;  // lines ever queued
  std::uint64_t done_total = 0;    // lines ever written or lost in a failed write
  std::uint64_t unreported_drops = 0;
  bool flush_requested = false;
  bool stopping = false;
  Stats stats;
  std::thread thread;

  void run() {
    std::string batch;
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait(lock, [this] { return stopping || !pending.empty(); });
      if (pending.empty()) return;  // stopping, all written
      // Let a batch gather (unless someone waits for it).
      wake.wait_for(lock, options.batch_window, [this] {
        return stopping || flush_requested || pending.size() >= options.max_pending_bytes / 4;
      });
      batch.swap(pending);
      const std::uint64_t lines = pending_lines;
      pending_lines = 0;
      lock.unlock();
      const bool ok = write_all(fd, batch);
      batch.clear();
      lock.lock();
      if (ok) {
        stats.written_lines += lines;
      } else {
        ++stats.write_errors;
      }
      done_total += lines;
      written.notify_all();
    }
  }
};

LineWriter::LineWriter(int fd, Options options) : LineWriter(fd, false, options) {}

LineWriter::LineWriter(int fd, bool owns_fd, Options options) : state_(std::make_unique<State>()) {
  state_->fd = fd;
  state_->owns_fd = owns_fd;
  state_->options = options;
  state_->thread = std::thread([state = state_.get()] { state->run(); });
}

Result<std::unique_ptr<LineWriter>> LineWriter::open_file(const std::string& path,
                                                          Options options) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) {
    return make_error(ErrorCode::kIo, "cannot open '" + path + "': " + std::strerror(errno));
  }
  return std::unique_ptr<LineWriter>(new LineWriter(fd, true, options));
}

LineWriter::~LineWriter() {
  {
    const std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  state_->thread.join();
  if (state_->owns_fd) ::close(state_->fd);
}

bool LineWriter::write_line(std::string_view line) {
  State& s = *state_;
  bool was_empty = false;
  {
    const std::lock_guard lock(s.mutex);
    if (s.pending.size() + line.size() + 1 > s.options.max_pending_bytes) {
      ++s.stats.dropped_lines;
      ++s.unreported_drops;
      return false;
    }
    was_empty = s.pending.empty();
    s.pending.append(line.data(), line.size());
    s.pending += '\n';
    ++s.pending_lines;
    ++s.queued_total;
  }
  if (was_empty) s.wake.notify_one();  // otherwise the writer is already on its way
  return true;
}

void LineWriter::flush() {
  State& s = *state_;
  std::unique_lock lock(s.mutex);
  const std::uint64_t target = s.queued_total;
  s.flush_requested = true;
  s.wake.notify_all();
  // Bounded: a blocked stderr pipe must not wedge the callers.
  s.written.wait_for(lock, s.options.flush_timeout,
                     [&s, target] { return s.done_total >= target; });
  s.flush_requested = false;
}

LineWriter::Stats LineWriter::stats() const {
  const std::lock_guard lock(state_->mutex);
  return state_->stats;
}

std::uint64_t LineWriter::take_unreported_drops() {
  const std::lock_guard lock(state_->mutex);
  return std::exchange(state_->unreported_drops, 0);
}

// --- Formats and loggers ---

Result<LogFormat> parse_log_format(std::string_view text) {
  if (text == "text") return LogFormat::kText;
  if (text == "json") return LogFormat::kJson;
  return make_error(ErrorCode::kInvalidArgument,
                    "log format '" + std::string(text) + "' is not one of text, json");
}

std::string format_json_line(std::string_view timestamp, std::string_view level,
                             std::string_view logger, std::string_view message) {
  std::string line;
  line.reserve(64 + logger.size() + message.size() + message.size() / 8);
  line += "{\"ts\":";
  append_json_text(line, timestamp);
  line += ",\"level\":";
  append_json_text(line, level);
  line += ",\"logger\":";
  append_json_text(line, logger);
  line += ",\"msg\":";
  append_json_text(line, message);
  line += '}';
  return line;
}

Result<std::shared_ptr<spdlog::logger>> make_logger(std::string name, const LogOptions& options) {
  const auto level = spdlog::level::from_str(options.level);
  if (level == spdlog::level::off && options.level != "off") {
    return make_error(ErrorCode::kInvalidArgument,
                      "log level '" + options.level +
                          "' is not one of trace, debug, info, warn, error, critical, off");
  }
  spdlog::sink_ptr sink;
  if (options.asynchronous) {
    sink = std::make_shared<LineWriterSink>();
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }
  auto logger = std::make_shared<spdlog::logger>(std::move(name), std::move(sink));
  if (options.format == LogFormat::kJson) {
    logger->set_formatter(std::make_unique<JsonLineFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ [%n] %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(level);
  // An error is written before the call returns (it may be the last words).
  if (options.asynchronous) logger->flush_on(spdlog::level::err);
  return logger;
}

}  // namespace zastava::support
