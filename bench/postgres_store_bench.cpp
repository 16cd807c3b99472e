// PostgresStore over loopback against a throwaway PostgreSQL 15 (the test
// harness starts it, fsync off): put_many throughput in batches of 100 (the
// write-behind flush; target >= 20,000 decisions/s) and get latency, p50 and
// p99 in microseconds, for keys that exist. Also the server's CPU time per
// decision written (its backends' /proc counters), which on a busy machine
// is a steadier figure than the rate.
//
// Run: build/bench/zastava_bench --benchmark_filter=Postgres
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <vector>

#include "base/hex.hpp"
#include "digest/sha2.hpp"
#include "latency_samples.hpp"
#include "store/postgres_store.hpp"
#include "test_servers.hpp"

namespace {

using zastava::store::PostgresStore;
using zastava::store::ProvcacheEntry;

constexpr std::int64_t kCreatedAt = 1766577600;  // 2025-12-24T12:00:00Z

std::string id_of(const std::string& text) {
  return "sha256:" +
         zastava::encoding::hex_encode(zastava::digest::sha256(zastava::as_bytes(text)));
}

// A realistic entry (sizes as in production; the store does not re-validate).
ProvcacheEntry bench_entry(std::uint64_t n) {
  const std::string tag = std::to_string(n);
  ProvcacheEntry entry;
  entry.decision.veri_key = id_of("verikey-" + tag);
  entry.verdict_json =
      R"({"criticalAffected":0,"findings":[],"reasons":[],"underInvestigation":0,"verdict":"allow"})";
  entry.decision.verdict_hash = id_of(entry.verdict_json);
  entry.decision.proof_root = id_of("root-" + tag);
  entry.decision.replay_seed = {{"grype"}, {"stella.gate/critical-affected/v1"}};
  entry.decision.trust_score = 85;
  entry.decision.created_at_seconds = kCreatedAt;
  entry.decision.expires_at_seconds = kCreatedAt + 24 * 3600;
  entry.source_hash = id_of("image-" + tag);
  entry.policy_hash = id_of("policy");
  entry.signer_set_hash = id_of("signers");
  entry.feed_epoch = "2026-11-01";
  entry.updated_at_seconds = kCreatedAt;
  return entry;
}

// One server and store for the whole benchmark run.
struct Postgres {
  std::unique_ptr<zastava::testing::PostgresServer> server =
      zastava::testing::PostgresServer::start();
  std::unique_ptr<PostgresStore> store =
      std::move(PostgresStore::open({.url = server->connection_url()}).value());
  std::uint64_t next_key = 0;  // fresh keys across runs: put_many inserts
};

Postgres& postgres() {
  static Postgres instance;
  return instance;
}

// CPU seconds (user + system) the server processes serving the store have
// used so far, from /proc: on a loaded machine the wall-clock rate says more
// about the neighbours than about us, the CPU cost per decision does not.
double server_cpu_seconds(const std::string& url) {
  pqxx::connection connection{url};
  pqxx::nontransaction tx{connection};
  const auto pids = tx.exec("SELECT pid FROM pg_stat_activity WHERE application_name = 'zastava'");
  double seconds = 0;
  for (const auto& row : pids) {
    std::ifstream stat("/proc/" + row[0].as<std::string>() + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::vector<std::string> values{std::istream_iterator<std::string>(fields), {}};
    if (values.size() > 12) {  // [11] utime, [12] stime (fields 14 and 15)
      seconds += static_cast<double>(std::stoull(values[11]) + std::stoull(values[12])) /
                 static_cast<double>(::sysconf(_SC_CLK_TCK));
    }
  }
  return seconds;
}

void BM_PostgresPutMany(benchmark::State& state) {
  auto& pg = postgres();
  const auto batch_size = static_cast<std::uint64_t>(state.range(0));
  std::vector<ProvcacheEntry> batch(batch_size);
  std::uint64_t decisions = 0;
  const double server_cpu_before = server_cpu_seconds(pg.server->connection_url());
  for (auto _ : state) {
    state.PauseTiming();
    for (auto& entry : batch) entry = bench_entry(pg.next_key++);
    state.ResumeTiming();
    if (!pg.store->put_many(batch).ok()) state.SkipWithError("put_many failed");
    decisions += batch_size;
  }
  const double server_cpu = server_cpu_seconds(pg.server->connection_url()) - server_cpu_before;
  state.SetItemsProcessed(static_cast<std::int64_t>(decisions));
  state.counters["decisions/s"] =
      benchmark::Counter(static_cast<double>(decisions), benchmark::Counter::kIsRate);
  state.counters["server_cpu_us/decision"] = server_cpu * 1e6 / static_cast<double>(decisions);
}
BENCHMARK(BM_PostgresPutMany)->Arg(100)->Arg(1000)->UseRealTime()->MinTime(3.0);

void BM_PostgresGet(benchmark::State& state) {
  auto& store = *postgres().store;
  constexpr std::uint64_t kKeys = 10000;
  std::vector<ProvcacheEntry> entries;
  for (std::uint64_t i = 0; i < kKeys; ++i) entries.push_back(bench_entry(1'000'000 + i));
  if (!store.put_many(entries).ok()) state.SkipWithError("seeding failed");

  zastava::bench::LatencySamples samples;
  std::uint64_t i = 0;
  for (auto _ : state) {
    const auto& key = entries[(i++ * 7919) % kKeys].veri_key();
    auto lookup = samples.time([&] { return store.get(key, kCreatedAt + 60); });
    if (!lookup.ok() || !lookup->entry) state.SkipWithError("get missed");
  }
  samples.report(state);
}
BENCHMARK(BM_PostgresGet)->UseRealTime()->MinTime(3.0);

}  // namespace
