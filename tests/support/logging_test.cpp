#include "support/logging.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "temp_dir.hpp"

namespace zastava::support {
namespace {

using namespace std::chrono_literals;

TEST(Logging, JsonLineIsOneValidObject) {
  const std::string line =
      format_json_line("2026-01-01T00:00:00.000Z", "info", "webhook", "allowed \"pod\"\nnext line");
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["msg"], "allowed \"pod\"\nnext line");
  EXPECT_EQ(parsed["level"], "info");
  EXPECT_EQ(parsed["logger"], "webhook");
  EXPECT_EQ(parsed["ts"], "2026-01-01T00:00:00.000Z");
}

TEST(Logging, InvalidUtf8IsReplacedNotThrown) {
  const std::string line = format_json_line("t", "warn", "x", std::string("bad \xff byte"));
  EXPECT_TRUE(nlohmann::json::accept(line));
}

TEST(Logging, MakeLoggerValidatesLevel) {
  auto ok = make_logger("t", LogOptions{LogFormat::kJson, "debug"});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)->level(), spdlog::level::debug);
  auto bad = make_logger("t", LogOptions{LogFormat::kText, "loud"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST(Logging, ParseLogFormat) {
  EXPECT_EQ(*parse_log_format("json"), LogFormat::kJson);
  EXPECT_EQ(*parse_log_format("text"), LogFormat::kText);
  EXPECT_FALSE(parse_log_format("xml").ok());
}

// --- LineWriter ---
// The writer's fd is a pipe (read by a thread, or left full so that write()
// blocks) or a temporary file. Nothing sleeps a fixed time: waits poll a
// condition against a generous deadline (the machine may be loaded).

bool eventually(const std::function<bool()>& condition, std::chrono::seconds limit = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return condition();
}

void set_nonblocking(int fd, bool nonblocking) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) throw std::runtime_error("fcntl(F_GETFL) failed");
  const int wanted = nonblocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (::fcntl(fd, F_SETFL, wanted) != 0) throw std::runtime_error("fcntl(F_SETFL) failed");
}

// A pipe; both ends are closed with it.
class Pipe {
 public:
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    read_end_ = fds[0];
    write_end_ = fds[1];
  }
  ~Pipe() {
    close_write_end();
    if (read_end_ >= 0) ::close(read_end_);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  [[nodiscard]] int read_end() const { return read_end_; }
  [[nodiscard]] int write_end() const { return write_end_; }
  void close_write_end() {
    if (write_end_ >= 0) ::close(write_end_);
    write_end_ = -1;
  }

  // Writes filler bytes until the pipe is full (the next blocking write()
  // blocks); returns how many.
  std::size_t fill() {
    set_nonblocking(write_end_, true);
    const std::string chunk(4096, '#');
    std::size_t filled = 0;
    for (const std::size_t size : {chunk.size(), std::size_t{1}}) {
      for (;;) {
        const ssize_t n = ::write(write_end_, chunk.data(), size);
        if (n <= 0) break;  // EAGAIN: full for writes of this size
        filled += static_cast<std::size_t>(n);
      }
    }
    set_nonblocking(write_end_, false);
    return filled;
  }

  // What can be read right now (the read end is left blocking).
  std::string read_available() {
    set_nonblocking(read_end_, true);
    std::string out;
    char buffer[65536];
    for (;;) {
      const ssize_t n = ::read(read_end_, buffer, sizeof buffer);
      if (n <= 0) break;
      out.append(buffer, static_cast<std::size_t>(n));
    }
    set_nonblocking(read_end_, false);
    return out;
  }

 private:
  int read_end_ = -1;
  int write_end_ = -1;
};

// Reads a pipe on a thread until end of file. finish() closes the pipe's
// write end (whoever writes to it must be done) and returns everything read.
class PipeDrain {
 public:
  explicit PipeDrain(Pipe& pipe) : pipe_(pipe), thread_([this] { run(); }) {}
  ~PipeDrain() { static_cast<void>(finish()); }
  PipeDrain(const PipeDrain&) = delete;
  PipeDrain& operator=(const PipeDrain&) = delete;

  [[nodiscard]] std::string text() const {
    const std::lock_guard lock(mutex_);
    return text_;
  }
  std::string finish() {
    if (thread_.joinable()) {
      pipe_.close_write_end();
      thread_.join();
    }
    return text();
  }

