// RedisServer (test_servers.hpp): a throwaway redis-server for one test
// process, on 127.0.0.1:<free port>, with no persistence, in its own
// temporary directory:
//
//   <tmp>/zastava-redis-XXXXXX/
//     redis.log          the server's stdout/stderr (its tail goes into errors)
//
// The server runs in the foreground as our child (fork/exec, no shell), so
// stop() is SIGTERM + waitpid. The child asks the kernel to kill it if the
// test process dies first (PR_SET_PDEATHSIG), so no server outlives a crash.
// Readiness is a real PING over TCP, polled for up to 10 s.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
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

constexpr std::chrono::seconds kReadyTimeout{10};
constexpr std::chrono::seconds kStopTimeout{10};
constexpr int kStartAttempts = 3;  // a fresh port each time: another process may take ours

// The last `count` lines of the server log, for error messages.
std::string redis_log_tail(const fs::path& dir, std::size_t count = 30) {
  std::ifstream in(dir / "redis.log");
  if (!in) return "(no redis.log)\n";
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  const std::size_t first = lines.size() > count ? lines.size() - count : 0;
  std::ostringstream text;
  for (std::size_t i = first; i < lines.size(); ++i) text << lines[i] << '\n';
  return text.str();
}

[[noreturn]] void fail(const fs::path& dir, const std::string& what) {
  throw std::runtime_error("RedisServer: " + what + "\n--- redis.log (tail) ---\n" +
                           redis_log_tail(dir));
}

fs::path make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "zastava-redis-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
  }
  return fs::path{pattern};
}

// Closes a socket on every path.
class Socket {
 public:
  Socket() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  [[nodiscard]] int fd() const noexcept { return fd_; }

 private:
  int fd_;
};

// Whether a server on 127.0.0.1:port answers PING with +PONG within ~1 s.
bool answers_ping(int port) {
  const Socket socket;
  if (socket.fd() < 0) return false;
  timeval timeout{1, 0};
  ::setsockopt(socket.fd(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(socket.fd(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return false;
  }
  constexpr std::string_view kPing = "PING\r\n";
  if (::send(socket.fd(), kPing.data(), kPing.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(kPing.size())) {
    return false;
  }
  char reply[16] = {};
  const ssize_t got = ::recv(socket.fd(), reply, sizeof reply - 1, 0);
  return got >= 5 && std::string_view(reply, 5) == "+PONG";
}

// fork/exec redis-server on `port` in `dir`, output appended to redis.log.
pid_t spawn_redis(const fs::path& dir, int port) {
  std::vector<std::string> argv{"redis-server",
                                "--port",
                                std::to_string(port),
                                "--bind",
                                "127.0.0.1",
                                "--save",
                                "",
                                "--appendonly",
                                "no",
                                "--dir",
                                dir.string(),
                                "--daemonize",
                                "no"};
  std::vector<char*> raw;
  raw.reserve(argv.size() + 1);
  for (auto& arg : argv) raw.push_back(arg.data());
  raw.push_back(nullptr);
  const std::string log = (dir / "redis.log").string();
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {  // child: only async-signal-safe calls until exec
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(125);  // the parent died before prctl
    redirect_child_stdio(log.c_str());
    ::execvp(raw[0], raw.data());
    ::_exit(127);
  }
  return pid;
}

// Whether `pid` has exited (and reaps it).
bool exited(pid_t pid) {
  int status = 0;
  const pid_t done = ::waitpid(pid, &status, WNOHANG);
  return done == pid || (done < 0 && errno == ECHILD);
}

// Polls PING until it answers; false when the child exited or time ran out.
bool wait_until_ready(pid_t pid, int port) {
  const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  auto delay = std::chrono::milliseconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (answers_ping(port)) return true;
    if (exited(pid)) return false;
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(200));
  }
  return false;
}

// SIGTERM, wait (bounded), SIGKILL as a last resort.
void terminate(pid_t pid) {
  if (::kill(pid, SIGTERM) != 0) {
    exited(pid);
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + kStopTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (exited(pid)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

// Starts redis-server on `port`; the pid, or -1 when it did not come up.
pid_t start_on(const fs::path& dir, int port) {
  const pid_t pid = spawn_redis(dir, port);
  if (wait_until_ready(pid, port)) return pid;
  terminate(pid);
  return -1;
}

}  // namespace

RedisServer::RedisServer(std::filesystem::path dir, int port) : dir_(std::move(dir)), port_(port) {}

std::unique_ptr<RedisServer> RedisServer::start() {
  // From here on the destructor removes the directory on every path.
  std::unique_ptr<RedisServer> server{new RedisServer(make_temp_dir(), 0)};
  for (int attempt = 0; attempt < kStartAttempts && !server->running_; ++attempt) {
    server->port_ = free_loopback_port();
    server->pid_ = start_on(server->dir_, server->port_);
    server->running_ = server->pid_ > 0;
  }
  if (!server->running_) fail(server->dir_, "redis-server did not start");
  return server;
}

RedisServer::~RedisServer() {
  if (running_) terminate(pid_);
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string RedisServer::url() const {
  return "redis://127.0.0.1:" + std::to_string(port_);
}

void RedisServer::stop() {
  if (!running_) return;
  terminate(pid_);
  pid_ = -1;
  running_ = false;
}

void RedisServer::start_again() {
  if (running_) return;
  // The port was just released: retry briefly in case it is in TIME_WAIT
  // or momentarily taken.
  const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  while (!running_ && std::chrono::steady_clock::now() < deadline) {
    pid_ = start_on(dir_, port_);
    running_ = pid_ > 0;
  }
  if (!running_) fail(dir_, "redis-server did not start again on port " + std::to_string(port_));
}

}  // namespace zastava::testing
