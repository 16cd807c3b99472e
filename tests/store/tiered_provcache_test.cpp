// TieredProvcache against real PostgreSQL 15 and Redis 7 servers started by
// tests/harness: the lookup flow with backfill, write-behind, invalidation
// through every layer, TTL expiry, and each lower layer going down.

#include "store/tiered_provcache.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <ostream>
#include <thread>

#include "../provcache/entry_samples.hpp"
#include "live_entries.hpp"
#include "metrics/registry.hpp"
#include "store/postgres_store.hpp"
#include "store/store_factory.hpp"
#include "store/valkey_store.hpp"
#include "test_servers.hpp"

namespace zastava::store {
namespace {

using namespace std::chrono_literals;
using provcache::InvalidationKind;
using provcache::testing::sample_entry;
using provcache::testing::sample_id;
using provcache::testing::SampleOptions;
using zastava::testing::PostgresServer;
using zastava::testing::RedisServer;

bool eventually(const std::function<bool()>& condition, std::chrono::seconds limit = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

std::unique_ptr<PostgresStore> open_postgres(const PostgresServer& server) {
  auto store = PostgresStore::open(PostgresOptions{.url = server.connection_url()});
  if (!store.ok()) throw std::runtime_error(store.error().describe());
  return std::move(*store);
}

std::unique_ptr<ValkeyStore> open_valkey(const RedisServer& server, const std::string& prefix) {
  ValkeyConnectionOptions connection;
  connection.url = server.url();
  auto store = ValkeyStore::open(ValkeyStoreOptions{connection, prefix});
  if (!store.ok()) throw std::runtime_error(store.error().describe());
  return std::move(*store);
}

bool present(ProvcacheStore& store, const ProvcacheEntry& entry) {
  auto found = store.get(entry.veri_key(), wall_now());
  if (!found.ok()) throw std::runtime_error(found.error().describe());
  return found->entry.has_value();
}

LookupSource source_of(TieredProvcache& cache, const ProvcacheEntry& entry,
                       std::int64_t now = wall_now()) {
  auto found = cache.get(entry.veri_key(), now);
  if (!found.ok()) throw std::runtime_error(found.error().describe());
  return found->source;
}

// Which lower layers a tiered store gets.
enum class Wanted { kBoth, kPostgresOnly, kValkeyOnly };

TieredOptions no_timed_flush() {
  TieredOptions options;
  options.write_behind_flush_interval = 1h;  // only size, flush() or destruction write
  return options;
}

class TieredProvcacheTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    postgres_ = PostgresServer::start().release();
    redis_ = RedisServer::start().release();
  }
  static void TearDownTestSuite() {
    delete postgres_;
    delete redis_;
  }

  // A key prefix per test, so tests never see each other's Valkey keys.
  static std::string prefix() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return std::string("t:") + info->name() + ":";
  }

  static std::unique_ptr<TieredProvcache> open_tiered(TieredOptions options = {},
                                                      Wanted wanted = Wanted::kBoth,
                                                      metrics::Registry* registry = nullptr,
                                                      PostgresServer& postgres = *postgres_,
                                                      RedisServer& redis = *redis_) {
    TieredLayers layers;
    if (wanted != Wanted::kPostgresOnly) layers.valkey = open_valkey(redis, prefix());
    if (wanted != Wanted::kValkeyOnly) layers.durable = open_postgres(postgres);
    TieredConfig config;
    config.options = options;
    config.options.valkey_key_prefix = prefix();
    auto cache = TieredProvcache::open(std::move(layers), config, registry);
    if (!cache.ok()) throw std::runtime_error(cache.error().describe());
    return std::move(*cache);
  }

  static PostgresServer* postgres_;
  static RedisServer* redis_;
};

PostgresServer* TieredProvcacheTest::postgres_ = nullptr;
RedisServer* TieredProvcacheTest::redis_ = nullptr;

