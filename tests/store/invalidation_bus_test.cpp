// InvalidationBus against a real redis-server: two replicas' buses in one
// process, acknowledgements, resync after a restart, prompt shutdown.

#include "store/invalidation_bus.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>  // entry_samples.hpp needs the full type
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "provcache/entry_samples.hpp"
#include "test_servers.hpp"

namespace zastava::store {
namespace {

using namespace std::chrono_literals;
using provcache::InvalidationKind;
using provcache::InvalidationRequest;
using provcache::testing::sample_id;
using testing::RedisServer;
using Clock = std::chrono::steady_clock;

// What one replica's callbacks saw.
struct Replica {
  std::mutex mutex;
  std::vector<InvalidationRequest> received;
  std::atomic<int> resyncs{0};
  std::atomic<bool> fail_invalidations{false};

  InvalidationBus::Callbacks callbacks() {
    return {.on_invalidation =
                [this](const InvalidationRequest& request) {
                  if (fail_invalidations) throw std::runtime_error("replica is broken");
                  const std::lock_guard lock(mutex);
                  received.push_back(request);
                },
            .on_resync = [this] { ++resyncs; }};
  }
  std::vector<InvalidationRequest> snapshot() {
    const std::lock_guard lock(mutex);
    return received;
  }
};

template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds limit = 10s) {
  const auto deadline = Clock::now() + limit;
  while (!predicate()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

std::unique_ptr<InvalidationBus> start_bus(const RedisServer& server, const std::string& replica,
                                           Replica& callbacks, std::string prefix = "bus:") {
  auto bus = InvalidationBus::start(
      {.connection = {.url = server.url()}, .key_prefix = std::move(prefix), .replica_id = replica},
      callbacks.callbacks());
  if (!bus.ok()) throw std::runtime_error(bus.error().describe());
  return std::move(bus).value();
}

const InvalidationRequest kRevokeSigner{.by = InvalidationKind::kSignerSetHash,
                                        .value = sample_id("compromised signer"),
                                        .reason = "key-compromise",
                                        .actor = "system:serviceaccount:zastava:operator"};

class InvalidationBusTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = RedisServer::start(); }
  static void TearDownTestSuite() { server_.reset(); }
  static std::unique_ptr<RedisServer> server_;
};

std::unique_ptr<RedisServer> InvalidationBusTest::server_;

TEST_F(InvalidationBusTest, StartRefusesBadOptions) {
  Replica replica;
  auto no_id = InvalidationBus::start({.connection = {.url = server_->url()}}, replica.callbacks());
  ASSERT_FALSE(no_id.ok());
  EXPECT_EQ(no_id.error().code, ErrorCode::kInvalidArgument);
  auto bad_url = InvalidationBus::start(
      {.connection = {.url = "redis://nowhere"}, .replica_id = "a"}, replica.callbacks());
  ASSERT_FALSE(bad_url.ok());
  auto no_callbacks = InvalidationBus::start(
      {.connection = {.url = server_->url()}, .replica_id = "a"}, InvalidationBus::Callbacks{});
  ASSERT_FALSE(no_callbacks.ok());
  EXPECT_EQ(no_callbacks.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(InvalidationBusTest, APublishReachesEveryReplicaBeforeItReturns) {
  Replica first;
  Replica second;
  auto bus_a = start_bus(*server_, "replica-a", first);
  auto bus_b = start_bus(*server_, "replica-b", second);
  ASSERT_TRUE(eventually([&] { return bus_a->subscribed() && bus_b->subscribed(); }));
  EXPECT_EQ(first.resyncs.load(), 1);  // the first subscribe resyncs too
  EXPECT_EQ(second.resyncs.load(), 1);
  EXPECT_EQ(bus_a->channel(), "bus:invalidate");
  EXPECT_EQ(bus_b->replica_id(), "replica-b");

  auto sent = bus_a->publish(kRevokeSigner, 5s);
  ASSERT_TRUE(sent.ok()) << sent.error().describe();
  EXPECT_EQ(sent->receivers, 2u);
  EXPECT_EQ(sent->acknowledged, 2u);
  EXPECT_TRUE(sent->complete());
  // Acknowledged means the callback ran: no waiting needed here.
  EXPECT_EQ(first.snapshot(), std::vector{kRevokeSigner});
  EXPECT_EQ(second.snapshot(), std::vector{kRevokeSigner});

  InvalidationRequest epoch;
  epoch.by = InvalidationKind::kFeedEpoch;
  epoch.value = "2026-11-22";
  auto again = bus_b->publish(epoch, 5s);
  ASSERT_TRUE(again.ok()) << again.error().describe();
  EXPECT_EQ(again->acknowledged, 2u);
  EXPECT_EQ(first.snapshot(), (std::vector{kRevokeSigner, epoch}));
  EXPECT_EQ(second.snapshot(), (std::vector{kRevokeSigner, epoch}));
}

TEST_F(InvalidationBusTest, OtherPrefixesDoNotHearEachOther) {
  Replica mine;
  Replica theirs;
  auto bus_a = start_bus(*server_, "replica-a", mine, "one:");
  auto bus_b = start_bus(*server_, "replica-b", theirs, "two:");
  ASSERT_TRUE(eventually([&] { return bus_a->subscribed() && bus_b->subscribed(); }));
  auto sent = bus_a->publish(kRevokeSigner, 5s);
  ASSERT_TRUE(sent.ok()) << sent.error().describe();
  EXPECT_EQ(sent->receivers, 1u);
  EXPECT_EQ(sent->acknowledged, 1u);
  EXPECT_TRUE(theirs.snapshot().empty());
}

TEST_F(InvalidationBusTest, AReplicaThatFailsIsAShortfallNotAnError) {
  Replica healthy;
  Replica broken;
  broken.fail_invalidations = true;
  auto bus_a = start_bus(*server_, "replica-a", healthy, "short:");
  auto bus_b = start_bus(*server_, "replica-b", broken, "short:");
  ASSERT_TRUE(eventually([&] { return bus_a->subscribed() && bus_b->subscribed(); }));

  const auto started = Clock::now();
  auto sent = bus_a->publish(kRevokeSigner, 300ms);
  const auto took = Clock::now() - started;
  ASSERT_TRUE(sent.ok()) << sent.error().describe();
  EXPECT_EQ(sent->receivers, 2u);
  EXPECT_EQ(sent->acknowledged, 1u);
  EXPECT_FALSE(sent->complete());
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 2s);
  // The broken replica's subscriber survived its callback's exception.
  broken.fail_invalidations = false;
  auto later = bus_a->publish(kRevokeSigner, 5s);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->acknowledged, 2u);
}

TEST_F(InvalidationBusTest, AnInvalidRequestIsNotPublished) {
  Replica replica;
  auto bus = start_bus(*server_, "replica-a", replica, "invalid:");
  InvalidationRequest invalid;
  invalid.by = InvalidationKind::kPolicyHash;
  invalid.value = "not a hash";
  auto sent = bus->publish(invalid, 1s);
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(InvalidationBusTest, HealthPingsKeepAQuietSubscriptionWithoutResyncs) {
  Replica first;
  Replica second;
  InvalidationBusOptions options;
  options.connection.url = server_->url();
  options.key_prefix = "quiet:";
  options.replica_id = "replica-a";
  options.health_interval = 200ms;
  auto bus_a = InvalidationBus::start(options, first.callbacks());
  ASSERT_TRUE(bus_a.ok()) << bus_a.error().describe();
  auto bus_b = start_bus(*server_, "replica-b", second, "quiet:");
  ASSERT_TRUE(eventually([&] { return (*bus_a)->subscribed() && bus_b->subscribed(); }));

  // Many intervals of silence: PINGs go out and their answers count as life.
  std::this_thread::sleep_for(1s);
  EXPECT_TRUE((*bus_a)->subscribed());
  EXPECT_EQ(first.resyncs.load(), 1) << "the quiet connection was dropped";
  auto sent = bus_b->publish(kRevokeSigner, 5s);
  ASSERT_TRUE(sent.ok()) << sent.error().describe();
  EXPECT_EQ(sent->acknowledged, 2u);
  EXPECT_EQ(first.snapshot(), std::vector{kRevokeSigner});

  options.health_interval = 0ms;
  EXPECT_FALSE(InvalidationBus::start(options, first.callbacks()).ok());
}

TEST_F(InvalidationBusTest, TheDestructorReturnsPromptlyWhileSubscribed) {
  Replica replica;
  auto bus = start_bus(*server_, "replica-a", replica, "stop:");
  ASSERT_TRUE(eventually([&] { return bus->subscribed(); }));
  const auto started = Clock::now();
  bus.reset();
  EXPECT_LT(Clock::now() - started, 1s);
}

TEST(InvalidationBusRestartTest, AReconnectResyncsAndDeliversAgain) {
  auto server = RedisServer::start();
  Replica first;
  Replica second;
  auto bus_a = start_bus(*server, "replica-a", first);
  auto bus_b = start_bus(*server, "replica-b", second);
  ASSERT_TRUE(eventually([&] { return bus_a->subscribed() && bus_b->subscribed(); }));
  ASSERT_EQ(first.resyncs.load(), 1);

  server->stop();
  EXPECT_TRUE(eventually([&] { return !bus_a->subscribed() && !bus_b->subscribed(); }));
  const auto started = Clock::now();
  auto down = bus_a->publish(kRevokeSigner, 1s);
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, ErrorCode::kIo);
  EXPECT_LT(Clock::now() - started, 1s);

  server->start_again();
  ASSERT_TRUE(eventually([&] { return bus_a->subscribed() && bus_b->subscribed(); }));
  EXPECT_EQ(first.resyncs.load(), 2);  // messages may have been missed: drop everything
  EXPECT_EQ(second.resyncs.load(), 2);

  // The pooled connections the old server closed are replaced, not failed on.
  auto sent = bus_a->publish(kRevokeSigner, 5s);
  ASSERT_TRUE(sent.ok()) << sent.error().describe();
  EXPECT_EQ(sent->receivers, 2u);
  EXPECT_EQ(sent->acknowledged, 2u);

  // Stopped for good: the destructor still returns promptly while reconnecting.
  server->stop();
  const auto stopping = Clock::now();
  bus_a.reset();
  bus_b.reset();
  EXPECT_LT(Clock::now() - stopping, 1s);
}

}  // namespace
}  // namespace zastava::store
