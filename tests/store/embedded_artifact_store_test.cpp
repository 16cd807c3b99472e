// Tests for store/embedded_artifact_store and the helpers every artifact
// store shares (store/artifact_store): roundtrip, restart, approval,
// baselines (latest approved by time), idempotency and conflicts, the
// directory lock, and recovery from a torn or corrupt log.
#include "store/embedded_artifact_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "artifact_samples.hpp"
namespace zastava::store {
namespace {

namespace fs = std::filesystem;

using testing::artifact;
using testing::kImage;
using testing::kOtherImage;
using testing::kRepository;
using testing::seal;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void append_file(const fs::path& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

class EmbeddedArtifactStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "zastava-artifacts-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    dir_ = root_ / "artifacts";
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }

  std::unique_ptr<EmbeddedArtifactStore> open_store() {
    EmbeddedArtifactStoreOptions options;
    options.warn = [this](const std::string& w) { warnings_.push_back(w); };
    auto store = EmbeddedArtifactStore::open(dir_, std::move(options));
    EXPECT_TRUE(store.ok()) << store.error().describe();
    return store.ok() ? std::move(*store) : nullptr;
  }

  fs::path log_path() const { return dir_ / "artifacts.log"; }

  fs::path root_;
  fs::path dir_;
  std::vector<std::string> warnings_;
};

TEST(ArtifactKindTest, NamesRoundTrip) {
  for (ArtifactKind kind :
       {ArtifactKind::kSeal, ArtifactKind::kVex, ArtifactKind::kSbom, ArtifactKind::kFindings}) {
    EXPECT_EQ(parse_artifact_kind(to_string(kind)), kind);
  }
  EXPECT_EQ(to_string(ArtifactKind::kFindings), "findings");
  EXPECT_FALSE(parse_artifact_kind("Seal").has_value());
}

TEST(ArtifactJsonTest, RoundTripsAndRejectsUnknownMembers) {
  const StoredArtifact original = seal("11111111-1111-4111-8111-111111111111", 42, true);
  auto text = artifact_to_json(original);
  ASSERT_TRUE(text.ok()) << text.error().describe();
  auto back = parse_artifact(*text);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(*back, original);

  std::string extra = *text;
  extra.insert(1, "\"zzz\":1,");
  auto refused = parse_artifact(extra);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kParse);
  EXPECT_NE(refused.error().message.find("zzz"), std::string::npos);
}

TEST(ArtifactValidationTest, RefusesMalformedArtifacts) {
  StoredArtifact bad_id = artifact(ArtifactKind::kVex, "x");
  bad_id.id = "sha256:abc";
  EXPECT_EQ(validate_artifact(bad_id).error().code, ErrorCode::kInvalidArgument);

  StoredArtifact seal_without_facet = seal("s", 1);
  seal_without_facet.facet_id.clear();
  EXPECT_FALSE(validate_artifact(seal_without_facet).ok());

  StoredArtifact approved_vex = artifact(ArtifactKind::kVex, "v");
  approved_vex.approved = true;
  EXPECT_FALSE(validate_artifact(approved_vex).ok());

  StoredArtifact vex_with_repository = artifact(ArtifactKind::kVex, "v");
  vex_with_repository.repository = "docker.io/library/nginx";
  EXPECT_FALSE(validate_artifact(vex_with_repository).ok());

  EXPECT_TRUE(validate_artifact(seal("s", 1)).ok());
}