TEST_F(TieredProvcacheTest, APostgresHitIsBackfilledIntoValkeyAndMemory) {
  const auto entry = live_entry(100);
  auto postgres = open_postgres(*postgres_);
  ASSERT_TRUE(postgres->put(entry).ok());
  auto valkey = open_valkey(*redis_, prefix());
  ASSERT_FALSE(present(*valkey, entry));

  auto cache = open_tiered();
  auto first = cache->get(entry.veri_key(), wall_now());
  ASSERT_TRUE(first.ok()) << first.error().describe();
  ASSERT_TRUE(first->entry.has_value());
  EXPECT_EQ(*first->entry, entry);
  EXPECT_EQ(first->source, LookupSource::kPostgres);
  EXPECT_TRUE(present(*valkey, entry)) << "backfilled into Valkey";
  EXPECT_EQ(source_of(*cache, entry), LookupSource::kMemory);

  auto other_replica = open_tiered();  // an empty LRU: Valkey answers
  EXPECT_EQ(source_of(*other_replica, entry), LookupSource::kValkey);
  EXPECT_EQ(source_of(*other_replica, entry), LookupSource::kMemory);

  const auto stats = cache->stats();
  EXPECT_EQ(stats.requests, 2u);
  EXPECT_EQ(stats.postgres_hits, 1u);
  EXPECT_EQ(stats.memory_hits, 1u);
}

TEST_F(TieredProvcacheTest, AMissInEveryLayerIsAMiss) {
  auto cache = open_tiered();
  auto found = cache->get(sample_id("nowhere"), wall_now());
  ASSERT_TRUE(found.ok()) << found.error().describe();
  EXPECT_FALSE(found->entry.has_value());
  EXPECT_EQ(found->source, LookupSource::kNone);
  EXPECT_EQ(cache->stats().misses, 1u);
}

TEST_F(TieredProvcacheTest, PutWritesMemoryAndValkeyAtOnceAndPostgresBehind) {
  const auto entry = live_entry(110);
  auto postgres = open_postgres(*postgres_);
  auto valkey = open_valkey(*redis_, prefix());
  auto cache = open_tiered(no_timed_flush());
  ASSERT_TRUE(cache->put(entry).ok());
  EXPECT_EQ(source_of(*cache, entry), LookupSource::kMemory);
  EXPECT_TRUE(present(*valkey, entry));
  EXPECT_FALSE(present(*postgres, entry)) << "queued, not yet written";
  EXPECT_EQ(cache->stats().write_behind.pending, 1u);
  ASSERT_TRUE(cache->flush().ok());
  EXPECT_TRUE(present(*postgres, entry));
}

TEST_F(TieredProvcacheTest, PutRefusesAnInvalidEntry) {
  auto entry = live_entry(115);
  entry.verdict_json = R"({"verdict":"deny"})";  // does not hash to verdictHash
  auto cache = open_tiered();
  EXPECT_FALSE(cache->put(entry).ok());
  EXPECT_EQ(cache->stats().write_behind.pending, 0u);
}

TEST_F(TieredProvcacheTest, WriteBehindFlushesWhenABatchIsFull) {
  auto options = no_timed_flush();
  options.write_behind_max_batch_size = 5;
  auto cache = open_tiered(options);
  auto postgres = open_postgres(*postgres_);
  std::vector<ProvcacheEntry> entries;
  for (int i = 0; i < 5; ++i) entries.push_back(live_entry(120 + i));
  for (const auto& entry : entries) ASSERT_TRUE(cache->put(entry).ok());
  ASSERT_TRUE(eventually([&] { return cache->stats().write_behind.flushed == 5; }));
  for (const auto& entry : entries) EXPECT_TRUE(present(*postgres, entry));
}

