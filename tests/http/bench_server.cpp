// A trivial TLS server for bench/http/run.sh: serves one file's bytes as
// application/json on every GET, until SIGINT or SIGTERM.
//   zastava_http_bench_server CERT KEY BODY_FILE PORT [THREADS]
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "http/server.hpp"

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s CERT KEY BODY_FILE PORT [THREADS]\n", argv[0]);
    return 2;
  }
  std::ifstream body_file(argv[3], std::ios::binary);
  std::stringstream body;
  body << body_file.rdbuf();
  const std::string payload = body.str();

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before the worker threads start

  zastava::http::ListenerConfig listener;
  listener.name = "bench";
  listener.address = "127.0.0.1";
  listener.port = static_cast<std::uint16_t>(std::stoi(argv[4]));
  listener.tls = zastava::http::TlsFiles{argv[1], argv[2], ""};
  listener.handler = [&payload](const zastava::http::Request&) {
    return zastava::http::json_response(200, payload);
  };
  zastava::http::ServerConfig config;
  config.threads = argc > 5 ? static_cast<unsigned>(std::stoi(argv[5])) : 0;
  config.listeners.push_back(std::move(listener));
  auto server = zastava::http::Server::start(std::move(config));
  if (!server) {
    std::fprintf(stderr, "%s\n", server.error().describe().c_str());
    return 1;
  }
  std::printf("listening on %u\n", (*server)->port("bench"));
  std::fflush(stdout);
  int received = 0;
  sigwait(&signals, &received);
  (*server)->stop();
  return 0;
}
