// Tests for store/embedded_store (and the ProvcacheStore helpers in
// store/provcache_store): what a store must do, that a restart keeps every
// decision, and crash safety: a log cut at every byte of its last record, a
// writer killed with SIGKILL at a random moment, and a corrupted record in
// the middle of the log.
#include "store/embedded_store.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../provcache/entry_samples.hpp"
#include "provcache/evidence_chunks.hpp"
#include "store/record_log.hpp"

namespace zastava::store {
namespace {

namespace fs = std::filesystem;
using provcache::InvalidationKind;
using provcache::testing::kSampleCreatedAt;
using provcache::testing::sample_entry;
using provcache::testing::sample_id;
using provcache::testing::SampleOptions;

constexpr std::int64_t kNow = kSampleCreatedAt + 60;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

class EmbeddedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "zastava-embedded-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    dir_ = root_ / "store";
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }

  std::unique_ptr<EmbeddedStore> open_store(const fs::path& dir,
                                            EmbeddedStoreOptions options = {}) {
    if (!options.warn) options.warn = [this](const std::string& w) { warnings_.push_back(w); };
    auto store = EmbeddedStore::open(dir, std::move(options));
    EXPECT_TRUE(store.ok()) << store.error().describe();
    return store.ok() ? std::move(*store) : nullptr;
  }
  std::unique_ptr<EmbeddedStore> open_store() { return open_store(dir_); }

  fs::path log_path() const { return dir_ / "provcache.log"; }

  fs::path root_;
  fs::path dir_;
  std::vector<std::string> warnings_;
};

bool holds(EmbeddedStore& store, const provcache::ProvcacheEntry& entry) {
  auto lookup = store.get(entry.veri_key(), kNow);
  return lookup.ok() && lookup->entry.has_value() && *lookup->entry == entry;
}

TEST(LookupSource, Names) {
  EXPECT_EQ(to_string(LookupSource::kNone), "none");
  EXPECT_EQ(to_string(LookupSource::kMemory), "memory");
  EXPECT_EQ(to_string(LookupSource::kValkey), "valkey");
  EXPECT_EQ(to_string(LookupSource::kPostgres), "postgres");
  EXPECT_EQ(to_string(LookupSource::kEmbedded), "embedded");
}

TEST_F(EmbeddedStoreTest, PutThenGetRoundTrips) {
  auto store = open_store();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->name(), "embedded");
  const auto entry = sample_entry(1);
  ASSERT_TRUE(store->put(entry).ok());
  auto hit = store->get(entry.veri_key(), kNow);
  ASSERT_TRUE(hit.ok());
  ASSERT_TRUE(hit->entry.has_value());
  EXPECT_EQ(*hit->entry, entry);
  EXPECT_EQ(hit->source, LookupSource::kEmbedded);

  auto miss = store->get(sample_id("nothing"), kNow);
  ASSERT_TRUE(miss.ok());
  EXPECT_FALSE(miss->entry.has_value());
  EXPECT_EQ(miss->source, LookupSource::kNone);
  EXPECT_EQ(store->count().value(), 1U);
}

TEST_F(EmbeddedStoreTest, PutRejectsInvalidEntriesWithoutWriting) {
  auto store = open_store();
  auto entry = sample_entry(1);
  entry.verdict_json = "{\"verdict\":\"deny\"}";  // does not hash to verdictHash
  const Status status = store->put(entry);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kVerification);
  EXPECT_EQ(store->count().value(), 0U);
  EXPECT_EQ(store->stats().log_bytes, 0U);
}

TEST_F(EmbeddedStoreTest, PutIsIdempotentAndUpserts) {
  auto store = open_store();
  auto entry = sample_entry(1);
  ASSERT_TRUE(store->put(entry).ok());
  const std::uint64_t size = store->stats().log_bytes;
  ASSERT_TRUE(store->put(entry).ok());
  EXPECT_EQ(store->count().value(), 1U);
  EXPECT_EQ(store->stats().log_bytes, size);  // nothing new to write
  entry.hit_count = 5;
  ASSERT_TRUE(store->put(entry).ok());
  EXPECT_EQ(store->count().value(), 1U);
  EXPECT_TRUE(holds(*store, entry));
}