TEST_F(TieredProvcacheTest, WriteBehindFlushesEveryInterval) {
  TieredOptions options;
  options.write_behind_flush_interval = 100ms;
  auto cache = open_tiered(options);
  auto postgres = open_postgres(*postgres_);
  const auto entry = live_entry(130);
  ASSERT_TRUE(cache->put(entry).ok());
  ASSERT_TRUE(eventually([&] { return present(*postgres, entry); }));
}

TEST_F(TieredProvcacheTest, ClosingTheStoreWritesTheQueue) {
  std::vector<ProvcacheEntry> entries;
  for (int i = 0; i < 3; ++i) entries.push_back(live_entry(140 + i));
  {
    auto cache = open_tiered(no_timed_flush());
    for (const auto& entry : entries) ASSERT_TRUE(cache->put(entry).ok());
    EXPECT_EQ(cache->stats().write_behind.pending, 3u);
  }
  auto postgres = open_postgres(*postgres_);
  for (const auto& entry : entries) EXPECT_TRUE(present(*postgres, entry));
}

TEST_F(TieredProvcacheTest, WithoutWriteBehindPutWritesThrough) {
  auto options = no_timed_flush();
  options.enable_write_behind = false;
  auto cache = open_tiered(options);
  auto postgres = open_postgres(*postgres_);
  const auto entry = live_entry(145);
  ASSERT_TRUE(cache->put(entry).ok());
  EXPECT_TRUE(present(*postgres, entry));
}

// One invalidation kind: the selector options of matching and kept entries.
struct KindCase {
  InvalidationKind kind;
  std::string value;
  SampleOptions matching;
  SampleOptions kept;
  int seed;
};

void PrintTo(const KindCase& kind_case, std::ostream* out) {
  *out << provcache::to_string(kind_case.kind) << " " << kind_case.value;
}

class TieredInvalidationTest : public TieredProvcacheTest,
                               public ::testing::WithParamInterface<KindCase> {};

TEST_P(TieredInvalidationTest, ReachesMemoryValkeyTheQueueAndPostgres) {
  const auto& param = GetParam();
  const auto in_all_layers = live_entry(param.seed, param.matching);  // LRU, Valkey, PG
  const auto queued = live_entry(param.seed + 1, param.matching);     // LRU, Valkey, queue
  const auto only_valkey = live_entry(param.seed + 2, param.matching);
  const auto only_postgres = live_entry(param.seed + 3, param.matching);
  const auto kept = live_entry(param.seed + 4, param.kept);

  auto postgres = open_postgres(*postgres_);
  auto valkey = open_valkey(*redis_, prefix());
  auto cache = open_tiered(no_timed_flush());
  ASSERT_TRUE(cache->put(in_all_layers).ok());
  ASSERT_TRUE(cache->put(kept).ok());
  ASSERT_TRUE(cache->flush().ok());
  ASSERT_TRUE(cache->put(queued).ok());
  ASSERT_TRUE(valkey->put(only_valkey).ok());
  ASSERT_TRUE(postgres->put(only_postgres).ok());
  ASSERT_EQ(source_of(*cache, in_all_layers), LookupSource::kMemory);
  ASSERT_EQ(cache->stats().write_behind.pending, 1u);

  InvalidationRequest request{param.kind, param.value, "test", "tester"};
  auto removed = cache->remove_matching(request, wall_now());
  ASSERT_TRUE(removed.ok()) << removed.error().describe();
  std::vector<std::string> expected = {in_all_layers.veri_key(), queued.veri_key(),
                                       only_valkey.veri_key(), only_postgres.veri_key()};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(removed->veri_keys, expected);

  EXPECT_EQ(cache->stats().write_behind.pending, 0u) << "dropped from the queue";
  ASSERT_TRUE(cache->flush().ok());
  for (const auto* entry : {&in_all_layers, &queued, &only_valkey, &only_postgres}) {
    EXPECT_FALSE(present(*valkey, *entry));
    EXPECT_FALSE(present(*postgres, *entry));
    EXPECT_EQ(source_of(*cache, *entry), LookupSource::kNone);
  }
  EXPECT_EQ(source_of(*cache, kept), LookupSource::kMemory);
  EXPECT_TRUE(present(*valkey, kept));
  EXPECT_TRUE(present(*postgres, kept));
}

