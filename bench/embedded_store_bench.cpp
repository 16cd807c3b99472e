// The embedded provcache store (store/embedded_store): a get() hit, a miss,
// gets from several threads at once, put() (one fdatasync each), put_many()
// of 100 (one fdatasync a batch) and open() replaying a 10 000-entry log.
// The store lives in a temp directory on the same filesystem as /tmp; put
// figures are the disk's fdatasync latency more than the store's.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "../tests/provcache/entry_samples.hpp"
#include "store/embedded_store.hpp"

namespace {

namespace fs = std::filesystem;
using zastava::provcache::ProvcacheEntry;
using zastava::store::EmbeddedStore;

constexpr std::int64_t kNow = zastava::provcache::testing::kSampleCreatedAt + 60;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "zastava-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::vector<ProvcacheEntry> make_entries(int first, int count) {
  std::vector<ProvcacheEntry> entries;
  entries.reserve(static_cast<std::size_t>(count));
  for (int i = first; i < first + count; ++i) {
    entries.push_back(zastava::provcache::testing::sample_entry(i));
  }
  return entries;
}

std::unique_ptr<EmbeddedStore> open_quiet(const fs::path& dir) {
  zastava::store::EmbeddedStoreOptions options;
  options.warn = [](const std::string&) {};
  return std::move(EmbeddedStore::open(dir, options).value());
}

// One store of 10 000 entries shared by the read benchmarks (threads too).
struct ReadFixture {
  TempDir dir;
  std::vector<ProvcacheEntry> entries = make_entries(0, 10000);
  std::unique_ptr<EmbeddedStore> store = open_quiet(dir.path() / "store");
  ReadFixture() {
    if (!store->put_many(entries).ok()) throw std::runtime_error("put_many failed");
  }
};

ReadFixture& read_fixture() {
  static ReadFixture fixture;
  return fixture;
}

void BM_EmbeddedGetHit(benchmark::State& state) {
  ReadFixture& fixture = read_fixture();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    const ProvcacheEntry& entry = fixture.entries[i++ % fixture.entries.size()];
    auto lookup = fixture.store->get(entry.veri_key(), kNow);
    benchmark::DoNotOptimize(lookup);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EmbeddedGetHit)->Threads(1)->Threads(2)->UseRealTime();

void BM_EmbeddedGetMiss(benchmark::State& state) {
  ReadFixture& fixture = read_fixture();
  const std::string missing = zastava::provcache::testing::sample_id("not stored");
  for (auto _ : state) {
    auto lookup = fixture.store->get(missing, kNow);
    benchmark::DoNotOptimize(lookup);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EmbeddedGetMiss);

void BM_EmbeddedPut(benchmark::State& state) {
  TempDir dir;
  auto store = open_quiet(dir.path() / "store");
  const std::vector<ProvcacheEntry> entries = make_entries(100000, 2000);
  std::size_t i = 0;
  for (auto _ : state) {
    ProvcacheEntry entry = entries[i % entries.size()];
    entry.hit_count = i++;  // always a change, so always a durable write
    if (!store->put(entry).ok()) state.SkipWithError("put failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EmbeddedPut)->UseRealTime();

void BM_EmbeddedPutMany(benchmark::State& state) {
  TempDir dir;
  auto store = open_quiet(dir.path() / "store");
  const auto batch_size = static_cast<int>(state.range(0));
  std::vector<ProvcacheEntry> batch = make_entries(200000, batch_size);
  std::uint64_t round = 0;
  for (auto _ : state) {
    ++round;
    for (ProvcacheEntry& entry : batch) entry.hit_count = round;
    if (!store->put_many(batch).ok()) state.SkipWithError("put_many failed");
  }
  state.SetItemsProcessed(state.iterations() * batch_size);
}
BENCHMARK(BM_EmbeddedPutMany)->Arg(100)->UseRealTime();

void BM_EmbeddedOpenReplay(benchmark::State& state) {
  TempDir dir;
  const auto count = static_cast<int>(state.range(0));
  {
    auto store = open_quiet(dir.path() / "store");
    if (!store->put_many(make_entries(300000, count)).ok()) state.SkipWithError("fill failed");
  }
  for (auto _ : state) {
    auto store = open_quiet(dir.path() / "store");
    benchmark::DoNotOptimize(store);
  }
  state.SetItemsProcessed(state.iterations() * count);
}
BENCHMARK(BM_EmbeddedOpenReplay)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
