// WriteBehindQueue against an in-memory durable store double whose writes can
// be made to fail or to block (so a batch can be held "in flight").

#include "store/write_behind_queue.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "metrics/registry.hpp"

namespace zastava::store {
namespace {

using namespace std::chrono_literals;

ProvcacheEntry make_entry(const std::string& key, const std::string& signer,
                          const std::string& marker = "v1") {
  ProvcacheEntry entry;
  entry.decision.veri_key = key;
  entry.decision.expires_at_seconds = 4'000'000'000;
  entry.signer_set_hash = signer;
  entry.policy_hash = "sha256:policy";
  entry.feed_epoch = "2026-11-01";
  entry.verdict_json = marker;
  return entry;
}

InvalidationRequest by_signer(const std::string& signer) {
  return InvalidationRequest{provcache::InvalidationKind::kSignerSetHash, signer, "test", "tester"};
}

// Polls `condition` for up to 10 s (generous: the machine may be loaded).
bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return condition();
}

// The durable layer: a map; put_many records each batch and can fail or block.
class DurableDouble final : public ProvcacheStore {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "double"; }

  Result<Lookup> get(std::string_view key, std::int64_t) override {
    std::lock_guard lock(mutex_);
    auto found = rows_.find(std::string(key));
    if (found == rows_.end()) return Lookup{};
    return Lookup{found->second, LookupSource::kPostgres};
  }
  Status put(const ProvcacheEntry& entry) override { return put_many({&entry, 1}); }
  Status put_many(std::span<const ProvcacheEntry> entries) override {
    std::unique_lock lock(mutex_);
    ++put_calls_;
    if (block_) {
      blocked_ = true;
      changed_.notify_all();
      changed_.wait(lock, [this] { return !block_; });
      blocked_ = false;
    }
    if (failures_left_ > 0) {
      --failures_left_;
      return make_error(ErrorCode::kIo, "double: down");
    }
    std::vector<std::string> batch;
    for (const auto& entry : entries) {
      rows_[entry.veri_key()] = entry;
      batch.push_back(entry.veri_key());
    }
    batches_.push_back(std::move(batch));
    return ok_status();
  }
  Result<InvalidationResult> remove_matching(const InvalidationRequest& request,
                                             std::int64_t now) override {
    std::lock_guard lock(mutex_);
    ++remove_calls_;
    if (remove_failures_left_ > 0) {
      --remove_failures_left_;
      return make_error(ErrorCode::kIo, "double: down");
    }
    InvalidationResult removed;
    for (auto it = rows_.begin(); it != rows_.end();) {
      if (provcache::matches(request, it->second, now)) {
        removed.veri_keys.push_back(it->first);
        it = rows_.erase(it);
      } else {
        ++it;
      }
    }
    return removed;
  }
  Status record_revocation(const RevocationRecord&) override { return unsupported(); }
  Result<std::vector<RevocationRecord>> revocations(std::size_t) override { return unsupported(); }
  Status put_evidence(const EvidenceManifest&, std::span<const Bytes>) override {
    return unsupported();
  }
  Result<std::optional<EvidenceManifest>> get_evidence(std::string_view) override {
    return unsupported();
  }
  Result<std::optional<Bytes>> get_chunk(std::string_view, std::uint64_t) override {
    return unsupported();
  }
  Result<std::uint64_t> count() override {
    std::lock_guard lock(mutex_);
    return static_cast<std::uint64_t>(rows_.size());
  }

  void fail_next(int n) {
    std::lock_guard lock(mutex_);
    failures_left_ = n;
  }
  void fail_next_removes(int n) {
    std::lock_guard lock(mutex_);
    remove_failures_left_ = n;
  }
  void set_blocking(bool block) {
    std::lock_guard lock(mutex_);
    block_ = block;
    changed_.notify_all();
  }
  bool wait_until_blocked() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [this] { return blocked_; });
  }
  std::map<std::string, ProvcacheEntry> rows() const {
    std::lock_guard lock(mutex_);
    return rows_;
  }
  std::vector<std::vector<std::string>> batches() const {
    std::lock_guard lock(mutex_);
    return batches_;
  }
  int put_calls() const {
    std::lock_guard lock(mutex_);
    return put_calls_;
  }
  int remove_calls() const {
    std::lock_guard lock(mutex_);
    return remove_calls_;
  }

 private:
  static Error unsupported() { return make_error(ErrorCode::kUnsupported, "double"); }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, ProvcacheEntry> rows_;
  std::vector<std::vector<std::string>> batches_;
  int failures_left_ = 0;
  int remove_failures_left_ = 0;
  int put_calls_ = 0;
  int remove_calls_ = 0;
  bool block_ = false;
  bool blocked_ = false;
};