SampleOptions with_signer(std::string signer) {
  SampleOptions options;
  options.signer_set = std::move(signer);
  return options;
}
SampleOptions with_policy(std::string policy) {
  SampleOptions options;
  options.policy = std::move(policy);
  return options;
}
SampleOptions with_epoch(std::string epoch) {
  SampleOptions options;
  options.feed_epoch = std::move(epoch);
  return options;
}

INSTANTIATE_TEST_SUITE_P(
    EveryKind, TieredInvalidationTest,
    ::testing::Values(KindCase{InvalidationKind::kSignerSetHash, sample_id("signers-revoked"),
                               with_signer("signers-revoked"), with_signer("signers-good"), 200},
                      KindCase{InvalidationKind::kPolicyHash, sample_id("policy-old"),
                               with_policy("policy-old"), with_policy("policy-new"), 210},
                      // Short epochs: older than every "2026-11-01" other tests left behind.
                      KindCase{InvalidationKind::kFeedEpoch, "0002", with_epoch("0001"),
                               with_epoch("0003"), 220}),
    [](const auto& test_info) { return std::string(provcache::to_string(test_info.param.kind)); });

TEST_F(TieredProvcacheTest, ExpiredEntriesAreMissesAndTheSweepRemovesThem) {
  SampleOptions short_lived;
  short_lived.ttl_seconds = 120;
  const auto expiring = live_entry(300, short_lived);  // expires in 60 s
  const auto queued = live_entry(301, short_lived);
  const auto kept = live_entry(302);  // expires in an hour
  auto postgres = open_postgres(*postgres_);
  auto cache = open_tiered(no_timed_flush());
  ASSERT_TRUE(cache->put(expiring).ok());
  ASSERT_TRUE(cache->put(kept).ok());
  ASSERT_TRUE(cache->flush().ok());
  ASSERT_TRUE(cache->put(queued).ok());

  const auto later = expiring.expires_at() + 1;  // as the clock will read then
  EXPECT_EQ(source_of(*cache, expiring, later), LookupSource::kNone);
  EXPECT_EQ(source_of(*cache, kept, later), LookupSource::kMemory);

  InvalidationRequest sweep{InvalidationKind::kExpired, "", "ttl", "system"};
  auto removed = cache->remove_matching(sweep, later);
  ASSERT_TRUE(removed.ok()) << removed.error().describe();
  EXPECT_TRUE(std::find(removed->veri_keys.begin(), removed->veri_keys.end(),
                        expiring.veri_key()) != removed->veri_keys.end());
  EXPECT_TRUE(std::find(removed->veri_keys.begin(), removed->veri_keys.end(), queued.veri_key()) !=
              removed->veri_keys.end());
  ASSERT_TRUE(cache->flush().ok());
  EXPECT_FALSE(present(*postgres, expiring));
  EXPECT_FALSE(present(*postgres, queued));
  EXPECT_TRUE(present(*postgres, kept));
}

TEST_F(TieredProvcacheTest, ValkeyExpiresEntriesAtTheirExpiresAt) {
  SampleOptions options;
  options.created_at = wall_now() - 10;
  options.ttl_seconds = 12;  // expires in about 2 s
  const auto entry = sample_entry(310, options);
  auto valkey = open_valkey(*redis_, prefix());
  auto cache = open_tiered({}, Wanted::kValkeyOnly);
  ASSERT_TRUE(cache->put(entry).ok());
  ASSERT_TRUE(present(*valkey, entry));
  ASSERT_TRUE(eventually([&] { return !present(*valkey, entry); }, 10s));
  auto other = open_tiered({}, Wanted::kValkeyOnly);
  EXPECT_EQ(source_of(*other, entry), LookupSource::kNone);
}