TEST_F(EmbeddedArtifactStoreTest, RoundTripSortedByKindThenId) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  const StoredArtifact findings = artifact(ArtifactKind::kFindings, "f");
  const StoredArtifact vex_a = artifact(ArtifactKind::kVex, "v1");
  const StoredArtifact vex_b = artifact(ArtifactKind::kVex, "v2");
  const StoredArtifact sbom = artifact(ArtifactKind::kSbom, "s");
  const StoredArtifact the_seal = seal("seal-1", 100);
  const StoredArtifact elsewhere = artifact(ArtifactKind::kVex, "other", kOtherImage);
  for (const auto* a : {&findings, &vex_a, &vex_b, &sbom, &the_seal, &elsewhere}) {
    ASSERT_TRUE(store->put(*a).ok());
  }
  auto listed = store->for_image(kImage);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 5U);
  EXPECT_EQ((*listed)[0], the_seal);
  EXPECT_EQ((*listed)[1].kind, ArtifactKind::kVex);
  EXPECT_EQ((*listed)[2].kind, ArtifactKind::kVex);
  EXPECT_LT((*listed)[1].id, (*listed)[2].id);
  EXPECT_EQ((*listed)[3], sbom);
  EXPECT_EQ((*listed)[4], findings);

  auto other = store->for_image(kOtherImage);
  ASSERT_TRUE(other.ok());
  ASSERT_EQ(other->size(), 1U);
  EXPECT_EQ(other->front(), elsewhere);
  EXPECT_TRUE(store->for_image("sha256:" + std::string(64, 'c'))->empty());

  auto by_id = store->seal_by_id("seal-1");
  ASSERT_TRUE(by_id.ok());
  ASSERT_TRUE(by_id->has_value());
  EXPECT_EQ(**by_id, the_seal);
  EXPECT_FALSE(store->seal_by_id("nope")->has_value());
}

TEST_F(EmbeddedArtifactStoreTest, RestartKeepsArtifactsAndApprovals) {
  const StoredArtifact first = seal("seal-1", 100);
  const StoredArtifact second = seal("seal-2", 200, false, "runtime");
  const StoredArtifact vex = artifact(ArtifactKind::kVex, "v");
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->put(first).ok());
    ASSERT_TRUE(store->put(second).ok());
    ASSERT_TRUE(store->put(vex).ok());
    ASSERT_TRUE(store->approve_seal("seal-2").ok());
  }
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(warnings_.empty());
  auto listed = store->for_image(kImage);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 3U);
  StoredArtifact approved_second = second;
  approved_second.approved = true;
  EXPECT_EQ(**store->seal_by_id("seal-1"), first);
  EXPECT_EQ(**store->seal_by_id("seal-2"), approved_second);
  auto baseline = store->latest_approved_seal(kRepository, "runtime");
  ASSERT_TRUE(baseline.ok());
  ASSERT_TRUE(baseline->has_value());
  EXPECT_EQ((*baseline)->seal_id, "seal-2");
}

TEST_F(EmbeddedArtifactStoreTest, ApprovalByCallAndByPutNeverRevoked) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->put(seal("seal-1", 100)).ok());
  EXPECT_FALSE(store->latest_approved_seal(kRepository, "os-packages")->has_value());

  const Status missing = store->approve_seal("no-such-seal");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  ASSERT_TRUE(store->put(seal("seal-1", 100, true)).ok());  // re-put approves
  EXPECT_TRUE((*store->seal_by_id("seal-1"))->approved);
  ASSERT_TRUE(store->put(seal("seal-1", 100, false)).ok());  // never revokes
  EXPECT_TRUE((*store->seal_by_id("seal-1"))->approved);

  const std::uint64_t size = store->log_bytes();
  ASSERT_TRUE(store->approve_seal("seal-1").ok());  // already approved: nothing written
  EXPECT_EQ(store->log_bytes(), size);
}

TEST_F(EmbeddedArtifactStoreTest, LatestApprovedByTimeThenId) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->put(seal("old", 100, true)).ok());
  ASSERT_TRUE(store->put(seal("newest-unapproved", 500, false)).ok());
  ASSERT_TRUE(store->put(seal("other-facet", 900, true, "runtime")).ok());
  ASSERT_TRUE(store->put(seal("mid", 300, true, "os-packages", kOtherImage)).ok());

  auto baseline = store->latest_approved_seal(kRepository, "os-packages");
  ASSERT_TRUE(baseline.ok());
  ASSERT_TRUE(baseline->has_value());
  EXPECT_EQ((*baseline)->seal_id, "mid");

  ASSERT_TRUE(store->approve_seal("newest-unapproved").ok());
  EXPECT_EQ((*store->latest_approved_seal(kRepository, "os-packages"))->seal_id,
            "newest-unapproved");

  // Same time: the greater id wins.
  const StoredArtifact tie_a = seal("tie-a", 800, true, "config");
  const StoredArtifact tie_b = seal("tie-b", 800, true, "config");
  ASSERT_TRUE(store->put(tie_a).ok());
  ASSERT_TRUE(store->put(tie_b).ok());
  const std::string greater = std::max(tie_a.id, tie_b.id);
  EXPECT_EQ((*store->latest_approved_seal(kRepository, "config"))->id, greater);

  EXPECT_FALSE(store->latest_approved_seal("docker.io/library/other", "os-packages")->has_value());
}

