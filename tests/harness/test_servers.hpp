#pragma once
// Real PostgreSQL 15 and Redis 7 servers for integration tests: each starts
// its own server process in a fresh temporary directory on a free loopback
// port, and stops it (and removes the directory) in its destructor. Nothing
// is shared with a system service or with another test process.
//
//   auto pg = zastava::testing::PostgresServer::start();   // throws on failure
//   pqxx::connection c{pg->connection_url()};
//   pg->stop(); ... pg->start_again();                    // "PostgreSQL down"
//
// Binaries: /usr/lib/postgresql/15/bin/{initdb,pg_ctl,postgres} (or
// $ZASTAVA_PG_BINDIR) and redis-server on PATH. Running as root: PostgreSQL
// refuses to run as root, so the cluster is owned by and run as the
// `postgres` system user (runuser), with the temp dir chowned to it.
// start() throws std::runtime_error with the server's log tail on failure.

#include <filesystem>
#include <memory>
#include <string>

namespace zastava::testing {

// A free TCP port on 127.0.0.1 (bind to port 0, read it back, close).
int free_loopback_port();

class PostgresServer {
 public:
  static std::unique_ptr<PostgresServer> start();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // postgresql://zastava@127.0.0.1:<port>/zastava (trust auth on loopback;
  // the `zastava` role owns the `zastava` database).
  [[nodiscard]] std::string connection_url() const;
  [[nodiscard]] int port() const noexcept { return port_; }

  void stop();         // fast shutdown; the data directory stays
  void start_again();  // same port, same data
  [[nodiscard]] bool running() const noexcept { return running_; }

 private:
  PostgresServer(std::filesystem::path dir, int port);
  std::filesystem::path dir_;
  int port_;
  bool running_ = false;
};

class RedisServer {
 public:
  static std::unique_ptr<RedisServer> start();
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // redis://127.0.0.1:<port>
  [[nodiscard]] std::string url() const;
  [[nodiscard]] int port() const noexcept { return port_; }

  void stop();         // SIGTERM and wait; no persistence (save "")
  void start_again();  // same port, empty
  [[nodiscard]] bool running() const noexcept { return running_; }

 private:
  RedisServer(std::filesystem::path dir, int port);
  std::filesystem::path dir_;
  int port_;
  int pid_ = -1;
  bool running_ = false;
};

}  // namespace zastava::testing
