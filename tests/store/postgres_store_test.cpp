// PostgresStore against a real PostgreSQL 15 started by the test harness:
// one server per test suite, a fresh database per test.

#include "store/postgres_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <latch>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "provcache/entry_samples.hpp"
#include "provcache/evidence_chunks.hpp"
#include "provcache/invalidation.hpp"
#include "store/postgres_migrations.hpp"
#include "test_servers.hpp"

namespace zastava::store {
namespace {

using provcache::InvalidationKind;
using provcache::testing::kSampleCreatedAt;
using provcache::testing::sample_entry;
using provcache::testing::sample_id;
using provcache::testing::SampleOptions;
using testing::PostgresServer;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t kNow = kSampleCreatedAt + 60;

// A new, empty database on `server`; returns its URL.
std::string create_database(const PostgresServer& server) {
  static std::atomic<int> next{0};
  const std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(next++);
  pqxx::connection admin{server.connection_url()};
  pqxx::nontransaction tx{admin};
  tx.exec("CREATE DATABASE " + name);
  return "postgresql://zastava@127.0.0.1:" + std::to_string(server.port()) + "/" + name;
}

std::unique_ptr<PostgresStore> open_or_fail(const std::string& url, PostgresOptions options = {}) {
  options.url = url;
  auto store = PostgresStore::open(options);
  if (!store.ok()) throw std::runtime_error(store.error().describe());
  return std::move(store.value());
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = PostgresServer::start(); }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    url_ = create_database(*server_);
    store_ = open_or_fail(url_);
  }

  // Runs SQL directly (to inspect or tamper with the tables).
  pqxx::result sql(const std::string& statement) {
    pqxx::connection connection{url_};
    pqxx::nontransaction tx{connection};
    return tx.exec(statement);
  }

  static std::unique_ptr<PostgresServer> server_;
  std::string url_;
  std::unique_ptr<PostgresStore> store_;
};

std::unique_ptr<PostgresServer> PostgresStoreTest::server_;

// ---- migrations ---------------------------------------------------------------

TEST_F(PostgresStoreTest, MigrationsCreateTheSchemaAndRecordEveryVersion) {
  const auto versions = sql("SELECT version, name FROM provcache.schema_migrations ORDER BY 1");
  ASSERT_EQ(versions.size(), postgres_migrations().size());
  for (std::size_t i = 0; i < versions.size(); ++i) {
    EXPECT_EQ(versions[static_cast<pqxx::result::size_type>(i)][0].as<int>(),
              postgres_migrations()[i].version);
  }
  const auto tables =
      sql("SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables "
          "WHERE table_schema = 'provcache'");
  EXPECT_EQ(tables[0][0].as<std::string>(),
            "prov_evidence,prov_evidence_chunks,prov_revocations,provcache_items,"
            "schema_migrations");
  const auto indexes =
      sql("SELECT count(*) FROM pg_indexes WHERE schemaname = 'provcache' AND indexname IN "
          "('provcache_items_signer_set_hash_idx','provcache_items_policy_hash_idx',"
          "'provcache_items_feed_epoch_idx','provcache_items_expires_at_idx',"
          "'prov_revocations_created_at_idx')");
  EXPECT_EQ(indexes[0][0].as<int>(), 5);
}

TEST_F(PostgresStoreTest, MigrationsAreIdempotent) {
  auto again = PostgresStore::open({.url = url_});
  ASSERT_TRUE(again.ok()) << again.error().describe();

  pqxx::connection connection{url_};
  auto report = apply_migrations(connection);
  ASSERT_TRUE(report.ok()) << report.error().describe();
  EXPECT_EQ(report->version_before, latest_schema_version());
  EXPECT_EQ(report->version_after, latest_schema_version());
  EXPECT_TRUE(report->applied.empty());
  EXPECT_EQ(sql("SELECT count(*) FROM provcache.schema_migrations")[0][0].as<std::size_t>(),
            postgres_migrations().size());
}

TEST_F(PostgresStoreTest, ConcurrentOpenersOnAFreshDatabaseDoNotRace) {
  const std::string fresh = create_database(*server_);
  constexpr int kOpeners = 6;
  std::latch go{kOpeners};
  std::vector<std::string> errors(kOpeners);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&, i] {
      go.arrive_and_wait();
      auto store = PostgresStore::open({.url = fresh});
      if (!store.ok()) errors[static_cast<std::size_t>(i)] = store.error().describe();
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& error : errors) EXPECT_EQ(error, "");

  pqxx::connection connection{fresh};
  pqxx::nontransaction tx{connection};
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM provcache.schema_migrations")[0].as<std::size_t>(),
            postgres_migrations().size());
}