TEST_F(EmbeddedStoreTest, RestartKeepsEveryDecision) {
  std::vector<provcache::ProvcacheEntry> entries;
  for (int i = 0; i < 150; ++i) entries.push_back(sample_entry(i));
  provcache::RevocationRecord record;
  {
    auto store = open_store();
    ASSERT_TRUE(store->put_many(std::span(entries).first(100)).ok());
    for (std::size_t i = 100; i < entries.size(); ++i) ASSERT_TRUE(store->put(entries[i]).ok());
    entries[7].hit_count = 99;
    ASSERT_TRUE(store->put(entries[7]).ok());
    record = provcache::make_revocation_record(
        {InvalidationKind::kFeedEpoch, "2026-11-02", "feed", "me"}, 0, kNow);
    ASSERT_TRUE(store->record_revocation(record).ok());
  }
  auto store = open_store();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->count().value(), entries.size());
  for (const auto& entry : entries) EXPECT_TRUE(holds(*store, entry)) << entry.veri_key();
  EXPECT_EQ(store->revocations(10).value(), std::vector{record});
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(EmbeddedStoreTest, EachInvalidationKindRemovesWhatItMatchesAndPersists) {
  SampleOptions revoked_signer, old_policy, old_epoch, short_lived;
  revoked_signer.signer_set = "revoked-signers";
  old_policy.policy = "old-policy";
  old_epoch.feed_epoch = "2026-10-01";
  short_lived.ttl_seconds = 30;  // expires before kNow
  const auto keep = sample_entry(0);
  const auto by_signer = sample_entry(1, revoked_signer);
  const auto by_policy = sample_entry(2, old_policy);
  const auto by_epoch = sample_entry(3, old_epoch);
  const auto by_expiry = sample_entry(4, short_lived);
  {
    auto store = open_store();
    ASSERT_TRUE(store->put_many(std::vector{keep, by_signer, by_policy, by_epoch, by_expiry}).ok());
    const struct {
      provcache::InvalidationRequest request;
      const provcache::ProvcacheEntry* removed;
    } cases[] = {
        {{InvalidationKind::kSignerSetHash, sample_id("revoked-signers"), "", ""}, &by_signer},
        {{InvalidationKind::kPolicyHash, sample_id("old-policy"), "", ""}, &by_policy},
        {{InvalidationKind::kFeedEpoch, "2026-10-15", "", ""}, &by_epoch},
        {{InvalidationKind::kExpired, "", "", ""}, &by_expiry},
    };
    std::uint64_t expected_count = 5;
    for (const auto& c : cases) {
      auto result = store->remove_matching(c.request, kNow);
      ASSERT_TRUE(result.ok()) << result.error().describe();
      EXPECT_EQ(result->veri_keys, std::vector{c.removed->veri_key()}) << to_string(c.request.by);
      EXPECT_EQ(store->count().value(), --expected_count);
      // Nothing left to match: an empty result and no log growth.
      const std::uint64_t size = store->stats().log_bytes;
      EXPECT_TRUE(store->remove_matching(c.request, kNow)->veri_keys.empty());
      EXPECT_EQ(store->stats().log_bytes, size);
    }
    EXPECT_TRUE(holds(*store, keep));
  }
  auto store = open_store();
  EXPECT_EQ(store->count().value(), 1U);
  EXPECT_TRUE(holds(*store, keep));
  EXPECT_FALSE(store->get(by_signer.veri_key(), kNow)->entry.has_value());
}

