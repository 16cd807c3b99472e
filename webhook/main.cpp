// zastava-webhook: the Zastava validating admission webhook. Thin: reads the
// settings (config.hpp), starts WebhookApp and waits for SIGTERM / SIGINT,
// then stops gracefully. docs/webhook.md describes running it.
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "config.hpp"
#include "support/logging.hpp"
#include "support/stop_signals.hpp"
#include "webhook_app.hpp"

namespace {

constexpr int kExitUsage = 64;

int wait_for_stop_signal(const sigset_t& signals) {
  int received = 0;
  while (sigwait(&signals, &received) != 0) {
  }
  return received;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = zastava::webhook::parse_command_line(args);
  if (!parsed) {
    std::cerr << "zastava-webhook: " << parsed.error().message << "\n\n"
              << zastava::webhook::webhook_usage();
    return kExitUsage;
  }
  if (parsed->help) {
    std::cout << zastava::webhook::webhook_usage();
    return 0;
  }
  const zastava::webhook::WebhookConfig& config = parsed->config;
  auto format = zastava::support::parse_log_format(config.log_format);
  auto logger = zastava::support::make_logger(
      "zastava-webhook",
      {.format = format ? *format : zastava::support::LogFormat::kJson,
       .level = config.log_level,
       .asynchronous = true});  // a line or two per admission: written in batches
  if (!logger) {
    std::cerr << "zastava-webhook: " << logger.error().message << "\n";
    return kExitUsage;
  }
  spdlog::set_default_logger(*logger);

  const sigset_t stop_signals = zastava::support::block_stop_signals();
  auto app = zastava::webhook::WebhookApp::start(config, *logger);
  if (!app) {
    (*logger)->critical("cannot start: {}", app.error().message);
    return 1;
  }
  const int signal = wait_for_stop_signal(stop_signals);
  (*logger)->info("received {}, shutting down", signal == SIGTERM ? "SIGTERM" : "SIGINT");
  (*app)->stop();
  app->reset();
  (*logger)->flush();
  return 0;
}