TEST_F(PostgresStoreTest, ADatabaseWithANewerSchemaIsRefused) {
  sql("INSERT INTO provcache.schema_migrations (version, name) VALUES (999, 'from the future')");
  auto store = PostgresStore::open({.url = url_});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(store.error().message.find("999"), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find("newer"), std::string::npos) << store.error().message;

  auto without_migrations = PostgresStore::open({.url = url_, .run_migrations = false});
  ASSERT_FALSE(without_migrations.ok());
  EXPECT_EQ(without_migrations.error().code, ErrorCode::kUnsupported);
}

TEST_F(PostgresStoreTest, WithoutMigrationsAnEmptyDatabaseIsRefused) {
  auto store = PostgresStore::open({.url = create_database(*server_), .run_migrations = false});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnsupported);
  EXPECT_TRUE(PostgresStore::open({.url = url_, .run_migrations = false}).ok());
}

// ---- entries --------------------------------------------------------------------

TEST_F(PostgresStoreTest, PutThenGetReturnsTheSameEntry) {
  auto entry = sample_entry(1, {.deny = true});
  entry.hit_count = 7;
  ASSERT_TRUE(store_->put(entry).ok());

  auto lookup = store_->get(entry.veri_key(), kNow);
  ASSERT_TRUE(lookup.ok()) << lookup.error().describe();
  ASSERT_TRUE(lookup->entry.has_value());
  EXPECT_EQ(*lookup->entry, entry);
  EXPECT_EQ(lookup->source, LookupSource::kPostgres);
  EXPECT_EQ(store_->name(), "postgres");
}

TEST_F(PostgresStoreTest, AnUnknownKeyIsAMissNotAnError) {
  auto lookup = store_->get(sample_id("nothing"), kNow);
  ASSERT_TRUE(lookup.ok());
  EXPECT_FALSE(lookup->entry.has_value());
  EXPECT_EQ(lookup->source, LookupSource::kNone);
}

TEST_F(PostgresStoreTest, PutIsIdempotentAndUpsertsByVeriKey) {
  const auto entry = sample_entry(2);
  ASSERT_TRUE(store_->put(entry).ok());
  ASSERT_TRUE(store_->put(entry).ok());
  EXPECT_EQ(store_->count().value(), 1U);

  auto changed = entry;
  changed.feed_epoch = "2026-11-22";
  changed.updated_at_seconds += 10;
  ASSERT_TRUE(store_->put(changed).ok());
  EXPECT_EQ(store_->count().value(), 1U);
  EXPECT_EQ(*store_->get(entry.veri_key(), kNow)->entry, changed);
}

TEST_F(PostgresStoreTest, PutManyWritesAThousandEntriesInOneCall) {
  std::vector<ProvcacheEntry> entries;
  for (int i = 0; i < 1000; ++i) entries.push_back(sample_entry(i, {.deny = i % 3 == 0}));
  ASSERT_TRUE(store_->put_many(entries).ok());
  EXPECT_EQ(store_->count().value(), 1000U);
  for (const int i : {0, 1, 499, 999}) {
    const auto& expected = entries[static_cast<std::size_t>(i)];
    EXPECT_EQ(*store_->get(expected.veri_key(), kNow)->entry, expected) << i;
  }
  // Again, with the same key twice in one batch: the later one wins.
  auto first = sample_entry(5);
  auto second = first;
  second.feed_epoch = "2026-12-01";
  const std::vector<ProvcacheEntry> twice{first, second};
  ASSERT_TRUE(store_->put_many(twice).ok());
  EXPECT_EQ(store_->count().value(), 1000U);
  EXPECT_EQ(store_->get(first.veri_key(), kNow)->entry->feed_epoch, "2026-12-01");
  EXPECT_TRUE(store_->put_many({}).ok());
}

TEST_F(PostgresStoreTest, StringsSurviveExactly) {
  auto entry = sample_entry(3);
  entry.feed_epoch = R"(odd "epoch" \ {with,commas} é)";
  ASSERT_TRUE(store_->put_many(std::vector<ProvcacheEntry>{entry}).ok());
  EXPECT_EQ(*store_->get(entry.veri_key(), kNow)->entry, entry);
}

TEST_F(PostgresStoreTest, AnExpiredEntryIsAMiss) {
  const auto entry = sample_entry(4, {.ttl_seconds = 3600});
  ASSERT_TRUE(store_->put(entry).ok());
  EXPECT_TRUE(store_->get(entry.veri_key(), entry.expires_at() - 1)->entry.has_value());
  EXPECT_FALSE(store_->get(entry.veri_key(), entry.expires_at())->entry.has_value());
  EXPECT_FALSE(store_->get(entry.veri_key(), entry.expires_at() + 1)->entry.has_value());
}

