// ValkeyStore and ValkeyPool against a real redis-server started by the test
// harness: one server per suite, a fresh key prefix per test.

#include "store/valkey_store.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>  // entry_samples.hpp needs the full type
#include <string>
#include <thread>
#include <vector>

#include "provcache/entry_samples.hpp"
#include "store/valkey_connection.hpp"
#include "test_servers.hpp"

namespace zastava::store {
namespace {

using provcache::InvalidationKind;
using provcache::InvalidationRequest;
using provcache::testing::sample_entry;
using provcache::testing::sample_id;
using provcache::testing::SampleOptions;
using testing::RedisServer;
using Clock = std::chrono::steady_clock;

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Sample entries are created "now" (Valkey expires them by the wall clock).
ProvcacheEntry live_entry(int seed, SampleOptions options = {}) {
  options.created_at = now_seconds();
  return sample_entry(seed, options);
}

std::vector<std::string> sorted_keys(std::vector<ProvcacheEntry> entries) {
  std::vector<std::string> keys;
  for (const auto& entry : entries) keys.push_back(entry.veri_key());
  std::sort(keys.begin(), keys.end());
  return keys;
}

InvalidationRequest request(InvalidationKind by, std::string value) {
  InvalidationRequest out;
  out.by = by;
  out.value = std::move(value);
  return out;
}

template <typename T>
T value_or_fail(Result<T> result) {
  if (!result.ok()) throw std::runtime_error(result.error().describe());
  return std::move(result).value();
}

// ---- URL parsing -------------------------------------------------------------

TEST(ValkeyUrlTest, ParsesHostPortAndDatabase) {
  auto plain = parse_valkey_url("redis://127.0.0.1:6379");
  ASSERT_TRUE(plain.ok()) << plain.error().describe();
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, 6379);
  EXPECT_EQ(plain->db, 0);
  EXPECT_EQ(plain->address(), "127.0.0.1:6379");