TEST_F(TieredProvcacheTest, WithValkeyDownLookupsFallThroughAndPutsPersist) {
  auto redis = RedisServer::start();
  const auto stored = live_entry(400);
  auto postgres = open_postgres(*postgres_);
  ASSERT_TRUE(postgres->put(stored).ok());
  metrics::Registry registry;
  auto cache = open_tiered(no_timed_flush(), Wanted::kBoth, &registry, *postgres_, *redis);
  redis->stop();

  EXPECT_EQ(source_of(*cache, stored), LookupSource::kPostgres);
  const auto fresh = live_entry(401);
  ASSERT_TRUE(cache->put(fresh).ok());
  ASSERT_TRUE(cache->flush().ok());
  EXPECT_TRUE(present(*postgres, fresh));
  EXPECT_GE(cache->stats().valkey_errors, 2u);
  EXPECT_NE(registry.render().find("provcache_layer_errors_total{layer=\"valkey\"}"),
            std::string::npos);

  redis->start_again();  // back (empty): the next PostgreSQL hit backfills it again
  auto other = open_tiered({}, Wanted::kBoth, nullptr, *postgres_, *redis);
  ASSERT_TRUE(eventually([&] { return source_of(*other, fresh) == LookupSource::kPostgres; }));
  auto valkey = open_valkey(*redis, prefix());
  EXPECT_TRUE(present(*valkey, fresh));
}

TEST_F(TieredProvcacheTest, WithPostgresDownHitsAreServedAndPutsQueueUntilItIsBack) {
  auto postgres_server = PostgresServer::start();
  const auto warm = live_entry(500);
  const auto in_valkey = live_entry(501);
  auto valkey = open_valkey(*redis_, prefix());
  ASSERT_TRUE(valkey->put(in_valkey).ok());
  TieredOptions options;
  options.write_behind_flush_interval = 50ms;
  auto cache = open_tiered(options, Wanted::kBoth, nullptr, *postgres_server);
  ASSERT_TRUE(cache->put(warm).ok());
  ASSERT_TRUE(cache->flush().ok());

  postgres_server->stop();
  EXPECT_EQ(source_of(*cache, warm), LookupSource::kMemory);
  EXPECT_EQ(source_of(*cache, in_valkey), LookupSource::kValkey);
  auto nowhere = cache->get(sample_id("nowhere"), wall_now());
  ASSERT_FALSE(nowhere.ok()) << "PostgreSQL down after a Valkey miss is an error, not a miss";
  EXPECT_EQ(nowhere.error().code, ErrorCode::kIo);

  std::vector<ProvcacheEntry> queued;
  for (int i = 0; i < 3; ++i) queued.push_back(live_entry(510 + i));
  for (const auto& entry : queued) ASSERT_TRUE(cache->put(entry).ok());
  ASSERT_TRUE(eventually([&] { return cache->stats().write_behind.failures >= 1; }));
  EXPECT_EQ(cache->stats().write_behind.pending, 3u);
  EXPECT_GE(cache->stats().postgres_errors, 1u);

  postgres_server->start_again();
  ASSERT_TRUE(eventually([&] { return cache->stats().write_behind.pending == 0; }));
  auto postgres = open_postgres(*postgres_server);
  for (const auto& entry : queued) EXPECT_TRUE(present(*postgres, entry));
}