 private:
  void run() {
    char buffer[65536];
    for (;;) {
      const ssize_t n = ::read(pipe_.read_end(), buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      const std::lock_guard lock(mutex_);
      text_.append(buffer, static_cast<std::size_t>(n));
    }
  }

  Pipe& pipe_;
  mutable std::mutex mutex_;
  std::string text_;
  std::thread thread_;
};

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

using zastava::testing::TempDir;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(LineWriter, LinesFromSeveralThreadsArriveCompleteAndInOrder) {
  constexpr int kThreads = 4;
  constexpr int kLinesEach = 5000;
  Pipe pipe;
  PipeDrain drain(pipe);
  {
    LineWriter writer(pipe.write_end());
    std::vector<std::thread> producers;
    std::atomic<int> dropped{0};
    for (int t = 0; t < kThreads; ++t) {
      producers.emplace_back([&writer, &dropped, t] {
        for (int i = 0; i < kLinesEach; ++i) {
          if (!writer.write_line("p" + std::to_string(t) + " " + std::to_string(i))) ++dropped;
        }
      });
    }
    for (std::thread& producer : producers) producer.join();
    EXPECT_EQ(dropped.load(), 0);
    EXPECT_TRUE(eventually([&] {
      return writer.stats().written_lines == std::uint64_t{kThreads} * kLinesEach;
    })) << writer.stats().written_lines;
    EXPECT_EQ(writer.stats().dropped_lines, 0u);
    EXPECT_EQ(writer.stats().write_errors, 0u);
  }
  const std::vector<std::string> lines = split_lines(drain.finish());
  ASSERT_EQ(lines.size(), std::size_t{kThreads} * kLinesEach);
  std::vector<int> next(kThreads, 0);
  for (const std::string& line : lines) {
    int thread = -1;
    int index = -1;
    char extra = 0;
    ASSERT_EQ(std::sscanf(line.c_str(), "p%d %d%c", &thread, &index, &extra), 2)
        << "torn line: " << line;
    ASSERT_GE(thread, 0);
    ASSERT_LT(thread, kThreads);
    const auto slot = static_cast<std::size_t>(thread);
    ASSERT_EQ(index, next[slot]) << "line out of order: " << line;
    ++next[slot];
  }
}

TEST(LineWriter, FullQueueDropsAndCountsLines) {
  Pipe pipe;
  const std::size_t filler = pipe.fill();  // the writer's first write() blocks
  std::vector<std::string> accepted;
  std::uint64_t refused = 0;
  std::optional<PipeDrain> drain;  // started once the drops are counted
  {
    LineWriterOptions options;
    options.max_pending_bytes = 100;  // eleven "line-NNN\n" (9 bytes)
    LineWriter writer(pipe.write_end(), options);
    // The writer takes at most one batch (<= 100 bytes) into its blocked
    // write(); beyond another 100 bytes queued, lines are refused. (Only
    // EXPECTs until the drain runs: the writer's destructor waits for it.)
    for (int i = 0; i < 200; ++i) {
      char line[16];
      std::snprintf(line, sizeof line, "line-%03d", i);
      if (writer.write_line(line)) {
        accepted.emplace_back(line);
      } else {
        ++refused;
      }
    }
    EXPECT_GE(accepted.size(), 11u);  // a queue's worth at least
    EXPECT_LE(accepted.size(), 22u);  // two at most
    EXPECT_GE(refused, 178u);
    EXPECT_EQ(writer.stats().dropped_lines, refused);
    EXPECT_EQ(writer.stats().written_lines, 0u);
    EXPECT_EQ(writer.take_unreported_drops(), refused);
    EXPECT_EQ(writer.take_unreported_drops(), 0u);     // reported once
    EXPECT_EQ(writer.stats().dropped_lines, refused);  // still counted

    drain.emplace(pipe);  // unblocks the writer
    EXPECT_TRUE(eventually([&] { return writer.stats().written_lines == accepted.size(); }))
        << writer.stats().written_lines << " of " << accepted.size();
    EXPECT_TRUE(writer.write_line("after"));  // room again
    accepted.emplace_back("after");
    writer.flush();
    EXPECT_EQ(writer.stats().written_lines, accepted.size());
    EXPECT_EQ(writer.take_unreported_drops(), 0u);
    EXPECT_EQ(writer.stats().dropped_lines, refused);
  }
  const std::string text = drain->finish();
  ASSERT_GE(text.size(), filler);
  EXPECT_EQ(text.substr(0, filler), std::string(filler, '#'));
  EXPECT_EQ(split_lines(text.substr(filler)), accepted);
}

TEST(LineWriter, FlushReturnsOnceEverythingIsWritten) {
  TempDir dir;
  const std::filesystem::path path = dir.path() / "audit.jsonl";
  LineWriterOptions options;
  options.batch_window = std::chrono::minutes(10);  // only flush() makes it write now
  options.flush_timeout = std::chrono::minutes(1);  // a broken flush() fails below
  auto writer = LineWriter::open_file(path.string(), options);
  ASSERT_TRUE(writer.ok()) << writer.error().describe();
  std::string expected;
  for (int i = 0; i < 1000; ++i) {
    const std::string line = "{\"n\":" + std::to_string(i) + "}";
    ASSERT_TRUE((*writer)->write_line(line));
    expected += line + "\n";
  }
  const auto started = std::chrono::steady_clock::now();
  (*writer)->flush();
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(read_file(path), expected);  // before the writer is destroyed
  EXPECT_EQ((*writer)->stats().written_lines, 1000u);
  // It returned because the lines were written, not after a timeout.
  EXPECT_LT(took, 20s);

  ASSERT_TRUE((*writer)->write_line("second batch"));
  (*writer)->flush();
  EXPECT_EQ(read_file(path), expected + "second batch\n");
}

TEST(LineWriter, DestructorWritesWhatIsQueued) {
  TempDir dir;
  const std::filesystem::path path = dir.path() / "audit.jsonl";
  {
    std::ofstream existing(path);
    existing << "kept\n";  // open_file appends
  }
  LineWriterOptions options;
  options.batch_window = std::chrono::minutes(10);  // nothing written before the destructor
  std::string expected = "kept\n";
  const auto started = std::chrono::steady_clock::now();
  {
    auto writer = LineWriter::open_file(path.string(), options);
    ASSERT_TRUE(writer.ok()) << writer.error().describe();
    for (int i = 0; i < 500; ++i) {
      const std::string line = "line " + std::to_string(i);
      ASSERT_TRUE((*writer)->write_line(line));
      expected += line + "\n";
    }
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 20s);  // the window was cut short
  EXPECT_EQ(read_file(path), expected);
}

TEST(LineWriter, OpenFileNamesThePathItCannotOpen) {
  TempDir dir;
  const std::string path = (dir.path() / "missing" / "audit.jsonl").string();
  auto writer = LineWriter::open_file(path);
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.error().code, ErrorCode::kIo);
  EXPECT_NE(writer.error().message.find(path), std::string::npos) << writer.error().message;
}