  auto with_db = parse_valkey_url("redis://valkey.zastava-system.svc:7000/3");
  ASSERT_TRUE(with_db.ok()) << with_db.error().describe();
  EXPECT_EQ(with_db->host, "valkey.zastava-system.svc");
  EXPECT_EQ(with_db->port, 7000);
  EXPECT_EQ(with_db->db, 3);
}

TEST(ValkeyUrlTest, RejectsAnythingElse) {
  for (const char* url :
       {"", "127.0.0.1:6379", "http://127.0.0.1:6379", "redis://127.0.0.1", "redis://:6379",
        "redis://127.0.0.1:0", "redis://127.0.0.1:65536", "redis://127.0.0.1:63x9",
        "redis://127.0.0.1:6379/", "redis://127.0.0.1:6379/16", "redis://127.0.0.1:6379/-1",
        "redis://user:pw@127.0.0.1:6379", "redis://127.0.0.1:6379?db=1", "redis://h o:1"}) {
    auto parsed = parse_valkey_url(url);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << url;
  }
}

TEST(ValkeyStoreOptionsTest, OpenChecksOptionsWithoutConnecting) {
  // Nothing listens on port 1: open() still succeeds, ping() reports it.
  auto store = ValkeyStore::open({.connection = {.url = "redis://127.0.0.1:1"}});
  ASSERT_TRUE(store.ok()) << store.error().describe();
  const auto ping = (*store)->ping();
  ASSERT_FALSE(ping.ok());
  EXPECT_EQ(ping.error().code, ErrorCode::kIo);
  EXPECT_NE(ping.error().message.find("127.0.0.1:1"), std::string::npos) << ping.error().message;

  EXPECT_FALSE(ValkeyStore::open({.connection = {.url = "redis://x"}}).ok());
  EXPECT_FALSE(ValkeyStore::open({.key_prefix = ""}).ok());
  EXPECT_FALSE(ValkeyStore::open({.connection = {.pool_size = 0}}).ok());
}

// ---- against a real server ------------------------------------------------------

class ValkeyStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = RedisServer::start(); }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    static std::atomic<int> next{0};
    prefix_ = "t" + std::to_string(next++) + ":prov:";
    store_ = value_or_fail(
        ValkeyStore::open({.connection = {.url = server_->url()}, .key_prefix = prefix_}));
    raw_ = value_or_fail(ValkeyPool::create({.url = server_->url()}));
  }

  // A command straight to the server (to inspect or tamper with keys).
  ValkeyReply raw(const ValkeyCommand& args) { return value_or_fail(raw_->command(args)); }
  std::vector<std::string> members(const std::string& key) {
    std::vector<std::string> out;
    for (const auto& element : raw({"SMEMBERS", prefix_ + key}).elements) {
      out.push_back(element.text);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  bool exists(const std::string& key) { return raw({"EXISTS", prefix_ + key}).integer == 1; }
  bool hit(const ProvcacheEntry& entry) {
    auto lookup = store_->get(entry.veri_key(), now_seconds());
    EXPECT_TRUE(lookup.ok()) << lookup.error().describe();
    return lookup.ok() && lookup->entry.has_value();
  }
  std::vector<std::string> remove(InvalidationKind by, std::string value) {
    auto removed = store_->remove_matching(request(by, std::move(value)), now_seconds());
    EXPECT_TRUE(removed.ok()) << removed.error().describe();
    return removed.ok() ? removed->veri_keys : std::vector<std::string>{};
  }

  static std::unique_ptr<RedisServer> server_;
  std::string prefix_;
  std::unique_ptr<ValkeyStore> store_;
  std::unique_ptr<ValkeyPool> raw_;
};

std::unique_ptr<RedisServer> ValkeyStoreTest::server_;

TEST_F(ValkeyStoreTest, PingAnswers) {
  EXPECT_TRUE(store_->ping().ok());
}

TEST_F(ValkeyStoreTest, PutThenGetReturnsTheSameEntryFromValkey) {
  const auto entry = live_entry(1, {.deny = true});
  ASSERT_TRUE(store_->put(entry).ok());

  auto lookup = store_->get(entry.veri_key(), now_seconds());
  ASSERT_TRUE(lookup.ok()) << lookup.error().describe();
  ASSERT_TRUE(lookup->entry.has_value());
  EXPECT_EQ(*lookup->entry, entry);
  EXPECT_EQ(lookup->source, LookupSource::kValkey);
  // Stored as the entry's canonical JSON under <prefix>entry:<verikey>.
  EXPECT_EQ(raw({"GET", store_->entry_key(entry.veri_key())}).text,
            provcache::entry_to_json(entry).value());
  EXPECT_EQ(store_->entry_key(entry.veri_key()), prefix_ + "entry:" + entry.veri_key());

  auto missing = store_->get(sample_id("no such key"), now_seconds());
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->entry.has_value());
  EXPECT_EQ(missing->source, LookupSource::kNone);
}

TEST_F(ValkeyStoreTest, AnEntryPastExpiresAtByTheCallersClockIsAMiss) {
  const auto entry = live_entry(2);
  ASSERT_TRUE(store_->put(entry).ok());
  auto at_expiry = store_->get(entry.veri_key(), entry.expires_at());
  ASSERT_TRUE(at_expiry.ok());
  EXPECT_FALSE(at_expiry->entry.has_value());
}

TEST_F(ValkeyStoreTest, PutIsIdempotentAndReplaces) {
  const auto first = live_entry(3);
  auto second = first;
  second.hit_count = 9;
  ASSERT_TRUE(store_->put(first).ok());
  ASSERT_TRUE(store_->put(first).ok());
  ASSERT_TRUE(store_->put(second).ok());
  EXPECT_EQ(store_->count().value(), 1u);
  EXPECT_EQ(store_->get(first.veri_key(), now_seconds()).value().entry->hit_count, 9u);
}

TEST_F(ValkeyStoreTest, EntryAndIndexSetsExpireAtExpiresAt) {
  const auto entry = live_entry(4, {.ttl_seconds = 600});
  ASSERT_TRUE(store_->put(entry).ok());
  const std::int64_t expires_ms = entry.expires_at() * 1000;
  EXPECT_EQ(raw({"PEXPIRETIME", store_->entry_key(entry.veri_key())}).integer, expires_ms);
  const std::vector<std::string> sets{"idx:signer:" + entry.signer_set_hash,
                                      "idx:policy:" + entry.policy_hash, "idx:epoch:2026-11-01",
                                      "idx:epochs"};
  for (const auto& set : sets) {
    EXPECT_EQ(raw({"PEXPIRETIME", prefix_ + set}).integer, expires_ms) << set;
  }
  // A later member pushes the shared sets' expiry out; an earlier one does not pull it in.
  const auto later = live_entry(5, {.ttl_seconds = 1200});
  const auto earlier = live_entry(6, {.ttl_seconds = 60});
  ASSERT_TRUE(store_->put(later).ok());
  ASSERT_TRUE(store_->put(earlier).ok());
  const std::string signer_set = prefix_ + "idx:signer:" + entry.signer_set_hash;
  EXPECT_EQ(raw({"PEXPIRETIME", signer_set}).integer, later.expires_at() * 1000);
  EXPECT_EQ(members("idx:signer:" + entry.signer_set_hash), sorted_keys({entry, later, earlier}));
  EXPECT_EQ(members("idx:epochs"), std::vector<std::string>{"2026-11-01"});
}

