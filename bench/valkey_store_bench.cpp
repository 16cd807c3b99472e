// ValkeyStore over loopback against a throwaway redis-server (the test
// harness starts it): get latency for keys that exist, p50 and p99 in
// microseconds (the L2 lookup a webhook replica makes after an LRU miss), and
// put_many throughput in batches of 100 (each entry a MULTI/EXEC with its
// index sets, all in one pipeline).
//
// Run: build/bench/zastava_bench --benchmark_filter=Valkey
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/hex.hpp"
#include "digest/sha2.hpp"
#include "json/canonical_json.hpp"
#include "latency_samples.hpp"
#include "provcache/decision_digest.hpp"
#include "store/valkey_store.hpp"
#include "test_servers.hpp"

namespace {

using zastava::store::ProvcacheEntry;
using zastava::store::ValkeyStore;

std::int64_t wall_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string content_id(const std::string& text) {
  return "sha256:" +
         zastava::encoding::hex_encode(zastava::digest::sha256(zastava::as_bytes(text)));
}

// A valid entry created now (Valkey expires entries by the wall clock).
ProvcacheEntry valkey_bench_entry(std::uint64_t n, std::int64_t now) {
  using namespace zastava::provcache;
  GateResult gate;
  gate.verdict = Verdict::kAllow;
  gate.rule_ids = {"stella.gate/critical-affected/v1"};
  gate.feed_ids = {"grype"};
  const std::string tag = std::to_string(n);
  ProvcacheEntry entry;
  entry.decision =
      build_decision_digest(content_id("verikey-" + tag), gate, content_id("root-" + tag), 85, now)
          .value();
  entry.verdict_json = zastava::json::canonicalize(verdict_document(gate)).value();
  entry.source_hash = content_id("image-" + tag);
  entry.policy_hash = content_id("policy");
  entry.signer_set_hash = content_id("signers");
  entry.feed_epoch = "2026-11-01";
  entry.updated_at_seconds = now;
  return entry;
}

// One server and store for the whole benchmark run.
struct Valkey {
  std::unique_ptr<zastava::testing::RedisServer> server = zastava::testing::RedisServer::start();
  std::unique_ptr<ValkeyStore> store = [this] {
    zastava::store::ValkeyStoreOptions options;
    options.connection.url = server->url();
    return std::move(ValkeyStore::open(options).value());
  }();
};

Valkey& valkey() {
  static Valkey instance;
  return instance;
}

void BM_ValkeyGet(benchmark::State& state) {
  auto& store = *valkey().store;
  constexpr std::uint64_t kKeys = 10000;
  const std::int64_t now = wall_seconds();
  std::vector<ProvcacheEntry> entries;
  for (std::uint64_t i = 0; i < kKeys; ++i) entries.push_back(valkey_bench_entry(i, now));
  if (!store.put_many(entries).ok()) state.SkipWithError("seeding failed");

  zastava::bench::LatencySamples samples;
  std::uint64_t i = 0;
  for (auto _ : state) {
    const auto& key = entries[(i++ * 7919) % kKeys].veri_key();
    auto lookup = samples.time([&] { return store.get(key, now); });
    if (!lookup.ok() || !lookup->entry) state.SkipWithError("get missed");
  }
  samples.report(state);
}
BENCHMARK(BM_ValkeyGet)->UseRealTime()->MinTime(3.0);

void BM_ValkeyPutMany100(benchmark::State& state) {
  auto& store = *valkey().store;
  constexpr std::uint64_t kBatch = 100;
  const std::int64_t now = wall_seconds();
  std::uint64_t next = 1'000'000;
  std::vector<ProvcacheEntry> batch(kBatch);
  for (auto _ : state) {
    state.PauseTiming();
    for (auto& entry : batch) entry = valkey_bench_entry(next++, now);
    state.ResumeTiming();
    if (!store.put_many(batch).ok()) state.SkipWithError("put_many failed");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(next - 1'000'000));
  state.counters["decisions/s"] =
      benchmark::Counter(static_cast<double>(next - 1'000'000), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ValkeyPutMany100)->UseRealTime()->MinTime(3.0);

}  // namespace
