// PostgresServer (test_servers.hpp): a throwaway PostgreSQL 15 cluster for one
// test process.
//
//   <tmp>/zastava-pg-XXXXXX/        mkdtemp, chowned to `postgres` when we are root
//     data/                         initdb -A trust -U postgres --no-sync
//     server.log                    the server's log (its tail goes into errors)
//     commands.log                  output of initdb / pg_ctl / psql
//     .s.PGSQL.<port>               the unix socket (unix_socket_directories)
//
// The server listens on 127.0.0.1:<free port> with fsync off (tests only).
// Commands run with fork/exec (no shell). As root, initdb and pg_ctl run
// through `runuser -u postgres --` because PostgreSQL refuses to run as root.
//
// The postmaster itself is started directly as our child (not daemonised by
// pg_ctl), with the `postgres` user's ids set in the child and
// PR_SET_PDEATHSIG = SIGQUIT: when a test process dies without running
// destructors (a crash, a ctest timeout, SIGKILL) its server shuts down
// instead of lingering on a shared machine. (runuser would reset the death
// signal, so the ids are dropped in-process here.) The death signal follows
// the thread that called start(): start servers from a thread that outlives
// them, as GoogleTest's SetUpTestSuite and the main thread do.

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "child_stdio.hpp"
#include "test_servers.hpp"

namespace zastava::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::seconds kReadyTimeout{30};
constexpr int kStartAttempts = 3;  // a fresh port each time: another process may take ours