WriteBehindOptions slow_interval() {
  WriteBehindOptions options;
  options.flush_interval = 1h;  // only size, flush() or shutdown write
  options.max_batch_size = 10;
  options.initial_backoff = 10ms;
  options.max_backoff = 40ms;
  return options;
}

TEST(WriteBehindQueue, WritesAFullBatchWithoutWaitingForTheInterval) {
  DurableDouble durable;
  WriteBehindQueue queue(durable, slow_interval());
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(queue.enqueue(make_entry("k" + std::to_string(i), "s")));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(durable.put_calls(), 0) << "9 < max_batch_size: nothing due yet";
  ASSERT_TRUE(queue.enqueue(make_entry("k9", "s")));
  ASSERT_TRUE(eventually([&] { return durable.rows().size() == 10; }));
  ASSERT_EQ(durable.batches().size(), 1u);
  EXPECT_EQ(durable.batches()[0].size(), 10u);
  EXPECT_EQ(queue.stats().flushed, 10u);
}

TEST(WriteBehindQueue, WritesWhatWaitsEveryInterval) {
  DurableDouble durable;
  auto options = slow_interval();
  options.flush_interval = 30ms;
  WriteBehindQueue queue(durable, options);
  ASSERT_TRUE(queue.enqueue(make_entry("a", "s")));
  ASSERT_TRUE(queue.enqueue(make_entry("b", "s")));
  ASSERT_TRUE(eventually([&] { return durable.rows().size() == 2; }));
  EXPECT_EQ(queue.stats().pending, 0u);
}

TEST(WriteBehindQueue, RefusesWhenFullAndReplacesAQueuedKey) {
  DurableDouble durable;
  auto options = slow_interval();
  options.max_queue = 3;
  WriteBehindQueue queue(durable, options);
  EXPECT_TRUE(queue.enqueue(make_entry("a", "s")));
  EXPECT_TRUE(queue.enqueue(make_entry("b", "s")));
  EXPECT_TRUE(queue.enqueue(make_entry("c", "s")));
  EXPECT_FALSE(queue.enqueue(make_entry("d", "s"))) << "full: the caller must write through";
  EXPECT_TRUE(queue.enqueue(make_entry("a", "s", "v2"))) << "a queued key takes no new slot";
  ASSERT_TRUE(queue.flush().ok());
  const auto rows = durable.rows();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows.at("a").verdict_json, "v2");
  EXPECT_FALSE(rows.contains("d"));
  ASSERT_EQ(durable.batches().size(), 1u);
  EXPECT_EQ(durable.batches()[0], (std::vector<std::string>{"a", "b", "c"}));
}

TEST(WriteBehindQueue, AFailedWriteKeepsTheBatchInOrderAndRetriesWithBackoff) {
  DurableDouble durable;
  metrics::Registry registry;
  WriteBehindQueue queue(durable, slow_interval(), &registry);
  durable.fail_next(3);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(queue.enqueue(make_entry("k" + std::to_string(i), "s")));
  auto flushed = queue.flush();
  ASSERT_FALSE(flushed.ok());
  EXPECT_EQ(flushed.error().code, ErrorCode::kIo);
  EXPECT_EQ(queue.stats().pending, 5u);
  EXPECT_EQ(queue.stats().failures, 1u);
  // The worker retries on its own (backoff 10 ms, 20 ms, ...) until it succeeds.
  ASSERT_TRUE(eventually([&] { return durable.rows().size() == 5; }));
  EXPECT_EQ(queue.stats().failures, 3u);
  ASSERT_EQ(durable.batches().size(), 1u);
  EXPECT_EQ(durable.batches()[0], (std::vector<std::string>{"k0", "k1", "k2", "k3", "k4"}));
  const auto text = registry.render();
  EXPECT_NE(text.find("provcache_write_behind_failures_total 3"), std::string::npos) << text;
  EXPECT_NE(text.find("provcache_write_behind_flushed_total 5"), std::string::npos) << text;
  EXPECT_NE(text.find("provcache_write_behind_pending 0"), std::string::npos) << text;
}