TEST_F(EmbeddedArtifactStoreTest, PutIsIdempotentAndRefusesConflicts) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  const StoredArtifact the_seal = seal("seal-1", 100);
  ASSERT_TRUE(store->put(the_seal).ok());
  const std::uint64_t size = store->log_bytes();
  ASSERT_TRUE(store->put(the_seal).ok());
  EXPECT_EQ(store->log_bytes(), size);
  EXPECT_EQ(store->for_image(kImage)->size(), 1U);

  StoredArtifact other_metadata = the_seal;
  other_metadata.repository = "docker.io/library/other";
  const Status conflict = store->put(other_metadata);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().code, ErrorCode::kInvalidArgument);

  StoredArtifact same_seal_other_envelope = the_seal;
  same_seal_other_envelope.envelope_json = "{\"payload\":\"re-signed\"}";
  same_seal_other_envelope.id = artifact_id(same_seal_other_envelope.envelope_json);
  const Status duplicate = store->put(same_seal_other_envelope);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.error().message.find("seal-1"), std::string::npos);

  StoredArtifact invalid = artifact(ArtifactKind::kVex, "v");
  invalid.image_digest = "latest";
  EXPECT_FALSE(store->put(invalid).ok());
  EXPECT_EQ(store->log_bytes(), size);  // nothing refused was written
  EXPECT_EQ(store->for_image(kImage)->size(), 1U);
}

TEST_F(EmbeddedArtifactStoreTest, DirectoryLockRefusesASecondOpen) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto second = EmbeddedArtifactStore::open(dir_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kIo);
  EXPECT_NE(second.error().message.find("in use"), std::string::npos);
  store.reset();
  EXPECT_TRUE(EmbeddedArtifactStore::open(dir_).ok());  // released with the store
}

TEST_F(EmbeddedArtifactStoreTest, TornTailIsCutAndCorruptionRefused) {
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->put(seal("seal-1", 100)).ok());
  }
  const std::string good = read_file(log_path());
  append_file(log_path(), std::string("\x00\x00\x01\x00garbage", 11));  // a torn append
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(warnings_.size(), 1U);
    EXPECT_TRUE((*store->seal_by_id("seal-1")).has_value());
    EXPECT_EQ(store->log_bytes(), good.size());
    ASSERT_TRUE(store->put(seal("seal-2", 200)).ok());
  }
  // Flip a byte inside the first record: valid records follow, so kParse.
  std::string log = read_file(log_path());
  log[20] = static_cast<char>(log[20] ^ 0x01);
  std::ofstream(log_path(), std::ios::binary | std::ios::trunc) << log;
  auto corrupt = EmbeddedArtifactStore::open(dir_);
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.error().code, ErrorCode::kParse);
}

TEST_F(EmbeddedArtifactStoreTest, ConcurrentWritersAndReaders) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        EXPECT_TRUE(store->put(seal(id, i, i % 2 == 0, "facet-" + std::to_string(t))).ok());
        EXPECT_TRUE(store->for_image(kImage).ok());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(store->for_image(kImage)->size(), static_cast<std::size_t>(kThreads * kEach));
  store.reset();
  auto reopened = open_store();
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->for_image(kImage)->size(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ((*reopened->latest_approved_seal(kRepository, "facet-2"))->seal_id, "2-24");
}

}  // namespace
}  // namespace zastava::store