// ---- invalidation -----------------------------------------------------------------

InvalidationRequest request_by(InvalidationKind kind, std::string value, std::string reason = "",
                               std::string actor = "") {
  InvalidationRequest request;
  request.by = kind;
  request.value = std::move(value);
  request.reason = std::move(reason);
  request.actor = std::move(actor);
  return request;
}

std::vector<std::string> keys_of(const std::vector<ProvcacheEntry>& entries) {
  std::vector<std::string> keys;
  for (const auto& entry : entries) keys.push_back(entry.veri_key());
  std::sort(keys.begin(), keys.end());
  return keys;
}

// Puts `entries`, removes with `request`, and checks the store removed
// exactly what provcache::matches says, and left the rest.
void expect_removes_what_matches(PostgresStore& store, const std::vector<ProvcacheEntry>& entries,
                                 const InvalidationRequest& request) {
  ASSERT_TRUE(store.put_many(entries).ok());
  std::vector<ProvcacheEntry> expected;
  for (const auto& entry : entries) {
    if (provcache::matches(request, entry, kNow)) expected.push_back(entry);
  }
  auto removed = store.remove_matching(request, kNow);
  ASSERT_TRUE(removed.ok()) << removed.error().describe();
  EXPECT_EQ(removed->veri_keys, keys_of(expected));
  EXPECT_EQ(store.count().value(), entries.size() - expected.size());
}

TEST_F(PostgresStoreTest, RemoveBySignerSetHash) {
  const std::vector entries{sample_entry(1, {.signer_set = "a"}),
                            sample_entry(2, {.signer_set = "b"}),
                            sample_entry(3, {.signer_set = "a"})};
  expect_removes_what_matches(*store_, entries,
                              request_by(InvalidationKind::kSignerSetHash, sample_id("a")));
  EXPECT_EQ(store_->count().value(), 1U);
}

TEST_F(PostgresStoreTest, RemoveByPolicyHash) {
  const std::vector entries{sample_entry(1, {.policy = "p1"}), sample_entry(2, {.policy = "p2"})};
  expect_removes_what_matches(*store_, entries,
                              request_by(InvalidationKind::kPolicyHash, sample_id("p2")));
  EXPECT_EQ(store_->count().value(), 1U);
}

TEST_F(PostgresStoreTest, RemoveByFeedEpochOrdersByLengthThenBytes) {
  std::vector<ProvcacheEntry> entries;
  int seed = 0;
  for (const char* epoch : {"", "9", "40", "41", "42", "112", "z", "\xc3\xa9", "A1", "a0"}) {
    entries.push_back(sample_entry(seed++, {.feed_epoch = epoch}));
  }
  // Older than "41": "" and the one-byte "9" and "z" (shorter), "40" (same length, smaller
  // bytes). Not older: "41", "42", "112", "A1" and "a0" ('A', 'a' > '4'), and "é" (two
  // bytes, 0xc3 > '4'). Each is also checked against provcache::matches.
  expect_removes_what_matches(*store_, entries, request_by(InvalidationKind::kFeedEpoch, "41"));
  EXPECT_EQ(store_->count().value(), 6U);
}

TEST_F(PostgresStoreTest, RemoveByFeedEpochWithTimestamps) {
  const std::vector entries{sample_entry(1, {.feed_epoch = "2026-10-31"}),
                            sample_entry(2, {.feed_epoch = "2026-11-01"}),
                            sample_entry(3, {.feed_epoch = "2026-11-22"})};
  expect_removes_what_matches(*store_, entries,
                              request_by(InvalidationKind::kFeedEpoch, "2026-11-01"));
  EXPECT_EQ(store_->count().value(), 2U);
}

TEST_F(PostgresStoreTest, RemoveExpired) {
  const std::vector entries{sample_entry(1, {.ttl_seconds = 30}),
                            sample_entry(2, {.ttl_seconds = 60}),
                            sample_entry(3, {.ttl_seconds = 3600})};
  expect_removes_what_matches(*store_, entries, request_by(InvalidationKind::kExpired, ""));
  EXPECT_EQ(store_->count().value(), 1U);
}

TEST_F(PostgresStoreTest, RemoveRefusesAnInvalidRequest) {
  auto removed = store_->remove_matching(request_by(InvalidationKind::kSignerSetHash, ""), kNow);
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.error().code, ErrorCode::kInvalidArgument);
}