TEST(WriteBehindQueue, RemoveMatchingDropsQueuedEntries) {
  DurableDouble durable;
  WriteBehindQueue queue(durable, slow_interval());
  ASSERT_TRUE(queue.enqueue(make_entry("a", "sha256:revoked")));
  ASSERT_TRUE(queue.enqueue(make_entry("b", "sha256:good")));
  ASSERT_TRUE(queue.enqueue(make_entry("c", "sha256:revoked")));
  const auto removed = queue.remove_matching(by_signer("sha256:revoked"), 0);
  EXPECT_EQ(removed.veri_keys, (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(queue.stats().pending, 1u);
  ASSERT_TRUE(queue.flush().ok());
  const auto rows = durable.rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows.contains("b"));
}

TEST(WriteBehindQueue, AnInvalidationDuringAWriteIsReappliedAfterIt) {
  DurableDouble durable;
  WriteBehindQueue queue(durable, slow_interval());
  ASSERT_TRUE(queue.enqueue(make_entry("revoked", "sha256:revoked")));
  ASSERT_TRUE(queue.enqueue(make_entry("kept", "sha256:good")));
  durable.set_blocking(true);
  std::thread flusher([&] { EXPECT_TRUE(queue.flush().ok()); });
  ASSERT_TRUE(durable.wait_until_blocked());

  // The tiered store's invalidation: the queue first, then the durable layer,
  // both while the batch is in flight (out of the queue, not yet written).
  const auto from_queue = queue.remove_matching(by_signer("sha256:revoked"), 0);
  EXPECT_TRUE(from_queue.veri_keys.empty()) << "the entry is in flight, not waiting";
  EXPECT_EQ(queue.stats().reapply_pending, 1u);
  ASSERT_TRUE(durable.remove_matching(by_signer("sha256:revoked"), 0).ok());
  EXPECT_TRUE(durable.rows().empty()) << "nothing written yet";

  durable.set_blocking(false);  // the batch commits, resurrecting "revoked" ...
  flusher.join();
  const auto rows = durable.rows();  // ... and the queue removed it again
  EXPECT_FALSE(rows.contains("revoked"));
  EXPECT_TRUE(rows.contains("kept"));
  EXPECT_EQ(durable.remove_calls(), 2);
  EXPECT_EQ(queue.stats().reapply_pending, 0u);
}

TEST(WriteBehindQueue, AReapplicationThatFailsIsRetried) {
  DurableDouble durable;
  WriteBehindQueue queue(durable, slow_interval());
  ASSERT_TRUE(queue.enqueue(make_entry("revoked", "sha256:revoked")));
  durable.set_blocking(true);
  std::thread flusher([&] { EXPECT_FALSE(queue.flush().ok()); });
  ASSERT_TRUE(durable.wait_until_blocked());
  (void)queue.remove_matching(by_signer("sha256:revoked"), 0);
  durable.fail_next_removes(1);  // the write commits, the re-application fails
  durable.set_blocking(false);
  flusher.join();
  EXPECT_TRUE(durable.rows().contains("revoked")) << "resurrected by the write";
  // The worker retries the re-application after its backoff.
  ASSERT_TRUE(eventually([&] { return queue.stats().reapply_pending == 0; }));
  EXPECT_FALSE(durable.rows().contains("revoked"));
  EXPECT_EQ(queue.stats().failures, 1u);
}

TEST(WriteBehindQueue, AnEntryQueuedAgainDuringAFailedWriteKeepsTheNewerVersion) {
  DurableDouble durable;
  WriteBehindQueue queue(durable, slow_interval());
  ASSERT_TRUE(queue.enqueue(make_entry("a", "s", "old")));
  durable.fail_next(1);
  durable.set_blocking(true);
  std::thread flusher([&] { EXPECT_FALSE(queue.flush().ok()); });
  ASSERT_TRUE(durable.wait_until_blocked());
  ASSERT_TRUE(queue.enqueue(make_entry("a", "s", "new")));
  durable.set_blocking(false);
  flusher.join();
  EXPECT_EQ(queue.stats().pending, 1u);
  ASSERT_TRUE(eventually([&] { return durable.rows().contains("a"); }));
  EXPECT_EQ(durable.rows().at("a").verdict_json, "new");
}

TEST(WriteBehindQueue, TheDestructorWritesWhatIsLeft) {
  DurableDouble durable;
  {
    WriteBehindQueue queue(durable, slow_interval());
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(queue.enqueue(make_entry("k" + std::to_string(i), "s")));
    }
    EXPECT_EQ(durable.put_calls(), 0);
  }
  EXPECT_EQ(durable.rows().size(), 5u);
}

TEST(WriteBehindQueue, TheDestructorGivesUpAtItsDeadline) {
  DurableDouble durable;
  durable.fail_next(1'000'000);
  const auto started = std::chrono::steady_clock::now();
  {
    auto options = slow_interval();
    options.shutdown_deadline = 200ms;
    WriteBehindQueue queue(durable, options);
    ASSERT_TRUE(queue.enqueue(make_entry("a", "s")));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_TRUE(durable.rows().empty());
  EXPECT_GE(durable.put_calls(), 2) << "retried before giving up";
}

}  // namespace
}  // namespace zastava::store