TEST_F(TieredProvcacheTest, PostgresOnlyAndValkeyOnlyBothWork) {
  const auto entry = live_entry(600);
  {
    auto durable_only = open_tiered(no_timed_flush(), Wanted::kPostgresOnly);
    ASSERT_TRUE(durable_only->put(entry).ok());
    ASSERT_TRUE(durable_only->flush().ok());
    auto reopened = open_tiered({}, Wanted::kPostgresOnly);
    EXPECT_EQ(source_of(*reopened, entry), LookupSource::kPostgres);
    EXPECT_TRUE(reopened->revocations(10).ok());
  }
  auto cache_only = open_tiered({}, Wanted::kValkeyOnly);
  ASSERT_TRUE(cache_only->put(entry).ok());
  auto other = open_tiered({}, Wanted::kValkeyOnly);
  EXPECT_EQ(source_of(*other, entry), LookupSource::kValkey);
  EXPECT_EQ(cache_only->revocations(10).error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(cache_only->get_evidence(sample_id("root")).error().code, ErrorCode::kUnsupported);
}

TEST_F(TieredProvcacheTest, OpenRefusesNoLayerAndABusWithoutValkey) {
  EXPECT_EQ(TieredProvcache::open({}, {}, nullptr).error().code, ErrorCode::kInvalidArgument);
  TieredLayers layers;
  layers.durable = open_postgres(*postgres_);
  TieredConfig config;
  config.bus = InvalidationBusOptions{};
  EXPECT_EQ(TieredProvcache::open(std::move(layers), config, nullptr).error().code,
            ErrorCode::kInvalidArgument);
}

TEST_F(TieredProvcacheTest, MetricsCountRequestsHitsByLayerMissesAndInvalidations) {
  metrics::Registry registry;
  const auto in_postgres = live_entry(700);
  auto postgres = open_postgres(*postgres_);
  ASSERT_TRUE(postgres->put(in_postgres).ok());
  auto cache = open_tiered({}, Wanted::kBoth, &registry);
  EXPECT_EQ(source_of(*cache, in_postgres), LookupSource::kPostgres);
  EXPECT_EQ(source_of(*cache, in_postgres), LookupSource::kMemory);
  (void)cache->get(sample_id("nowhere"), wall_now());
  ASSERT_TRUE(
      cache
          ->remove_matching({InvalidationKind::kPolicyHash, sample_id("no-such-policy"), "", ""},
                            wall_now())
          .ok());
  ASSERT_TRUE(cache->refresh_items_gauge().ok());
  const auto text = registry.render();
  for (const std::string line :
       {"provcache_requests_total 3", "provcache_hits_total{layer=\"memory\"} 1",
        "provcache_hits_total{layer=\"postgres\"} 1", "provcache_hits_total{layer=\"valkey\"} 0",
        "provcache_misses_total 1", "provcache_invalidations_total{by=\"policy_hash\"} 1",
        "provcache_latency_seconds_count{op=\"get\"} 3", "provcache_items_count "}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  }
}

TEST_F(TieredProvcacheTest, OpenStoreChoosesTheStoreTheSettingsName) {
  StoreSettings tiered;
  tiered.postgres_url = postgres_->connection_url();
  tiered.valkey_url = redis_->url();
  tiered.tiered.valkey_key_prefix = prefix();
  auto opened = open_store(tiered, nullptr);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_EQ((*opened)->name(), "tiered");
  const auto entry = live_entry(800);
  ASSERT_TRUE((*opened)->put(entry).ok());
  EXPECT_TRUE(present(**opened, entry));

  const auto dir =
      std::filesystem::temp_directory_path() / ("tiered-open-store-" + std::to_string(::getpid()));
  StoreSettings embedded;
  embedded.embedded_dir = dir.string();
  auto local = open_store(embedded, nullptr);
  ASSERT_TRUE(local.ok()) << local.error().describe();
  EXPECT_EQ((*local)->name(), "embedded");
  local->reset();  // closes the store (and its lock) before the directory goes
  std::filesystem::remove_all(dir);

  StoreSettings both = tiered;
  both.embedded_dir = dir.string();
  EXPECT_EQ(open_store(both, nullptr).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(open_store(StoreSettings{}, nullptr).error().code, ErrorCode::kInvalidArgument);

  StoreSettings unreachable;
  unreachable.valkey_url =
      "redis://127.0.0.1:" + std::to_string(zastava::testing::free_loopback_port());
  auto refused = open_store(unreachable, nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace zastava::store