// ---- revocations -------------------------------------------------------------------

TEST_F(PostgresStoreTest, RevocationsComeBackNewestFirst) {
  std::vector<RevocationRecord> records;
  for (int i = 0; i < 5; ++i) {
    records.push_back(provcache::make_revocation_record(
        request_by(InvalidationKind::kPolicyHash, sample_id("p" + std::to_string(i)), "rotation",
                   i == 2 ? "" : "operator"),
        static_cast<std::uint64_t>(i), kSampleCreatedAt + i / 2));  // two share a second
  }
  for (const auto& record : records) ASSERT_TRUE(store_->record_revocation(record).ok());
  ASSERT_TRUE(store_->record_revocation(records[1]).ok());  // idempotent

  auto all = store_->revocations(10);
  ASSERT_TRUE(all.ok()) << all.error().describe();
  const std::vector<RevocationRecord> newest_first{records.rbegin(), records.rend()};
  EXPECT_EQ(*all, newest_first);

  auto two = store_->revocations(2);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(*two, (std::vector<RevocationRecord>{records[4], records[3]}));
}

TEST_F(PostgresStoreTest, InvalidateRecordsTheRevocation) {
  ASSERT_TRUE(store_->put(sample_entry(1, {.signer_set = "gone"})).ok());
  auto record = invalidate(
      *store_, request_by(InvalidationKind::kSignerSetHash, sample_id("gone"), "key-compromise"),
      kNow);
  ASSERT_TRUE(record.ok()) << record.error().describe();
  EXPECT_EQ(record->entries_affected, 1U);
  EXPECT_EQ(store_->revocations(1).value(), std::vector<RevocationRecord>{*record});
}

// ---- evidence -------------------------------------------------------------------

Bytes sample_evidence(std::size_t size) {
  Bytes bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>((i * 131) % 251);
  return bytes;
}

TEST_F(PostgresStoreTest, EvidenceRoundTrips) {
  auto evidence =
      provcache::ChunkedEvidence::split(sample_evidence(3 * 65536 + 100), "application/json");
  ASSERT_TRUE(evidence.ok());
  const auto manifest = provcache::manifest_of(*evidence);
  ASSERT_TRUE(store_->put_evidence(manifest, evidence->chunks()).ok());
  ASSERT_TRUE(store_->put_evidence(manifest, evidence->chunks()).ok());  // idempotent

  auto stored = store_->get_evidence(manifest.proof_root);
  ASSERT_TRUE(stored.ok()) << stored.error().describe();
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ(**stored, manifest);
  for (std::size_t i = 0; i < evidence->chunk_count(); ++i) {
    auto chunk = store_->get_chunk(manifest.proof_root, i);
    ASSERT_TRUE(chunk.ok());
    ASSERT_TRUE(chunk->has_value());
    EXPECT_EQ(**chunk, evidence->chunks()[i]) << i;
  }
  EXPECT_FALSE(store_->get_chunk(manifest.proof_root, 4).value().has_value());
  EXPECT_FALSE(store_->get_chunk(manifest.proof_root, 1ULL << 40).value().has_value());
  EXPECT_FALSE(store_->get_evidence(sample_id("no such root")).value().has_value());
}

TEST_F(PostgresStoreTest, ATamperedChunkIsRefusedAndNothingIsStored) {
  auto evidence = provcache::ChunkedEvidence::split(sample_evidence(2 * 65536 + 7), "text/plain");
  ASSERT_TRUE(evidence.ok());
  const auto manifest = provcache::manifest_of(*evidence);
  auto chunks = evidence->chunks();
  chunks[1][17] ^= 0x01;
  const auto refused = store_->put_evidence(manifest, chunks);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kVerification);

  // A manifest whose hashes were "fixed up" to the tampered chunk fails the root.
  auto forged = manifest;
  forged.chunks[1].hash = merkle::format_hash(merkle::leaf_hash(chunks[1]));
  EXPECT_FALSE(store_->put_evidence(forged, chunks).ok());
  // A missing chunk.
  EXPECT_FALSE(
      store_->put_evidence(manifest, std::span<const Bytes>(evidence->chunks()).first(2)).ok());

  EXPECT_FALSE(store_->get_evidence(manifest.proof_root).value().has_value());
  EXPECT_EQ(sql("SELECT count(*) FROM provcache.prov_evidence_chunks")[0][0].as<int>(), 0);
}

// ---- concurrency and timeouts ---------------------------------------------------------

