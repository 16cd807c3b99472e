// PostgresArtifactStore against a real PostgreSQL 15 started by the test
// harness: one server per suite, a fresh database per test. The behaviour
// every artifact store shares, the migrations, a server restart and racing
// writers.
#include "store/postgres_artifact_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "artifact_samples.hpp"
#include "store/postgres_store.hpp"
#include "test_servers.hpp"

namespace zastava::store {
namespace {

using testing::artifact;
using testing::kImage;
using testing::kOtherImage;
using testing::kRepository;
using testing::seal;

std::string create_database(const zastava::testing::PostgresServer& server) {
  static std::atomic<int> next{0};
  const std::string name = "a" + std::to_string(::getpid()) + "_" + std::to_string(next++);
  pqxx::connection admin{server.connection_url()};
  pqxx::nontransaction tx{admin};
  tx.exec("CREATE DATABASE " + name);
  return "postgresql://zastava@127.0.0.1:" + std::to_string(server.port()) + "/" + name;
}

class PostgresArtifactStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = zastava::testing::PostgresServer::start(); }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    url_ = create_database(*server_);
    store_ = open_store();
    ASSERT_NE(store_, nullptr);
  }

  std::unique_ptr<PostgresArtifactStore> open_store() {
    PostgresOptions options;
    options.url = url_;
    auto store = PostgresArtifactStore::open(options);
    EXPECT_TRUE(store.ok()) << store.error().describe();
    return store.ok() ? std::move(*store) : nullptr;
  }

  pqxx::result sql(const std::string& statement) {
    pqxx::connection connection{url_};
    pqxx::nontransaction tx{connection};
    return tx.exec(statement);
  }

  static std::unique_ptr<zastava::testing::PostgresServer> server_;
  std::string url_;
  std::unique_ptr<PostgresArtifactStore> store_;
};

std::unique_ptr<zastava::testing::PostgresServer> PostgresArtifactStoreTest::server_;

TEST_F(PostgresArtifactStoreTest, RoundTripSortedByKindThenId) {
  const StoredArtifact findings = artifact(ArtifactKind::kFindings, "f");
  const StoredArtifact vex = artifact(ArtifactKind::kVex, "v");
  const StoredArtifact the_seal = seal("seal-1", 100);
  const StoredArtifact elsewhere = artifact(ArtifactKind::kSbom, "s", kOtherImage);
  for (const auto* a : {&findings, &vex, &the_seal, &elsewhere}) ASSERT_TRUE(store_->put(*a).ok());
  auto listed = store_->for_image(kImage);
  ASSERT_TRUE(listed.ok()) << listed.error().describe();
  ASSERT_EQ(listed->size(), 3U);
  EXPECT_EQ((*listed)[0], the_seal);
  EXPECT_EQ((*listed)[1], vex);
  EXPECT_EQ((*listed)[2], findings);
  EXPECT_EQ(store_->for_image(kOtherImage)->front(), elsewhere);
  EXPECT_EQ(**store_->seal_by_id("seal-1"), the_seal);
  EXPECT_FALSE(store_->seal_by_id("nope")->has_value());
}