TEST_F(ValkeyStoreTest, ValkeyRemovesTheEntryAtExpiresAt) {
  // Expires within ~1-2 s of now (expiresAt has whole-second precision).
  auto options = SampleOptions{.ttl_seconds = 3600};
  options.created_at = now_seconds() - 3600 + 2;
  const auto entry = sample_entry(7, options);
  ASSERT_TRUE(store_->put(entry).ok());
  const std::string key = store_->entry_key(entry.veri_key());
  ASSERT_EQ(raw({"EXISTS", key}).integer, 1);

  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (raw({"EXISTS", key}).integer == 1 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(raw({"EXISTS", key}).integer, 0) << "Valkey did not expire the entry";
  EXPECT_GE(now_seconds(), entry.expires_at() - 1);
  auto lookup = store_->get(entry.veri_key(), 0);  // even by a clock that says "not yet"
  ASSERT_TRUE(lookup.ok());
  EXPECT_FALSE(lookup->entry.has_value());
}

TEST_F(ValkeyStoreTest, AnAlreadyExpiredEntryIsNotWritten) {
  const auto expired = sample_entry(8);  // created 2025-12-24, one day TTL
  ASSERT_TRUE(store_->put(expired).ok());
  EXPECT_EQ(raw({"EXISTS", store_->entry_key(expired.veri_key())}).integer, 0);
  EXPECT_FALSE(exists("idx:signer:" + expired.signer_set_hash));
  EXPECT_EQ(store_->count().value(), 0u);
}

TEST_F(ValkeyStoreTest, PutManyAndCount) {
  std::vector<ProvcacheEntry> entries;
  for (int i = 0; i < 300; ++i) entries.push_back(live_entry(100 + i, {.deny = i % 2 == 0}));
  ASSERT_TRUE(store_->put_many(entries).ok());
  EXPECT_EQ(store_->count().value(), 300u);
  for (const int i : {0, 151, 299}) {
    EXPECT_EQ(
        store_->get(entries[static_cast<std::size_t>(i)].veri_key(), now_seconds()).value().entry,
        entries[static_cast<std::size_t>(i)]);
  }
  // Another prefix on the same server does not count.
  auto other = value_or_fail(
      ValkeyStore::open({.connection = {.url = server_->url()}, .key_prefix = prefix_ + "x:"}));
  EXPECT_EQ(other->count().value(), 0u);
}

TEST_F(ValkeyStoreTest, PutManyIsAllOrNothing) {
  auto tampered = live_entry(2);
  tampered.verdict_json = "{\"verdict\":\"allow\"}";  // no longer hashes to verdictHash
  const std::vector entries{live_entry(1), tampered, live_entry(3)};
  const auto status = store_->put_many(entries);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(store_->count().value(), 0u);
  EXPECT_FALSE(exists("idx:epochs"));
}

TEST_F(ValkeyStoreTest, EraseRemovesTheEntryAndItsIndexMemberships) {
  const auto entry = live_entry(9);
  ASSERT_TRUE(store_->put(entry).ok());
  ASSERT_TRUE(store_->erase(entry.veri_key()).ok());
  EXPECT_FALSE(hit(entry));
  EXPECT_FALSE(exists("idx:signer:" + entry.signer_set_hash));
  EXPECT_TRUE(store_->erase(entry.veri_key()).ok());  // absent is fine
}

// ---- invalidation through the indexes ----------------------------------------------

TEST_F(ValkeyStoreTest, InvalidatesBySignerSetHash) {
  const std::vector entries{live_entry(1, {.signer_set = "a"}), live_entry(2, {.signer_set = "b"}),
                            live_entry(3, {.signer_set = "a"})};
  ASSERT_TRUE(store_->put_many(entries).ok());
  EXPECT_EQ(remove(InvalidationKind::kSignerSetHash, sample_id("a")),
            sorted_keys({entries[0], entries[2]}));
  EXPECT_FALSE(hit(entries[0]));
  EXPECT_TRUE(hit(entries[1]));
  EXPECT_FALSE(hit(entries[2]));
  EXPECT_FALSE(exists("idx:signer:" + sample_id("a")));
  // The removed keys are gone from their other index sets too.
  EXPECT_EQ(members("idx:policy:" + sample_id("policy-a")), sorted_keys({entries[1]}));
  EXPECT_TRUE(remove(InvalidationKind::kSignerSetHash, sample_id("a")).empty());
}

TEST_F(ValkeyStoreTest, InvalidatesByPolicyHash) {
  const std::vector entries{live_entry(1, {.policy = "p1"}), live_entry(2, {.policy = "p2"})};
  ASSERT_TRUE(store_->put_many(entries).ok());
  EXPECT_EQ(remove(InvalidationKind::kPolicyHash, sample_id("p2")), sorted_keys({entries[1]}));
  EXPECT_TRUE(hit(entries[0]));
  EXPECT_FALSE(hit(entries[1]));
}

TEST_F(ValkeyStoreTest, InvalidatesOlderFeedEpochs) {
  const std::vector entries{
      live_entry(1, {.feed_epoch = "2026-10-31"}), live_entry(2, {.feed_epoch = "2026-11-01"}),
      live_entry(3, {.feed_epoch = "2026-11-22"}), live_entry(4, {.feed_epoch = "2026-10-30"})};
  ASSERT_TRUE(store_->put_many(entries).ok());
  EXPECT_EQ(remove(InvalidationKind::kFeedEpoch, "2026-11-01"),
            sorted_keys({entries[0], entries[3]}));
  EXPECT_FALSE(hit(entries[0]));
  EXPECT_TRUE(hit(entries[1]));
  EXPECT_TRUE(hit(entries[2]));
  EXPECT_FALSE(hit(entries[3]));
  EXPECT_EQ(members("idx:epochs"), (std::vector<std::string>{"2026-11-01", "2026-11-22"}));
  EXPECT_FALSE(exists("idx:epoch:2026-10-31"));
}

TEST_F(ValkeyStoreTest, AStaleIndexMemberIsNotDeletedButDropped) {
  // Entry 1 is stored under signer a, then replaced under signer b: the
  // signer-a set still lists it.
  const auto under_a = live_entry(1, {.signer_set = "a", .policy = "p1"});
  const auto under_b = live_entry(1, {.signer_set = "b", .policy = "p2"});
  const auto other = live_entry(2, {.signer_set = "a"});
  ASSERT_TRUE(store_->put(under_a).ok());
  ASSERT_TRUE(store_->put(under_b).ok());
  ASSERT_TRUE(store_->put(other).ok());
  ASSERT_EQ(members("idx:signer:" + sample_id("a")), sorted_keys({under_a, other}));

  EXPECT_EQ(remove(InvalidationKind::kSignerSetHash, sample_id("a")), sorted_keys({other}));
  auto kept = store_->get(under_b.veri_key(), now_seconds());
  ASSERT_TRUE(kept.ok());
  ASSERT_TRUE(kept->entry.has_value()) << "a stale index member deleted a live entry";
  EXPECT_EQ(*kept->entry, under_b);
  EXPECT_FALSE(exists("idx:signer:" + sample_id("a")));

  EXPECT_TRUE(remove(InvalidationKind::kPolicyHash, sample_id("p1")).empty());
  EXPECT_TRUE(hit(under_b));
  EXPECT_EQ(remove(InvalidationKind::kSignerSetHash, sample_id("b")), sorted_keys({under_b}));
  EXPECT_FALSE(hit(under_b));
}

TEST_F(ValkeyStoreTest, ExpiredCleansIndexMembersWhoseEntryIsGoneAndRemovesNothing) {
  const auto gone = live_entry(1, {.signer_set = "a", .feed_epoch = "41"});
  const auto live = live_entry(2, {.signer_set = "a", .feed_epoch = "42"});
  ASSERT_TRUE(store_->put_many(std::vector{gone, live}).ok());
  // As if Valkey had expired it.
  raw({"DEL", store_->entry_key(gone.veri_key())});

  EXPECT_TRUE(remove(InvalidationKind::kExpired, "").empty());
  EXPECT_TRUE(hit(live));
  EXPECT_EQ(members("idx:signer:" + sample_id("a")), sorted_keys({live}));
  EXPECT_EQ(members("idx:policy:" + sample_id("policy-a")), sorted_keys({live}));
  EXPECT_FALSE(exists("idx:epoch:41"));
  EXPECT_EQ(members("idx:epochs"), std::vector<std::string>{"42"});
}

TEST_F(ValkeyStoreTest, RemovalsRacingPutsNeverUnindexALiveEntry) {
  // Entries whose values vanished (as if expired) are re-put while the
  // expired sweep drops their "stale" index members: WATCH must make the
  // sweep notice the re-put, or a live entry would fall out of its index and
  // escape later invalidations.
  std::vector<ProvcacheEntry> entries;
  for (int i = 0; i < 40; ++i) entries.push_back(live_entry(i, {.signer_set = "race"}));
  for (int round = 0; round < 10; ++round) {
    ASSERT_TRUE(store_->put_many(entries).ok());
    for (const auto& entry : entries) raw({"DEL", store_->entry_key(entry.veri_key())});
    std::atomic<bool> stop{false};
    std::thread writer([&] {
      for (std::size_t i = 0; !stop.load(); i = (i + 1) % entries.size()) {
        (void)store_->put(entries[i]);
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    });
    auto swept = store_->remove_matching(request(InvalidationKind::kExpired, ""), now_seconds());
    stop.store(true);
    writer.join();
    ASSERT_TRUE(swept.ok()) << swept.error().describe();
    const auto indexed = members("idx:signer:" + sample_id("race"));
    for (const auto& entry : entries) {
      if (raw({"EXISTS", store_->entry_key(entry.veri_key())}).integer == 1) {
        EXPECT_TRUE(std::binary_search(indexed.begin(), indexed.end(), entry.veri_key()))
            << "round " << round << ": live entry missing from its index";
      }
    }
  }
  ASSERT_TRUE(store_->put_many(entries).ok());
  EXPECT_EQ(remove(InvalidationKind::kSignerSetHash, sample_id("race")).size(), entries.size());
}

TEST_F(ValkeyStoreTest, AnInvalidRequestIsRefused) {
  auto removed =
      store_->remove_matching(request(InvalidationKind::kSignerSetHash, "x"), now_seconds());
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.error().code, ErrorCode::kInvalidArgument);
}

// ---- corruption, unsupported calls, concurrency ---------------------------------------

TEST_F(ValkeyStoreTest, ACorruptValueIsAParseErrorAndIsDeleted) {
  const auto entry = live_entry(1);
  ASSERT_TRUE(store_->put(entry).ok());
  const std::string key = store_->entry_key(entry.veri_key());
  raw({"SET", key, "{\"decision\":"});

  auto corrupt = store_->get(entry.veri_key(), now_seconds());
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.error().code, ErrorCode::kParse);
  EXPECT_NE(corrupt.error().message.find(key), std::string::npos) << corrupt.error().message;
  EXPECT_EQ(raw({"EXISTS", key}).integer, 0);
  EXPECT_FALSE(hit(entry));

  // A corrupt value met during an invalidation is dropped too, never returned.
  ASSERT_TRUE(store_->put(entry).ok());
  raw({"SET", key, "[]"});
  EXPECT_TRUE(remove(InvalidationKind::kSignerSetHash, entry.signer_set_hash).empty());
  EXPECT_EQ(raw({"EXISTS", key}).integer, 0);
}