fs::path pg_bindir() {
  if (const char* dir = std::getenv("ZASTAVA_PG_BINDIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return "/usr/lib/postgresql/15/bin";
}

bool running_as_root() {
  return ::geteuid() == 0;
}

std::string log_tail(const fs::path& file, std::size_t lines = 30) {
  std::ifstream in(file);
  if (!in) return "(no " + file.filename().string() + ")";
  std::deque<std::string> tail;
  for (std::string line; std::getline(in, line);) {
    tail.push_back(line);
    if (tail.size() > lines) tail.pop_front();
  }
  std::string text;
  for (const auto& line : tail) text += line + "\n";
  return text;
}

enum class RunAs { kUs, kPostgres };

// Runs argv in `cwd` (through runuser as `postgres` when asked and we are
// root), appending its output to `log`; returns the exit status (-1 when it
// did not exit normally).
int run_command(std::vector<std::string> argv, const fs::path& cwd, const fs::path& log,
                RunAs run_as = RunAs::kUs) {
  if (run_as == RunAs::kPostgres && running_as_root()) {
    argv.insert(argv.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
  }
  std::vector<char*> raw;
  raw.reserve(argv.size() + 1);
  for (auto& arg : argv) raw.push_back(arg.data());
  raw.push_back(nullptr);
  const std::string cwd_text = cwd.string();
  const std::string log_text = log.string();

  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {  // child: only async-signal-safe calls until exec
    redirect_child_stdio(log_text.c_str());
    if (::chdir(cwd_text.c_str()) != 0) ::_exit(126);
    ::execv(raw[0], raw.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct PostgresUser {
  uid_t uid;
  gid_t gid;
};

PostgresUser postgres_user() {
  const passwd* user = ::getpwnam("postgres");
  if (user == nullptr) {
    throw std::runtime_error("running as root but there is no `postgres` user to run PostgreSQL");
  }
  return {user->pw_uid, user->pw_gid};
}

void chown_to_postgres(const fs::path& path) {
  const PostgresUser user = postgres_user();
  if (::chown(path.c_str(), user.uid, user.gid) != 0) {
    throw std::runtime_error("chown " + path.string() + ": " + std::strerror(errno));
  }
}

fs::path make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "zastava-pg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
  }
  fs::path dir{pattern};
  if (running_as_root()) chown_to_postgres(dir);
  return dir;
}

// Settings every test server gets (the port is passed on the command line).
void write_test_settings(const fs::path& dir) {
  std::ofstream conf(dir / "data" / "postgresql.conf", std::ios::app);
  conf << "\n# zastava test harness\n"
       << "listen_addresses = '127.0.0.1'\n"
       << "unix_socket_directories = '" << dir.string() << "'\n"
       << "fsync = off\n"
       << "synchronous_commit = off\n"
       << "full_page_writes = off\n"
       << "max_connections = 100\n"
       << "shared_buffers = 32MB\n";
  if (!conf) throw std::runtime_error("cannot write " + (dir / "data/postgresql.conf").string());
}

[[noreturn]] void fail(const fs::path& dir, const std::string& what) {
  throw std::runtime_error("PostgresServer: " + what + "\n--- server.log (tail) ---\n" +
                           log_tail(dir / "server.log") + "--- commands.log (tail) ---\n" +
                           log_tail(dir / "commands.log"));
}

int pg_ctl(const fs::path& dir, std::vector<std::string> args) {
  std::vector<std::string> argv{(pg_bindir() / "pg_ctl").string(), "-D", (dir / "data").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(std::move(argv), dir, dir / "commands.log", RunAs::kPostgres);
}

// Forks the postmaster as our child (see the top of the file); returns its pid.
pid_t spawn_postmaster(const fs::path& dir, int port) {
  const bool drop_to_postgres = running_as_root();
  const PostgresUser user = drop_to_postgres ? postgres_user() : PostgresUser{0, 0};
  std::vector<std::string> argv{(pg_bindir() / "postgres").string(), "-D", (dir / "data").string(),
                                "-p", std::to_string(port)};
  std::vector<char*> raw;
  for (auto& arg : argv) raw.push_back(arg.data());
  raw.push_back(nullptr);
  const std::string cwd_text = dir.string();
  const std::string log_text = (dir / "server.log").string();
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {  // child: only async-signal-safe calls until exec
    redirect_child_stdio(log_text.c_str());
    if (drop_to_postgres &&
        (::setgroups(0, nullptr) != 0 || ::setgid(user.gid) != 0 || ::setuid(user.uid) != 0)) {
      ::_exit(125);
    }
    // After the id change, which would clear it.
    ::prctl(PR_SET_PDEATHSIG, SIGQUIT);
    if (::getppid() != parent) ::_exit(124);  // the test process is already gone
    if (::chdir(cwd_text.c_str()) != 0) ::_exit(126);
    ::execv(raw[0], raw.data());
    ::_exit(127);
  }
  return pid;
}

// True once the postmaster exited (and reaps it).
bool reaped(pid_t pid, bool block) {
  int status = 0;
  pid_t result = 0;
  do {
    result = ::waitpid(pid, &status, block ? 0 : WNOHANG);
  } while (result < 0 && errno == EINTR);
  return result == pid || (result < 0 && errno == ECHILD);
}

// Polls pg_isready over TCP until the server accepts connections; false when
// the postmaster exits first (e.g. the port was taken) or 30 s pass.
bool wait_until_ready(const fs::path& dir, int port, pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  auto delay = std::chrono::milliseconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (reaped(pid, false)) return false;
    const int status = run_command({(pg_bindir() / "pg_isready").string(), "-q", "-h", "127.0.0.1",
                                    "-p", std::to_string(port), "-t", "2"},
                                   dir, dir / "commands.log");
    if (status == 0) return true;
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(500));
  }
  return false;
}

// Starts the cluster on `port`; false when it did not come up.
bool start_cluster(const fs::path& dir, int port) {
  const pid_t pid = spawn_postmaster(dir, port);
  if (wait_until_ready(dir, port, pid)) return true;
  if (!reaped(pid, false)) {
    ::kill(pid, SIGQUIT);
    reaped(pid, true);
  }
  return false;
}

// The postmaster's pid from postmaster.pid (0 when there is none).
pid_t postmaster_pid(const fs::path& dir) {
  std::ifstream pid_file(dir / "data" / "postmaster.pid");
  long pid = 0;
  if (pid_file >> pid && pid > 0) return static_cast<pid_t>(pid);
  return 0;
}

// pg_ctl stop -m fast, then reap our child. False when pg_ctl failed (the
// server is then killed outright).
bool stop_cluster(const fs::path& dir) {
  const pid_t pid = postmaster_pid(dir);
  const bool stopped = pg_ctl(dir, {"-m", "fast", "-w", "-t", "30", "stop"}) == 0;
  if (pid > 0) {
    if (!stopped) ::kill(pid, SIGQUIT);
    reaped(pid, true);
  }
  return stopped;
}

void create_role_and_database(const fs::path& dir, int port) {
  const int status = run_command(
      {(pg_bindir() / "psql").string(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
       "-p", std::to_string(port), "-U", "postgres", "-d", "postgres", "-c",
       "CREATE ROLE zastava SUPERUSER LOGIN", "-c", "CREATE DATABASE zastava OWNER zastava"},
      dir, dir / "commands.log");
  if (status != 0) fail(dir, "creating role and database zastava failed");
}

}  // namespace

PostgresServer::PostgresServer(std::filesystem::path dir, int port)
    : dir_(std::move(dir)), port_(port) {}

std::unique_ptr<PostgresServer> PostgresServer::start() {
  const fs::path dir = make_temp_dir();
  // From here on the destructor removes the directory on every path.
  std::unique_ptr<PostgresServer> server{new PostgresServer(dir, 0)};
  const int init_status =
      run_command({(pg_bindir() / "initdb").string(), "-D", (dir / "data").string(), "-A", "trust",
                   "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"},
                  dir, dir / "commands.log", RunAs::kPostgres);
  if (init_status != 0) fail(dir, "initdb failed (exit " + std::to_string(init_status) + ")");
  write_test_settings(dir);

  for (int attempt = 0; attempt < kStartAttempts && !server->running_; ++attempt) {
    server->port_ = free_loopback_port();
    server->running_ = start_cluster(dir, server->port_);
  }
  if (!server->running_) fail(dir, "the server did not start");
  create_role_and_database(dir, server->port_);
  return server;
}

PostgresServer::~PostgresServer() {
  if (running_) stop_cluster(dir_);
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string PostgresServer::connection_url() const {
  return "postgresql://zastava@127.0.0.1:" + std::to_string(port_) + "/zastava";
}

void PostgresServer::stop() {
  if (!running_) return;
  running_ = false;
  if (!stop_cluster(dir_)) fail(dir_, "pg_ctl stop failed (the server was killed)");
}

void PostgresServer::start_again() {
  if (running_) return;
  if (!start_cluster(dir_, port_)) {
    fail(dir_, "the server did not start again on port " + std::to_string(port_));
  }
  running_ = true;
}

}  // namespace zastava::testing