TEST_F(PostgresArtifactStoreTest, ApprovalAndLatestApprovedByTimeThenId) {
  ASSERT_TRUE(store_->put(seal("old", 100, true)).ok());
  ASSERT_TRUE(store_->put(seal("new", 500)).ok());
  EXPECT_EQ((*store_->latest_approved_seal(kRepository, "os-packages"))->seal_id, "old");
  ASSERT_TRUE(store_->approve_seal("new").ok());
  EXPECT_EQ((*store_->latest_approved_seal(kRepository, "os-packages"))->seal_id, "new");
  const Status missing = store_->approve_seal("missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  ASSERT_TRUE(store_->put(seal("late", 900)).ok());
  ASSERT_TRUE(store_->put(seal("late", 900, true)).ok());   // a re-put approves
  ASSERT_TRUE(store_->put(seal("late", 900, false)).ok());  // and never revokes
  EXPECT_TRUE((*store_->seal_by_id("late"))->approved);

  const StoredArtifact tie_a = seal("tie-a", 800, true, "config");
  const StoredArtifact tie_b = seal("tie-b", 800, true, "config");
  ASSERT_TRUE(store_->put(tie_a).ok());
  ASSERT_TRUE(store_->put(tie_b).ok());
  EXPECT_EQ((*store_->latest_approved_seal(kRepository, "config"))->id,
            std::max(tie_a.id, tie_b.id));
  EXPECT_FALSE(store_->latest_approved_seal("docker.io/library/x", "config")->has_value());
}

TEST_F(PostgresArtifactStoreTest, IdempotentPutAndConflicts) {
  const StoredArtifact the_seal = seal("seal-1", 100);
  ASSERT_TRUE(store_->put(the_seal).ok());
  ASSERT_TRUE(store_->put(the_seal).ok());
  EXPECT_EQ(sql("SELECT count(*) FROM artifacts.artifacts")[0][0].as<int>(), 1);

  StoredArtifact other_metadata = the_seal;
  other_metadata.facet_id = "runtime";
  EXPECT_EQ(store_->put(other_metadata).error().code, ErrorCode::kInvalidArgument);
  StoredArtifact re_signed = the_seal;
  re_signed.envelope_json = "{\"payload\":\"re-signed\"}";
  re_signed.id = artifact_id(re_signed.envelope_json);
  EXPECT_EQ(store_->put(re_signed).error().code, ErrorCode::kInvalidArgument);
  StoredArtifact invalid = artifact(ArtifactKind::kVex, "v");
  invalid.approved = true;
  EXPECT_FALSE(store_->put(invalid).ok());
  EXPECT_EQ(sql("SELECT count(*) FROM artifacts.artifacts")[0][0].as<int>(), 1);
}

TEST_F(PostgresArtifactStoreTest, MigrationsAreRecordedAndRerunIsANoOp) {
  EXPECT_EQ(sql("SELECT max(version) FROM artifacts.schema_migrations")[0][0].as<int>(),
            latest_artifact_schema_version());
  ASSERT_TRUE(store_->put(seal("kept", 1)).ok());
  auto again = open_store();
  ASSERT_NE(again, nullptr);
  EXPECT_TRUE((*again->seal_by_id("kept")).has_value());
  // The provcache store migrates the same database beside it.
  PostgresOptions options;
  options.url = url_;
  auto provcache = PostgresStore::open(options);
  ASSERT_TRUE(provcache.ok()) << provcache.error().describe();
  EXPECT_EQ(sql("SELECT count(*) FROM provcache.schema_migrations")[0][0].as<int>(), 2);
  EXPECT_EQ(sql("SELECT count(*) FROM artifacts.schema_migrations")[0][0].as<int>(), 1);
  // A newer schema is refused.
  sql("INSERT INTO artifacts.schema_migrations (version, name) VALUES (99, 'future')");
  auto refused = PostgresArtifactStore::open(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnsupported);
}

TEST_F(PostgresArtifactStoreTest, ServerRestartFailsThenRecovers) {
  ASSERT_TRUE(store_->put(seal("before", 1, true)).ok());
  server_->stop();
  auto down = store_->for_image(kImage);
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, ErrorCode::kIo);
  EXPECT_NE(down.error().message.find("127.0.0.1"), std::string::npos) << down.error().message;
  server_->start_again();
  auto back = store_->latest_approved_seal(kRepository, "os-packages");
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ((*back)->seal_id, "before");
}

TEST_F(PostgresArtifactStoreTest, RacingWritersStoreOneRow) {
  const StoredArtifact the_seal = seal("raced", 5);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        if (!store_->put(the_seal).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(sql("SELECT count(*) FROM artifacts.artifacts")[0][0].as<int>(), 1);
}

}  // namespace
}  // namespace zastava::store