TEST_F(EmbeddedStoreTest, RemoveMatchingRejectsInvalidRequests) {
  auto store = open_store();
  auto result = store->remove_matching({InvalidationKind::kPolicyHash, "not-a-hash", "", ""}, kNow);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(EmbeddedStoreTest, InvalidateRemovesAndWritesTheAuditRecord) {
  auto store = open_store();
  SampleOptions revoked;
  revoked.signer_set = "compromised";
  ASSERT_TRUE(store
                  ->put_many(std::vector{sample_entry(1, revoked), sample_entry(2, revoked),
                                         sample_entry(3)})
                  .ok());
  const provcache::InvalidationRequest request{InvalidationKind::kSignerSetHash,
                                               sample_id("compromised"), "key-compromise",
                                               "system:serviceaccount:zastava:operator"};
  auto record = invalidate(*store, request, kNow);
  ASSERT_TRUE(record.ok()) << record.error().describe();
  EXPECT_EQ(record->entries_affected, 2U);
  EXPECT_EQ(record->revocation_type, "signer_set_hash");
  EXPECT_EQ(record->target_hash, sample_id("compromised"));
  EXPECT_EQ(record->created_at_seconds, kNow);
  EXPECT_EQ(store->revocations(5).value(), std::vector{*record});
  EXPECT_EQ(store->count().value(), 1U);
}

TEST_F(EmbeddedStoreTest, RevocationsAreNewestFirstAndLimited) {
  std::vector<provcache::RevocationRecord> records;
  {
    auto store = open_store();
    for (const std::int64_t t : {kNow + 10, kNow + 30, kNow + 20, kNow + 30}) {
      records.push_back(
          provcache::make_revocation_record({InvalidationKind::kExpired, "", "", ""}, 0, t));
      ASSERT_TRUE(store->record_revocation(records.back()).ok());
    }
    EXPECT_EQ(store->revocations(0).value().size(), 0U);
  }
  auto store = open_store();
  const auto all = store->revocations(100).value();
  // Newest first; the two at +30 in reverse log order.
  EXPECT_EQ(all, (std::vector{records[3], records[1], records[2], records[0]}));
  EXPECT_EQ(store->revocations(2).value(), (std::vector{records[3], records[1]}));
}

provcache::ChunkedEvidence sample_evidence(std::size_t size, char fill = 'x') {
  std::string bytes(size, fill);
  for (std::size_t i = 0; i < size; ++i)
    bytes[i] = static_cast<char>(fill + static_cast<char>(i % 7));
  return provcache::ChunkedEvidence::split(as_bytes(bytes), "application/vnd.cyclonedx+json",
                                           provcache::ChunkingPolicy{100, 50})
      .value();
}

TEST_F(EmbeddedStoreTest, EvidenceRoundTripsAndSurvivesRestart) {
  const auto evidence = sample_evidence(350);
  const auto manifest = provcache::manifest_of(evidence);
  {
    auto store = open_store();
    ASSERT_TRUE(store->put_evidence(manifest, evidence.chunks()).ok());
    ASSERT_TRUE(store->put_evidence(manifest, evidence.chunks()).ok());  // idempotent
    EXPECT_EQ(store->get_evidence(manifest.proof_root).value(), manifest);
  }
  auto store = open_store();
  EXPECT_EQ(store->get_evidence(manifest.proof_root).value(), manifest);
  for (std::uint64_t i = 0; i < evidence.chunk_count(); ++i) {
    auto chunk = store->get_chunk(manifest.proof_root, i);
    ASSERT_TRUE(chunk.ok()) << chunk.error().describe();
    ASSERT_TRUE(chunk->has_value());
    EXPECT_EQ(**chunk, evidence.chunks()[i]);
  }
  EXPECT_FALSE(store->get_chunk(manifest.proof_root, 4).value().has_value());
  EXPECT_FALSE(store->get_evidence(sample_id("unknown")).value().has_value());
  EXPECT_FALSE(store->get_chunk(sample_id("unknown"), 0).value().has_value());
}

TEST_F(EmbeddedStoreTest, EvidenceRejectsChunksThatDoNotMatchTheManifest) {
  auto store = open_store();
  const auto evidence = sample_evidence(350);
  const auto manifest = provcache::manifest_of(evidence);
  std::vector<Bytes> chunks = evidence.chunks();

  std::vector<Bytes> flipped = chunks;
  flipped[1][5] ^= 1;
  Status status = store->put_evidence(manifest, flipped);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kVerification);

  std::vector<Bytes> missing(chunks.begin(), chunks.end() - 1);
  EXPECT_EQ(store->put_evidence(manifest, missing).error().code, ErrorCode::kVerification);

  std::vector<Bytes> swapped = chunks;
  std::swap(swapped[0], swapped[1]);
  EXPECT_EQ(store->put_evidence(manifest, swapped).error().code, ErrorCode::kVerification);

  auto other_root = manifest;
  other_root.proof_root = sample_id("another root");
  EXPECT_FALSE(store->put_evidence(other_root, chunks).ok());

  auto bad_manifest = manifest;
  bad_manifest.total_size += 1;
  EXPECT_EQ(store->put_evidence(bad_manifest, chunks).error().code, ErrorCode::kInvalidArgument);

  EXPECT_FALSE(store->get_evidence(manifest.proof_root).value().has_value());
  EXPECT_FALSE(fs::exists(dir_ / "chunks"));  // nothing written for refused evidence

  ASSERT_TRUE(store->put_evidence(manifest, chunks).ok());
  auto other_type = manifest;
  other_type.content_type = "text/plain";
  for (auto& chunk : other_type.chunks) chunk.content_type = "text/plain";
  EXPECT_EQ(store->put_evidence(other_type, chunks).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(EmbeddedStoreTest, ACorruptChunkFileIsReportedNotServed) {
  auto store = open_store();
  const auto evidence = sample_evidence(250);
  const auto manifest = provcache::manifest_of(evidence);
  ASSERT_TRUE(store->put_evidence(manifest, evidence.chunks()).ok());
  const fs::path chunk = dir_ / "chunks" / manifest.proof_root.substr(7) / "1";
  ASSERT_TRUE(fs::exists(chunk));
  std::string bytes = read_file(chunk);
  bytes[0] ^= 0x20;
  write_file(chunk, bytes);
  auto read = store->get_chunk(manifest.proof_root, 1);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kParse);
  fs::remove(chunk);
  EXPECT_EQ(store->get_chunk(manifest.proof_root, 1).error().code, ErrorCode::kParse);
  EXPECT_TRUE(store->get_chunk(manifest.proof_root, 0).ok());
}

TEST_F(EmbeddedStoreTest, EmptyEvidenceIsStored) {
  auto store = open_store();
  auto evidence = provcache::ChunkedEvidence::split({}, "text/plain").value();
  const auto manifest = provcache::manifest_of(evidence);
  ASSERT_TRUE(store->put_evidence(manifest, {}).ok());
  EXPECT_EQ(store->get_evidence(manifest.proof_root).value(), manifest);
}

TEST_F(EmbeddedStoreTest, ExpiredEntriesAreMissesUntilSwept) {
  auto store = open_store();
  const auto entry = sample_entry(1);
  ASSERT_TRUE(store->put(entry).ok());
  EXPECT_TRUE(store->get(entry.veri_key(), entry.expires_at() - 1)->entry.has_value());
  EXPECT_FALSE(store->get(entry.veri_key(), entry.expires_at())->entry.has_value());
  EXPECT_EQ(store->count().value(), 1U);  // not yet swept
  auto swept = store->remove_matching({InvalidationKind::kExpired, "", "", ""}, entry.expires_at());
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->entries_affected(), 1U);
  EXPECT_EQ(store->count().value(), 0U);
}

