// zastava-operator: reconciles FacetPolicy and ProvcachePolicy resources into
// the compiled policy ConfigMap and provcache invalidation Jobs. Thin: reads
// the flags (config.hpp), runs OperatorApp until SIGTERM / SIGINT or until
// it loses the Lease. docs/operator.md describes running it.
//
// Exit codes: 0 stopped by a signal (Lease released, Events flushed);
// 1 could not start; 2 lost leadership (the Deployment restarts it); 64 a
// bad command line.
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <ctime>
#include <iostream>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "config.hpp"
#include "operator_app.hpp"
#include "support/logging.hpp"
#include "support/stop_signals.hpp"

namespace {

constexpr int kExitUsage = 64;

// glibc's allocator is tuned for throughput, the operator wants a small
// footprint (it idles most of the time, then compiles thousands of policies
// in a burst):
//   - one arena: glibc gives every thread that allocates its own (up to 8 a
//     core) and the freed memory of a compile stays spread over them;
//   - a fixed mmap threshold of 128 KiB: list bodies, the compiled text and
//     other large buffers are mapped and unmapped instead of growing the heap
//     (glibc otherwise raises the threshold after the first large free);
//   - trim free heap tops above 256 KiB back to the system.
// On bench/operator/run.sh (1,000 policies) limiting the arenas (to two) instead of glibc's
// default took the peak RSS from ~54 MB to ~43 MB, the other two settings
// another ~1 MB, at no measurable cost in convergence time.
void tune_malloc_for_footprint() {
  mallopt(M_ARENA_MAX, 1);
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  mallopt(M_TRIM_THRESHOLD, 256 * 1024);
}

// Requests `stop` when SIGTERM or SIGINT arrives; ends when `done` is
// requested (the app returned on its own, e.g. after losing the Lease).
void forward_stop_signals(std::stop_token done, const sigset_t& signals, std::stop_source stop,
                          spdlog::logger& log) {
  const timespec tick{0, 200'000'000};
  while (!done.stop_requested()) {
    const int received = sigtimedwait(&signals, nullptr, &tick);
    if (received == SIGTERM || received == SIGINT) {
      log.info("received {}, shutting down", received == SIGTERM ? "SIGTERM" : "SIGINT");
      stop.request_stop();
      return;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace zastava::operator_app;
  tune_malloc_for_footprint();
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = parse_operator_command_line(args);
  if (!parsed) {
    std::cerr << "zastava-operator: " << parsed.error().message << "\n\n" << operator_usage();
    return kExitUsage;
  }
  if (parsed->help) {
    std::cout << operator_usage();
    return 0;
  }
  const OperatorConfig& config = parsed->config;
  auto format = zastava::support::parse_log_format(config.log_format);
  auto logger = zastava::support::make_logger(
      "zastava-operator",
      {.format = format ? *format : zastava::support::LogFormat::kJson, .level = config.log_level});
  if (!logger) {
    std::cerr << "zastava-operator: " << logger.error().message << "\n";
    return kExitUsage;
  }
  spdlog::set_default_logger(*logger);

  const sigset_t stop_signals = zastava::support::block_stop_signals();
  auto app = OperatorApp::create(config, *logger);
  if (!app) {
    (*logger)->critical("cannot start: {}", app.error().describe());
    return kExitStartFailed;
  }
  std::stop_source stop;
  std::jthread signals(
      [&](std::stop_token done) { forward_stop_signals(done, stop_signals, stop, **logger); });
  const int code = (*app)->run(stop.get_token());
  signals.request_stop();
  signals.join();
  app->reset();
  (*logger)->info("exiting with code {}", code);
  spdlog::shutdown();
  return code;
}
