#include "http/server.hpp"

#include <spdlog/logger.h>
#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <set>
#include <thread>

#include "http/detail/listener.hpp"
#include "http/detail/server_state.hpp"

namespace zastava::http {
namespace {

namespace net = boost::asio;
using detail::ListenerState;

// What a stop() gives sessions after stop_timeout, once forced to close.
constexpr std::chrono::seconds kForcedCloseGrace{2};

Status validate(const ServerConfig& config) {
  if (config.listeners.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "server: no listeners configured");
  }
  std::set<std::string> names;
  for (const ListenerConfig& listener : config.listeners) {
    if (listener.name.empty()) {
      return make_error(ErrorCode::kInvalidArgument, "server: a listener has no name");
    }
    if (!names.insert(listener.name).second) {
      return make_error(ErrorCode::kInvalidArgument,
                        "server: two listeners are named " + listener.name);
    }
    if (!listener.handler) {
      return make_error(ErrorCode::kInvalidArgument,
                        "server: listener " + listener.name + " has no handler");
    }
    if (listener.tls && (listener.tls->cert_file.empty() || listener.tls->key_file.empty())) {
      return make_error(ErrorCode::kInvalidArgument,
                        "server: listener " + listener.name + " needs a certificate and a key");
    }
  }
  return ok_status();
}

unsigned thread_count(unsigned configured) {
  if (configured != 0) return configured;
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

// One io_context per worker thread (Beast's advanced server shares one
// io_context between the threads, each connection on a strand; measured
// here, the cross-thread hand-offs of that shared queue cost about a third
// of a keep-alive request's CPU). A connection lives on one io_context, so
// its steps never cross threads; the listeners deal connections out in
// turn. The price: a handler that blocks (a slow store) delays the other
// connections of its thread, not of the whole server.
struct Worker {
  // Hint 1: one thread runs it (other threads may still post to it).
  net::io_context io{1};
  net::executor_work_guard<net::io_context::executor_type> work{io.get_executor()};
  std::thread thread;
};

struct Server::Impl {
  // Declared first, destroyed last: handlers still queued in an io_context
  // when it is destroyed hold sessions that unregister from here.
  std::shared_ptr<detail::ServerShared> shared = std::make_shared<detail::ServerShared>();
  std::chrono::milliseconds stop_timeout{};
  std::vector<std::shared_ptr<ListenerState>> states;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::shared_ptr<detail::Listener>> listeners;
  std::vector<std::pair<std::string, std::uint16_t>> ports;
  std::mutex stop_mutex;
  bool stopped = false;

  Result<std::shared_ptr<ListenerState>> make_state(ListenerConfig config,
                                                    metrics::Registry* registry);
  void stop();
};

Result<std::shared_ptr<ListenerState>> Server::Impl::make_state(ListenerConfig config,
                                                                metrics::Registry* registry) {
  std::optional<TlsFiles> tls = config.tls;
  std::string token_file = config.token_file;
  auto state = std::make_shared<ListenerState>(std::move(config), shared, registry);
  if (tls) {
    auto context = detail::make_server_context(*tls);
    if (!context) return context.error().with_context("listener " + state->name);
    state->tls =
        std::make_unique<detail::TlsContextSource>(*tls, std::move(*context), shared->logger);
  }
  if (!token_file.empty()) {
    auto token = BearerTokenFile::open(token_file);
    if (!token) return token.error().with_context("listener " + state->name);
    state->token = std::move(*token);
  }
  return state;
}

Result<std::unique_ptr<Server>> Server::start(ServerConfig config, metrics::Registry* registry) {
  if (auto valid = validate(config); !valid) return valid.error();
  auto impl = std::make_unique<Impl>();
  impl->shared->logger = config.logger != nullptr ? config.logger : spdlog::default_logger();
  impl->stop_timeout = config.stop_timeout;
  detail::Listener::IoContexts ios;
  for (unsigned i = 0; i < thread_count(config.threads); ++i) {
    ios.push_back(&impl->workers.emplace_back(std::make_unique<Worker>())->io);
  }
  for (ListenerConfig& listener_config : config.listeners) {
    const std::string address = listener_config.address;
    const std::uint16_t port = listener_config.port;
    auto state = impl->make_state(std::move(listener_config), registry);
    if (!state) return state.error();
    auto listener = detail::Listener::bind(ios, address, port, *state);
    if (!listener) return listener.error();
    impl->ports.emplace_back((*state)->name, (*listener)->port());
    impl->states.push_back(std::move(*state));
    impl->listeners.push_back(std::move(*listener));
  }
  for (const auto& listener : impl->listeners) listener->run();
  for (const auto& worker : impl->workers) {
    worker->thread = std::thread([io = &worker->io] { io->run(); });
  }
  for (const auto& [name, port] : impl->ports) {
    impl->shared->logger->info("http: listener {} on port {}", name, port);
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  stop();
}

std::uint16_t Server::port(std::string_view listener_name) const {
  for (const auto& [name, port] : impl_->ports) {
    if (name == listener_name) return port;
  }
  return 0;
}

void Server::stop() {
  impl_->stop();
}

void Server::Impl::stop() {
  const std::lock_guard lock(stop_mutex);
  if (stopped) return;
  stopped = true;
  shared->stopping.store(true);
  std::vector<std::future<void>> closed;
  for (const auto& listener : listeners) closed.push_back(listener->stop());
  for (auto& acceptor_closed : closed) acceptor_closed.wait_for(stop_timeout);
  for (const auto& session : shared->sessions.live()) session->begin_stop();
  const auto deadline = std::chrono::steady_clock::now() + stop_timeout;
  if (!shared->sessions.wait_until_empty(deadline)) {
    shared->logger->warn("http: closing connections still open after the stop timeout");
    for (const auto& session : shared->sessions.live()) session->force_close();
    shared->sessions.wait_until_empty(std::chrono::steady_clock::now() + kForcedCloseGrace);
  }
  for (const auto& worker : workers) {
    worker->work.reset();
    worker->io.stop();  // what is left are timers of closed sessions and the acceptors' last ops
  }
  for (const auto& worker : workers) {
    if (worker->thread.joinable()) worker->thread.join();
  }
}

}  // namespace zastava::http