TEST_F(EmbeddedStoreTest, ASecondOpenOfTheDirectoryIsRefusedUntilTheFirstCloses) {
  auto first = open_store();
  ASSERT_TRUE(first);
  auto second = EmbeddedStore::open(dir_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kIo);
  EXPECT_EQ(second.error().message, "store " + dir_.string() +
                                        " is in use by another process (pid " +
                                        std::to_string(::getpid()) + ")");
  first.reset();
  EXPECT_TRUE(open_store());
}

TEST_F(EmbeddedStoreTest, AnotherProcessIsRefusedWithItsPid) {
  auto store = open_store();
  ASSERT_TRUE(store);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto other = EmbeddedStore::open(dir_);
    const bool refused = !other.ok() && other.error().code == ErrorCode::kIo &&
                         other.error().message.find("(pid " + std::to_string(::getppid()) + ")") !=
                             std::string::npos;
    ::_exit(refused ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// (a) A crash mid-append can leave any prefix of the last record.
TEST_F(EmbeddedStoreTest, ALogCutAnywhereInItsLastRecordLosesOnlyThatRecord) {
  std::vector<provcache::ProvcacheEntry> entries;
  for (int i = 0; i < 4; ++i) entries.push_back(sample_entry(i));
  std::uint64_t before_last = 0;
  {
    auto store = open_store();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(store->put(entries[static_cast<std::size_t>(i)]).ok());
    before_last = store->stats().log_bytes;
    ASSERT_TRUE(store->put(entries[3]).ok());
  }
  const std::string full = read_file(log_path());
  ASSERT_GT(full.size(), before_last);
  for (std::size_t cut = before_last; cut < full.size(); ++cut) {
    const fs::path dir = root_ / ("cut-" + std::to_string(cut));
    fs::create_directories(dir);
    write_file(dir / "provcache.log", std::string_view(full).substr(0, cut));
    warnings_.clear();
    auto store = open_store(dir);
    ASSERT_TRUE(store) << "cut at " << cut;
    EXPECT_EQ(store->count().value(), 3U) << "cut at " << cut;
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(holds(*store, entries[static_cast<std::size_t>(i)]));
    EXPECT_FALSE(store->get(entries[3].veri_key(), kNow)->entry.has_value());
    EXPECT_EQ(store->stats().truncated_bytes, cut - before_last);
    EXPECT_EQ(warnings_.size(), cut > before_last ? 1U : 0U) << "cut at " << cut;
    // The torn bytes are gone from disk, so new records append cleanly
    // (checked on a sample of cuts: each check costs several fsyncs).
    EXPECT_EQ(fs::file_size(dir / "provcache.log"), before_last);
    if (cut % 128 == 1 || cut + 1 == full.size()) {
      ASSERT_TRUE(store->put(entries[3]).ok());
      store.reset();
      EXPECT_EQ(open_store(dir)->count().value(), 4U) << "cut at " << cut;
    }
    store.reset();
    fs::remove_all(dir);
  }
}

// (b) A writer killed with SIGKILL at a random moment: a prefix survives.
TEST_F(EmbeddedStoreTest, AWriterKilledAtARandomMomentLeavesAPrefixOfItsPuts) {
  constexpr int kEntries = 3000;
  std::vector<provcache::ProvcacheEntry> entries;
  for (int i = 0; i < kEntries; ++i) entries.push_back(sample_entry(i));
  std::mt19937 random(std::random_device{}());
  for (int round = 0; round < 3; ++round) {
    const fs::path dir = root_ / ("killed-" + std::to_string(round));
    const std::uint64_t threshold = std::uniform_int_distribution<std::uint64_t>(1, 60)(random) *
                                    2000;  // bytes of log before the kill window opens
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      EmbeddedStoreOptions quiet;
      quiet.warn = [](const std::string&) {};
      auto store = EmbeddedStore::open(dir, quiet);
      if (!store.ok()) ::_exit(2);
      for (const auto& entry : entries) {
        if (!(*store)->put(entry).ok()) ::_exit(3);
      }
      ::_exit(0);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::error_code error;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto size = fs::file_size(dir / "provcache.log", error);
      if (!error && size >= threshold) break;
      int status = 0;
      if (::waitpid(child, &status, WNOHANG) == child) break;  // finished before the window
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    std::this_thread::sleep_for(
        std::chrono::microseconds(std::uniform_int_distribution<int>(0, 3000)(random)));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    if (WIFEXITED(status)) {
      ASSERT_EQ(WEXITSTATUS(status), 0) << "the writer failed";
    }

    auto store = open_store(dir);
    ASSERT_TRUE(store) << "round " << round;
    const std::uint64_t survived = store->count().value();
    EXPECT_GT(survived, 0U);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      EXPECT_EQ(holds(*store, entries[i]), i < survived)
          << "entry " << i << " of a prefix of " << survived;
    }
  }
}

// (c) A flipped byte in a record followed by valid ones is corruption.
TEST_F(EmbeddedStoreTest, ACorruptMiddleRecordIsAParseErrorNamingItsOffset) {
  std::uint64_t middle_offset = 0, last_offset = 0;
  {
    auto store = open_store();
    ASSERT_TRUE(store->put(sample_entry(1)).ok());
    middle_offset = store->stats().log_bytes;
    ASSERT_TRUE(store->put(sample_entry(2)).ok());
    last_offset = store->stats().log_bytes;
    ASSERT_TRUE(store->put(sample_entry(3)).ok());
  }
  const std::string good = read_file(log_path());
  const std::size_t positions[] = {
      static_cast<std::size_t>(middle_offset) + 2,                   // its length
      static_cast<std::size_t>(middle_offset) + 5,                   // its checksum
      static_cast<std::size_t>((middle_offset + last_offset) / 2)};  // its payload
  for (const std::size_t position : positions) {
    std::string bad = good;
    bad[position] = static_cast<char>(bad[position] ^ 0x04);
    write_file(log_path(), bad);
    auto store = EmbeddedStore::open(dir_);
    ASSERT_FALSE(store.ok()) << "flip at " << position;
    EXPECT_EQ(store.error().code, ErrorCode::kParse);
    EXPECT_NE(store.error().message.find("offset " + std::to_string(middle_offset)),
              std::string::npos)
        << store.error().message;
    EXPECT_EQ(read_file(log_path()), bad);  // never truncated
  }
  write_file(log_path(), good);
  EXPECT_EQ(open_store()->count().value(), 3U);
}

TEST_F(EmbeddedStoreTest, AValidRecordWithBadContentIsAParseError) {
  std::string frames;
  append_frame("{\"op\":\"explode\"}", frames);
  fs::create_directories(dir_);
  write_file(log_path(), frames);
  auto store = EmbeddedStore::open(dir_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kParse);
  EXPECT_NE(store.error().message.find("explode"), std::string::npos) << store.error().message;
}

TEST_F(EmbeddedStoreTest, CompactionShrinksTheLogAndKeepsTheLatestState) {
  EmbeddedStoreOptions options;
  options.compaction_min_bytes = 16 * 1024;
  auto store = open_store(dir_, options);
  auto entry = sample_entry(1);
  ASSERT_TRUE(store->put(sample_entry(2)).ok());
  const auto manifest = provcache::manifest_of(sample_evidence(120));
  ASSERT_TRUE(store->put_evidence(manifest, sample_evidence(120).chunks()).ok());
  const auto record =
      provcache::make_revocation_record({InvalidationKind::kExpired, "", "", ""}, 0, kNow);
  ASSERT_TRUE(store->record_revocation(record).ok());
  for (std::uint64_t i = 0; i < 200; ++i) {
    entry.hit_count = i;
    ASSERT_TRUE(store->put(entry).ok());
  }
  const auto stats = store->stats();
  EXPECT_GT(stats.compactions, 0U);
  EXPECT_LE(stats.log_bytes, std::max<std::uint64_t>(2 * stats.live_bytes, 16 * 1024) + 2048);
  EXPECT_EQ(fs::file_size(log_path()), stats.log_bytes);
  store.reset();
  auto reopened = open_store(dir_, options);
  EXPECT_TRUE(holds(*reopened, entry));
  EXPECT_TRUE(holds(*reopened, sample_entry(2)));
  EXPECT_EQ(reopened->get_evidence(manifest.proof_root).value(), manifest);
  EXPECT_EQ(reopened->revocations(10).value(), std::vector{record});
  EXPECT_EQ(reopened->stats().log_bytes,
            reopened->stats().live_bytes + 0 * 0 +
                (reopened->stats().log_bytes - reopened->stats().live_bytes));
  ASSERT_TRUE(reopened->compact().ok());
  EXPECT_EQ(reopened->stats().log_bytes, reopened->stats().live_bytes);
}

TEST_F(EmbeddedStoreTest, ManyThreadsReadAndWriteConsistently) {
  auto store = open_store();
  std::vector<provcache::ProvcacheEntry> entries;
  for (int i = 0; i < 60; ++i) entries.push_back(sample_entry(i));
  std::atomic<int> failures{0};
  std::atomic<bool> writers_done{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      for (std::size_t i = static_cast<std::size_t>(w); i < entries.size(); i += 2) {
        if (!store->put(entries[i]).ok()) failures.fetch_add(1);
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      while (!writers_done.load()) {
        for (const auto& entry : entries) {
          auto lookup = store->get(entry.veri_key(), kNow);
          if (!lookup.ok() || (lookup->entry && !(*lookup->entry == entry))) failures.fetch_add(1);
        }
      }
    });
  }
  threads[0].join();
  threads[1].join();
  writers_done = true;
  threads[2].join();
  threads[3].join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store->count().value(), entries.size());
}

TEST_F(EmbeddedStoreTest, LeftoverTempFilesDoNotConfuseOpen) {
  {
    auto store = open_store();
    ASSERT_TRUE(store->put(sample_entry(1)).ok());
  }
  write_file(dir_ / "provcache.log.tmp", "half a snapshot");
  auto store = open_store();
  EXPECT_EQ(store->count().value(), 1U);
}

}  // namespace
}  // namespace zastava::store
