// Two webhook replicas in two processes (provcache_replica) sharing one
// PostgreSQL and one Redis: an invalidation through replica A must have
// dropped the entry from replica B's in-process LRU by the time A's call
// returns, and a replica whose bus lost its connection drops its LRU when it
// reconnects.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../provcache/entry_samples.hpp"
#include "live_entries.hpp"
#include "provcache/entry.hpp"
#include "provcache/invalidation.hpp"
#include "test_servers.hpp"

extern char** environ;

namespace zastava::store {
namespace {

using namespace std::chrono_literals;
using provcache::InvalidationKind;
using provcache::testing::sample_id;
using provcache::testing::SampleOptions;
using zastava::testing::PostgresServer;
using zastava::testing::RedisServer;

// A file descriptor closed on destruction.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  [[nodiscard]] int get() const noexcept { return fd_; }

 private:
  int fd_;
};

// One provcache_replica process and its line protocol over two pipes.
class Replica {
 public:
  Replica(const std::string& id, const std::string& postgres_url, const std::string& valkey_url) {
    int to_child[2];
    int from_child[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe2 failed");
    }
    Fd child_in(to_child[0]);
    Fd child_out(from_child[1]);
    input_ = Fd(to_child[1]);
    output_ = Fd(from_child[0]);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, child_in.get(), STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, child_out.get(), STDOUT_FILENO);
    std::vector<std::string> args = {ZASTAVA_PROVCACHE_REPLICA,
                                     "--replica-id",
                                     id,
                                     "--postgres",
                                     postgres_url,
                                     "--valkey",
                                     valkey_url,
                                     "--prefix",
                                     "two-replica:"};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const int spawned = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) throw std::runtime_error("cannot start " + args[0]);
    const auto greeting = read_line(30s);
    if (greeting != "ready") throw std::runtime_error("replica " + id + ": " + greeting);
  }

  ~Replica() {
    if (pid_ <= 0) return;
    (void)send_line("quit");
    input_.reset();
    for (int i = 0; i < 1000; ++i) {  // up to 10 s for its write-behind flush
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(10ms);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  // Sends one command and returns its one-line answer.
  std::string ask(const std::string& command) {
    if (!send_line(command)) throw std::runtime_error("replica closed its input");
    return read_line(30s);
  }

 private:
  bool send_line(const std::string& line) {
    const std::string text = line + "\n";
    std::size_t written = 0;
    while (written < text.size()) {
      const auto n = ::write(input_.get(), text.data() + written, text.size() - written);
      if (n <= 0) return false;
      written += static_cast<std::size_t>(n);
    }
    return true;
  }

  std::string read_line(std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      if (const auto newline = buffer_.find('\n'); newline != std::string::npos) {
        std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) throw std::runtime_error("replica did not answer in time");
      pollfd readable{output_.get(), POLLIN, 0};
      if (::poll(&readable, 1, static_cast<int>(left.count())) <= 0) continue;
      char chunk[4096];
      const auto n = ::read(output_.get(), chunk, sizeof chunk);
      if (n <= 0) throw std::runtime_error("replica exited; it said: " + buffer_);
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  pid_t pid_ = -1;
  Fd input_;
  Fd output_;
  std::string buffer_;
};

class TwoReplicaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    postgres_ = PostgresServer::start();
    redis_ = RedisServer::start();
    a_ = std::make_unique<Replica>("replica-a", postgres_->connection_url(), redis_->url());
    b_ = std::make_unique<Replica>("replica-b", postgres_->connection_url(), redis_->url());
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
  }

  // Puts `entry` through A and warms both LRUs.
  void put_and_warm_both(const provcache::ProvcacheEntry& entry) {
    ASSERT_EQ(a_->ask("put " + provcache::entry_to_json(entry).value()), "ok");
    ASSERT_EQ(a_->ask("get " + entry.veri_key()), "hit memory");
    ASSERT_EQ(b_->ask("get " + entry.veri_key()), "hit valkey");
    ASSERT_EQ(b_->ask("get " + entry.veri_key()), "hit memory");
  }

  std::unique_ptr<PostgresServer> postgres_;
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<Replica> a_;
  std::unique_ptr<Replica> b_;
};

struct ReplicaCase {
  InvalidationKind kind;
  std::string value;
  SampleOptions options;
};

TEST_F(TwoReplicaTest, AnInvalidationThroughOneReplicaIsDoneInBothWhenItReturns) {
  SampleOptions signer;
  signer.signer_set = "signers-revoked";
  SampleOptions policy;
  policy.policy = "policy-old";
  SampleOptions epoch;
  epoch.feed_epoch = "2026-11-01";
  const std::vector<ReplicaCase> cases = {
      {InvalidationKind::kSignerSetHash, sample_id("signers-revoked"), signer},
      {InvalidationKind::kPolicyHash, sample_id("policy-old"), policy},
      {InvalidationKind::kFeedEpoch, "2026-11-15", epoch}};
  int seed = 900;
  for (const auto& item : cases) {
    SCOPED_TRACE(std::string(provcache::to_string(item.kind)));
    const auto entry = live_entry(seed++, item.options);
    put_and_warm_both(entry);
    ASSERT_EQ(a_->ask("flush"), "ok");  // in PostgreSQL too

    const auto request =
        provcache::invalidation_to_json({item.kind, item.value, "test", "system:two-replica-test"})
            .value();
    ASSERT_EQ(a_->ask("invalidate " + request), "ok 1");
    // No waiting: B's LRU must already be clean.
    EXPECT_EQ(b_->ask("get " + entry.veri_key()), "miss");
    EXPECT_EQ(a_->ask("get " + entry.veri_key()), "miss");
  }
}

TEST_F(TwoReplicaTest, AReplicaWhoseBusReconnectedDropsItsMemoryCache) {
  const auto entry = live_entry(950);
  put_and_warm_both(entry);
  ASSERT_EQ(a_->ask("flush"), "ok");
  ASSERT_EQ(b_->ask("memory-size"), "ok 1");

  redis_->stop();
  redis_->start_again();  // empty, and every subscriber was disconnected

  const auto deadline = std::chrono::steady_clock::now() + 30s;
  std::string size;
  while ((size = b_->ask("memory-size")) != "ok 0" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(size, "ok 0") << "B resynced (dropped its LRU) after its bus reconnected";
  // Valkey is empty after the restart: B reads PostgreSQL again.
  EXPECT_EQ(b_->ask("get " + entry.veri_key()), "hit postgres");
}

}  // namespace
}  // namespace zastava::store