TEST(LineWriter, FlushIsBoundedWhenTheSinkBlocks) {
  Pipe pipe;
  const std::size_t filler = pipe.fill();  // nobody reads: write() blocks
  std::optional<PipeDrain> drain;
  {
    LineWriter writer(pipe.write_end());  // default flush_timeout: 1 s
    EXPECT_TRUE(writer.write_line("stuck"));
    const auto started = std::chrono::steady_clock::now();
    writer.flush();
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_GE(took, 900ms);  // it did wait for the write...
    EXPECT_LT(took, 5s);     // ...but not for ever (1 s, plus a loaded machine)
    EXPECT_EQ(writer.stats().written_lines, 0u);

    drain.emplace(pipe);  // the write completes; the destructor can join
    EXPECT_TRUE(eventually([&] { return writer.stats().written_lines == 1; }));
  }
  const std::string text = drain->finish();
  EXPECT_EQ(text, std::string(filler, '#') + "stuck\n");
}

// --- The asynchronous logger (a LineWriter on stderr) ---

// Points stderr (fd 2) at a pipe until destroyed. Destroy whatever writes
// to fd 2 through a LineWriter first.
class StderrToPipe {
 public:
  explicit StderrToPipe(Pipe& pipe) : saved_(::dup(STDERR_FILENO)) {
    if (saved_ < 0 || ::dup2(pipe.write_end(), STDERR_FILENO) < 0) {
      throw std::runtime_error("cannot redirect stderr");
    }
  }
  ~StderrToPipe() {
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
  }
  StderrToPipe(const StderrToPipe&) = delete;
  StderrToPipe& operator=(const StderrToPipe&) = delete;

 private:
  int saved_;
};

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  for (const std::string& line : split_lines(text)) {
    out.push_back(nlohmann::json::parse(line, nullptr, false));
  }
  return out;
}

TEST(AsynchronousLogger, AnErrorIsWrittenBeforeTheCallReturns) {
  Pipe pipe;
  std::string text;
  {
    StderrToPipe redirect(pipe);
    auto logger = make_logger("t", LogOptions{LogFormat::kJson, "info", true});
    ASSERT_TRUE(logger.ok());
    (*logger)->info("first");
    (*logger)->info("second");
    (*logger)->error("boom");
    text = pipe.read_available();  // no waiting: it must be there already
  }
  const std::vector<nlohmann::json> lines = json_lines(text);
  ASSERT_EQ(lines.size(), 3u) << text;
  EXPECT_EQ(lines[0]["msg"], "first");
  EXPECT_EQ(lines[1]["msg"], "second");
  EXPECT_EQ(lines[2]["msg"], "boom");
  EXPECT_EQ(lines[2]["level"], "error");
}