TEST_F(ValkeyStoreTest, TheAuditTrailAndEvidenceAreUnsupported) {
  EXPECT_EQ(store_->record_revocation({}).error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(store_->revocations(10).error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(store_->put_evidence({}, {}).error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(store_->get_evidence(sample_id("root")).error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(store_->get_chunk(sample_id("root"), 0).error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(store_->name(), "valkey");
}

TEST_F(ValkeyStoreTest, ManyThreadsShareThePool) {
  constexpr int kThreads = 8;
  constexpr int kEach = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const auto entry = live_entry(1000 + t * kEach + i);
        if (!store_->put(entry).ok()) ++failures;
        auto lookup = store_->get(entry.veri_key(), now_seconds());
        if (!lookup.ok() || lookup->entry != entry) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store_->count().value(), static_cast<std::uint64_t>(kThreads * kEach));
}

// ---- a server that goes away --------------------------------------------------------

TEST(ValkeyStoreOutageTest, DownIsAQuickIoErrorAndTheStoreRecovers) {
  auto server = RedisServer::start();
  auto store = value_or_fail(ValkeyStore::open({.connection = {.url = server->url()}}));
  const auto entry = live_entry(1);
  ASSERT_TRUE(store->put(entry).ok());
  ASSERT_TRUE(store->get(entry.veri_key(), now_seconds()).ok());

  server->stop();
  for (int attempt = 0; attempt < 3; ++attempt) {  // a stale pooled connection, then refusals
    const auto started = Clock::now();
    auto lookup = store->get(entry.veri_key(), now_seconds());
    const auto took = Clock::now() - started;
    ASSERT_FALSE(lookup.ok());
    EXPECT_EQ(lookup.error().code, ErrorCode::kIo);
    EXPECT_NE(lookup.error().message.find("127.0.0.1:" + std::to_string(server->port())),
              std::string::npos)
        << lookup.error().message;
    EXPECT_LT(took, std::chrono::seconds(1));
  }
  EXPECT_FALSE(store->put(entry).ok());
  EXPECT_FALSE(store->ping().ok());

  server->start_again();  // empty: no persistence
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  Status put = store->put(entry);
  while (!put.ok() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    put = store->put(entry);
  }
  ASSERT_TRUE(put.ok()) << put.error().describe();
  EXPECT_TRUE(store->ping().ok());
  EXPECT_EQ(store->get(entry.veri_key(), now_seconds()).value().entry, entry);
}

// A TCP listener on 127.0.0.1 that speaks no RESP at all; closes on destruction.
class SilentListener {
 public:
  SilentListener() : port_(testing::free_loopback_port()), fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd_, 8) != 0) {
      throw std::runtime_error("cannot listen on 127.0.0.1:" + std::to_string(port_));
    }
  }
  ~SilentListener() { ::close(fd_); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  [[nodiscard]] int port() const noexcept { return port_; }
  [[nodiscard]] int fd() const noexcept { return fd_; }

 private:
  int port_;
  int fd_;
};

TEST(ValkeyConnectionTest, AWriteToAClosedConnectionIsAnErrorNotSigpipe) {
  const SilentListener listener;
  const ValkeyEndpoint endpoint{"127.0.0.1", listener.port(), 0};
  auto connection = value_or_fail(ValkeyConnection::open(endpoint, std::chrono::milliseconds(500),
                                                         std::chrono::milliseconds(500)));
  const int accepted = ::accept(listener.fd(), nullptr, nullptr);
  ASSERT_GE(accepted, 0);
  ::close(accepted);  // the "server" goes away before we write
  // Far more than the socket buffers hold: the writes after the peer's RST
  // fail with EPIPE, which would raise SIGPIPE and kill this process.
  const std::vector<ValkeyCommand> big(64, ValkeyCommand{"SET", "k", std::string(1 << 20, 'x')});
  auto replies = connection->pipeline(big);
  ASSERT_FALSE(replies.ok());
  EXPECT_EQ(replies.error().code, ErrorCode::kIo);
  EXPECT_FALSE(connection->healthy());
}

TEST(ValkeyStoreOutageTest, AServerThatNeverAnswersTimesOut) {
  // A listening socket that accepts (the kernel does) but never replies.
  const SilentListener listener;
  const int port = listener.port();

  auto store = value_or_fail(
      ValkeyStore::open({.connection = {.url = "redis://127.0.0.1:" + std::to_string(port),
                                        .command_timeout = std::chrono::milliseconds(200)}}));
  const auto started = Clock::now();
  auto lookup = store->get(sample_id("k"), now_seconds());
  const auto took = Clock::now() - started;
  ASSERT_FALSE(lookup.ok());
  EXPECT_EQ(lookup.error().code, ErrorCode::kIo);
  EXPECT_LT(took, std::chrono::seconds(1));
  EXPECT_GE(took, std::chrono::milliseconds(150));
}

}  // namespace
}  // namespace zastava::store
