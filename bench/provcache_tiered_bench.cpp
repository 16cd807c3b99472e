// The tiered provcache against real servers over loopback: lookup latency
// for a hit in each layer (in-process LRU, Valkey, PostgreSQL; p50/p99 from
// per-operation samples, reported as counters in microseconds) and the
// write-behind throughput into PostgreSQL in decisions per second.
//
// Servers: $ZASTAVA_BENCH_POSTGRES_URL and $ZASTAVA_BENCH_VALKEY_URL when set
// (bench/provcache/run.sh starts its own), else the test harness starts a
// PostgreSQL 15 and a Redis 7 once for the whole run.
//
//   build/bench/zastava_bench --benchmark_filter=ProvcacheTiered
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../tests/provcache/entry_samples.hpp"
#include "latency_samples.hpp"
#include "store/postgres_store.hpp"
#include "store/tiered_provcache.hpp"
#include "store/valkey_store.hpp"
#include "store/write_behind_queue.hpp"
#if __has_include("test_servers.hpp")  // built with the tests (ZASTAVA_BUILD_TESTS)
#include "test_servers.hpp"
#define ZASTAVA_BENCH_HAS_HARNESS 1
#endif

namespace {

using namespace zastava;
using namespace zastava::store;

std::int64_t wall_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The two server URLs, from the environment or from harness servers that
// live until the benchmark binary exits.
struct ServerUrls {
  std::string postgres;
  std::string valkey;
};

const ServerUrls& server_urls() {
  struct Owned {
#ifdef ZASTAVA_BENCH_HAS_HARNESS
    std::unique_ptr<testing::PostgresServer> postgres;
    std::unique_ptr<testing::RedisServer> redis;
#endif
    ServerUrls urls;
  };
  static const Owned owned = [] {
    Owned servers;
    const char* postgres = std::getenv("ZASTAVA_BENCH_POSTGRES_URL");
    const char* valkey = std::getenv("ZASTAVA_BENCH_VALKEY_URL");
    if (postgres != nullptr && valkey != nullptr) {
      servers.urls = {postgres, valkey};
      return servers;
    }
#ifdef ZASTAVA_BENCH_HAS_HARNESS
    servers.postgres = testing::PostgresServer::start();
    servers.redis = testing::RedisServer::start();
    servers.urls = {servers.postgres->connection_url(), servers.redis->url()};
    return servers;
#else
    throw std::runtime_error(
        "set ZASTAVA_BENCH_POSTGRES_URL and ZASTAVA_BENCH_VALKEY_URL (built without the tests)");
#endif
  }();
  return owned.urls;
}

std::unique_ptr<PostgresStore> open_postgres() {
  return std::move(PostgresStore::open(PostgresOptions{.url = server_urls().postgres}).value());
}

std::unique_ptr<ValkeyStore> open_valkey() {
  ValkeyConnectionOptions connection;
  connection.url = server_urls().valkey;
  return std::move(ValkeyStore::open(ValkeyStoreOptions{connection, "bench:"}).value());
}

// memory_entries 0 disables the LRU so every lookup reaches Valkey/PostgreSQL.
std::unique_ptr<TieredProvcache> open_tiered(std::size_t memory_entries, bool with_valkey) {
  TieredLayers layers;
  if (with_valkey) layers.valkey = open_valkey();
  layers.durable = open_postgres();
  TieredConfig config;
  config.options.memory_cache_entries = memory_entries;
  config.options.valkey_key_prefix = "bench:";
  return std::move(TieredProvcache::open(std::move(layers), config, nullptr).value());
}

provcache::ProvcacheEntry live_entry(int seed) {
  provcache::testing::SampleOptions options;
  options.created_at = wall_now() - 60;
  options.ttl_seconds = 6 * 3600;
  return provcache::testing::sample_entry(seed, options);
}

void expect_source(benchmark::State& state, const Result<Lookup>& found, LookupSource source) {
  if (!found.ok() || found->source != source) {
    state.SkipWithError("lookup was not answered by the expected layer");
  }
}

// Times cache->get for entry on every iteration (before_each runs outside the
// measured span), checks that the expected layer answered and reports the
// p50/p99.
template <typename BeforeEach>
void measure_lookups(benchmark::State& state, TieredProvcache& cache,
                     const provcache::ProvcacheEntry& entry, LookupSource source,
                     BeforeEach before_each) {
  const auto now = wall_now();
  bench::LatencySamples samples(static_cast<std::size_t>(state.max_iterations));
  for (auto _ : state) {
    before_each();
    expect_source(state, samples.time([&] { return cache.get(entry.veri_key(), now); }), source);
  }
  samples.report(state);
}

void BM_ProvcacheTieredGetMemoryHit(benchmark::State& state) {
  auto cache = open_tiered(1000, true);
  const auto entry = live_entry(1);
  (void)cache->put(entry);
  measure_lookups(state, *cache, entry, LookupSource::kMemory, [] {});
}
BENCHMARK(BM_ProvcacheTieredGetMemoryHit)->Iterations(200000)->UseRealTime();

void BM_ProvcacheTieredGetValkeyHit(benchmark::State& state) {
  auto cache = open_tiered(0, true);
  const auto entry = live_entry(2);
  (void)cache->put(entry);
  measure_lookups(state, *cache, entry, LookupSource::kValkey, [] {});
}
BENCHMARK(BM_ProvcacheTieredGetValkeyHit)->Iterations(20000)->UseRealTime();

// The whole miss-then-hit path: Valkey GET (miss), PostgreSQL SELECT, Valkey
// backfill. The backfilled copy is erased outside the measured span.
void BM_ProvcacheTieredGetPostgresHit(benchmark::State& state) {
  auto cache = open_tiered(0, true);
  auto valkey = open_valkey();
  const auto entry = live_entry(3);
  (void)open_postgres()->put(entry);
  measure_lookups(state, *cache, entry, LookupSource::kPostgres,
                  [&] { (void)valkey->erase(entry.veri_key()); });
}
BENCHMARK(BM_ProvcacheTieredGetPostgresHit)->Iterations(5000)->UseRealTime();

// Decisions through the write-behind queue into PostgreSQL (batches of 100,
// the seed's default), from enqueue to committed.
void BM_ProvcacheTieredWriteBehindThroughput(benchmark::State& state) {
  const auto count = static_cast<int>(state.range(0));
  std::vector<provcache::ProvcacheEntry> entries;
  entries.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) entries.push_back(live_entry(100000 + i));
  auto postgres = open_postgres();
  for (auto _ : state) {
    WriteBehindQueue queue(*postgres, WriteBehindOptions{});
    for (const auto& entry : entries) {
      if (!queue.enqueue(entry)) state.SkipWithError("queue full");
    }
    while (queue.stats().flushed < entries.size()) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
  state.SetItemsProcessed(state.iterations() * count);
  state.counters["decisions_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * count, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ProvcacheTieredWriteBehindThroughput)
    ->Arg(20000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

}  // namespace