// What an asynchronous logger wrote to stderr (after the pipe's filler)
// when 20 MB of "fill N" lines were logged while stderr was blocked, then
// "after N" lines until a drop warning came through.
struct OverflowRun {
  std::vector<nlohmann::json> lines;
  std::size_t fill_lines = 0;  // of the 20000 logged
  std::size_t warnings = 0;
  std::uint64_t reported_drops = 0;  // the warnings' counts, added up
};
constexpr int kOverflowFillLines = 20000;
constexpr std::string_view kDropWarning = "lines dropped before this one";

OverflowRun log_through_blocked_stderr() {
  Pipe pipe;
  const std::size_t filler = pipe.fill();  // stderr blocks
  std::optional<PipeDrain> drain;
  {
    StderrToPipe redirect(pipe);
    auto logger = make_logger("t", LogOptions{LogFormat::kJson, "info", true});
    if (!logger.ok()) throw std::runtime_error(logger.error().describe());
    // 20 MB: more than the writer's blocked batch plus its queue (8 MiB
    // each at most), so lines are dropped.
    const std::string padding(1000, 'x');
    for (int i = 0; i < kOverflowFillLines; ++i) (*logger)->info("fill {} {}", i, padding);

    drain.emplace(pipe);  // stderr flows again
    // The next line that gets through is followed by the warning.
    std::size_t after = 0;
    EXPECT_TRUE(eventually([&] {
      (*logger)->info("after {}", after++);
      return drain->text().find(kDropWarning) != std::string::npos;
    }));
    logger->reset();  // the LineWriter drains into the pipe
  }
  const std::string text = drain->finish();
  if (text.size() < filler) throw std::runtime_error("the pipe's filler is missing");
  OverflowRun run;
  run.lines = json_lines(text.substr(filler));
  for (const nlohmann::json& line : run.lines) {
    if (line.is_discarded()) continue;
    const std::string msg = line.value("msg", "");
    if (msg.starts_with("fill ")) ++run.fill_lines;
    if (msg.find(kDropWarning) == std::string::npos) continue;
    ++run.warnings;
    unsigned long long count = 0;
    if (std::sscanf(msg.c_str(), "log: %llu lines dropped", &count) == 1) {
      run.reported_drops += count;
    }
  }
  return run;
}

TEST(AsynchronousLogger, DroppedLinesAreFollowedByAWarning) {
  const OverflowRun run = log_through_blocked_stderr();
  EXPECT_LT(run.fill_lines, std::size_t{kOverflowFillLines});  // some were dropped...
  EXPECT_GT(run.fill_lines, 0u);                               // ...not all
  EXPECT_GE(run.warnings, 1u);
  for (std::size_t i = 0; i < run.lines.size(); ++i) {
    const nlohmann::json& line = run.lines[i];
    ASSERT_FALSE(line.is_discarded()) << "line " << i << " is not JSON";
    const std::string msg = line["msg"];
    if (msg.find(kDropWarning) == std::string::npos) continue;
    EXPECT_EQ(line["level"], "warning");
    unsigned long long count = 0;
    EXPECT_EQ(std::sscanf(msg.c_str(), "log: %llu lines dropped", &count), 1) << msg;
    EXPECT_GT(count, 0u) << msg;
  }
}

// DISABLED: fails today. Measured: 6093 to 8034 fill lines lost, the
// warnings' counts add up to 2 to 4; and a warning sometimes directly follows
// another warning. LineWriterSink::sink_it_ takes the unreported drops after
// every line, even one that was itself dropped, and queues the warning: while
// the queue is full the warning is dropped too and the count it carried is
// lost; when a 1 KB line does not fit but the shorter warning does, the
// warning gets through after a line that did not. Fix (src/support/
// logging.cpp): take the drops only after a line that was queued
// (write_line returned true), and hand the count back when the warning
// itself is dropped.
TEST(AsynchronousLogger, WarningsCountEveryDroppedLineAndFollowALoggedLine) {
  const OverflowRun run = log_through_blocked_stderr();
  ASSERT_LT(run.fill_lines, std::size_t{kOverflowFillLines});
  // At least the fill lines missing (more when "after" lines were dropped too).
  EXPECT_GE(run.reported_drops, std::uint64_t{kOverflowFillLines} - run.fill_lines)
      << run.warnings << " warnings";
  for (std::size_t i = 1; i < run.lines.size(); ++i) {
    if (run.lines[i].value("msg", "").find(kDropWarning) == std::string::npos) continue;
    // It follows a line that got through (normally the one logged in the
    // same call; the writer may empty the queue between the two).
    EXPECT_EQ(run.lines[i - 1].value("level", ""), "info") << run.lines[i - 1];
  }
}

}  // namespace
}  // namespace zastava::support