TEST_F(PostgresStoreTest, ManyThreadsShareASmallPool) {
  auto store = open_or_fail(url_, {.pool_size = 2});
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const auto entry = sample_entry(t * 1000 + i);
        if (!store->put(entry).ok()) ++failures;
        auto lookup = store->get(entry.veri_key(), kNow);
        if (!lookup.ok() || !lookup->entry.has_value()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store->count().value(), static_cast<std::uint64_t>(kThreads * kPerThread));
}

TEST_F(PostgresStoreTest, AStatementBlockedByALockTimesOut) {
  auto store = open_or_fail(url_, {.statement_timeout = std::chrono::milliseconds(300)});
  ASSERT_TRUE(store->put(sample_entry(1)).ok());
  pqxx::connection locker{url_};
  pqxx::work lock{locker};
  lock.exec("LOCK TABLE provcache.provcache_items IN ACCESS EXCLUSIVE MODE");

  const auto start = Clock::now();
  auto lookup = store->get(sample_entry(1).veri_key(), kNow);
  const auto elapsed = Clock::now() - start;
  ASSERT_FALSE(lookup.ok());
  EXPECT_EQ(lookup.error().code, ErrorCode::kIo);
  EXPECT_NE(lookup.error().message.find("statement timeout"), std::string::npos)
      << lookup.error().message;
  EXPECT_LT(elapsed, std::chrono::seconds(10));

  lock.abort();
  EXPECT_TRUE(store->get(sample_entry(1).veri_key(), kNow)->entry.has_value());
}

TEST(PostgresStoreOpen, RefusesBadOptions) {
  EXPECT_EQ(PostgresStore::open({}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      PostgresStore::open({.url = "postgresql://x@127.0.0.1/db", .pool_size = 0}).error().code,
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(PostgresStore::open({.url = "postgresql://[::1"}).error().code,
            ErrorCode::kInvalidArgument);
}

TEST(PostgresStoreOpen, NoServerIsKIoNamingItWithoutThePassword) {
  const int port = testing::free_loopback_port();
  const auto start = Clock::now();
  auto store = PostgresStore::open(
      {.url = "postgresql://zastava:s3cret@127.0.0.1:" + std::to_string(port) + "/zastava"});
  ASSERT_FALSE(store.ok());
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(store.error().code, ErrorCode::kIo);
  EXPECT_NE(store.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << store.error().message;
  EXPECT_EQ(store.error().message.find("s3cret"), std::string::npos) << store.error().message;
}

// The server goes away and comes back: calls fail fast with kIo meanwhile,
// and the same store object works again afterwards.
TEST(PostgresStoreReconnect, ServerDownIsKIoThenTheSameStoreWorksAgain) {
  auto server = PostgresServer::start();
  auto store = open_or_fail(server->connection_url(), {.pool_size = 3});
  const auto entry = sample_entry(1);
  ASSERT_TRUE(store->put(entry).ok());
  EXPECT_EQ(store->server(), "127.0.0.1:" + std::to_string(server->port()));

  server->stop();
  for (int i = 0; i < 3; ++i) {
    const auto start = Clock::now();
    auto lookup = store->get(entry.veri_key(), kNow);
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
    ASSERT_FALSE(lookup.ok());
    EXPECT_EQ(lookup.error().code, ErrorCode::kIo);
    EXPECT_NE(lookup.error().message.find("127.0.0.1:" + std::to_string(server->port())),
              std::string::npos)
        << lookup.error().message;
  }
  EXPECT_EQ(store->put(sample_entry(2)).error().code, ErrorCode::kIo);

  server->start_again();
  auto lookup = store->get(entry.veri_key(), kNow);
  ASSERT_TRUE(lookup.ok()) << lookup.error().describe();
  EXPECT_EQ(*lookup->entry, entry);
  EXPECT_TRUE(store->put(sample_entry(2)).ok());
  EXPECT_EQ(store->count().value(), 2U);
}

// A restart while the pool sits idle: the first call after it does not fail
// (a safe call is retried once on a fresh connection).
TEST(PostgresStoreReconnect, IdleConnectionsBrokenByARestartAreReplaced) {
  auto server = PostgresServer::start();
  auto store = open_or_fail(server->connection_url(), {.pool_size = 2});
  const auto entry = sample_entry(1);
  ASSERT_TRUE(store->put(entry).ok());
  server->stop();
  server->start_again();
  auto lookup = store->get(entry.veri_key(), kNow);
  ASSERT_TRUE(lookup.ok()) << lookup.error().describe();
  EXPECT_TRUE(lookup->entry.has_value());
}

}  // namespace
}  // namespace zastava::store
