// Tests for provcache/lru_cache: LRU order and capacity, expiry, the
// generation that guards fills against invalidations, and many threads.
#include "provcache/lru_cache.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "entry_samples.hpp"
#include "provcache/invalidation.hpp"

namespace zastava::provcache {
namespace {

using testing::sample_entry;

const std::int64_t kNow = testing::kSampleCreatedAt + 10;

TEST(LruCache, EvictsTheLeastRecentlyUsed) {
  LruCache cache(2);
  const ProvcacheEntry a = sample_entry(1), b = sample_entry(2), c = sample_entry(3);
  cache.insert(a);
  cache.insert(b);
  ASSERT_TRUE(cache.get(a.veri_key(), kNow).has_value());  // a is now the most recent
  cache.insert(c);
  EXPECT_EQ(cache.size(), 2U);
  EXPECT_TRUE(cache.get(a.veri_key(), kNow).has_value());
  EXPECT_FALSE(cache.get(b.veri_key(), kNow).has_value());
  EXPECT_TRUE(cache.get(c.veri_key(), kNow).has_value());
}

TEST(LruCache, InsertReplacesAnEntryWithTheSameKey) {
  LruCache cache(4);
  ProvcacheEntry entry = sample_entry(1);
  cache.insert(entry);
  entry.hit_count = 9;
  cache.insert(entry);
  EXPECT_EQ(cache.size(), 1U);
  EXPECT_EQ(cache.get(entry.veri_key(), kNow)->hit_count, 9U);
}

TEST(LruCache, ExpiredEntriesAreMissedAndDropped) {
  LruCache cache(4);
  const ProvcacheEntry entry = sample_entry(1);
  cache.insert(entry);
  EXPECT_TRUE(cache.get(entry.veri_key(), entry.expires_at() - 1).has_value());
  EXPECT_FALSE(cache.get(entry.veri_key(), entry.expires_at()).has_value());
  EXPECT_EQ(cache.size(), 0U);
}

TEST(LruCache, ZeroCapacityCachesNothing) {
  LruCache cache(0);
  cache.insert(sample_entry(1));
  EXPECT_EQ(cache.size(), 0U);
  EXPECT_FALSE(cache.get(sample_entry(1).veri_key(), kNow).has_value());
}

TEST(LruCache, RemoveIfReturnsKeysAndAdvancesTheGeneration) {
  LruCache cache(8);
  testing::SampleOptions revoked;
  revoked.signer_set = "revoked";
  cache.insert(sample_entry(1, revoked));
  cache.insert(sample_entry(2));
  cache.insert(sample_entry(3, revoked));
  const std::uint64_t before = cache.generation();
  const InvalidationRequest request{InvalidationKind::kSignerSetHash, testing::sample_id("revoked"),
                                    "", ""};
  std::vector<std::string> removed =
      cache.remove_if([&](const ProvcacheEntry& e) { return matches(request, e, kNow); });
  std::sort(removed.begin(), removed.end());
  std::vector<std::string> expected = {sample_entry(1).veri_key(), sample_entry(3).veri_key()};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(removed, expected);
  EXPECT_EQ(cache.size(), 1U);
  EXPECT_GT(cache.generation(), before);

  const std::uint64_t after_remove = cache.generation();
  EXPECT_TRUE(cache.remove_if([](const ProvcacheEntry&) { return false; }).empty());
  EXPECT_GT(cache.generation(), after_remove);  // even when nothing matched
  const std::uint64_t after_empty = cache.generation();
  cache.erase("sha256:nothing");
  EXPECT_GT(cache.generation(), after_empty);
  const std::uint64_t after_erase = cache.generation();
  cache.clear();
  EXPECT_GT(cache.generation(), after_erase);
  EXPECT_EQ(cache.size(), 0U);
}

TEST(LruCache, InsertIfCurrentDropsAFillThatRacedAnInvalidation) {
  LruCache cache(8);
  const ProvcacheEntry entry = sample_entry(1);
  const std::uint64_t generation = cache.generation();  // lookup starts, reads a lower layer...
  cache.remove_if([](const ProvcacheEntry&) { return true; });  // ...an invalidation lands
  EXPECT_FALSE(cache.insert_if_current(entry, generation));
  EXPECT_FALSE(cache.get(entry.veri_key(), kNow).has_value());

  EXPECT_TRUE(cache.insert_if_current(entry, cache.generation()));
  EXPECT_TRUE(cache.get(entry.veri_key(), kNow).has_value());
}

TEST(LruCache, ConcurrentReadersWritersAndInvalidationsStayConsistent) {
  constexpr int kKeys = 64;
  constexpr std::size_t kCapacity = 32;
  std::vector<ProvcacheEntry> entries;
  for (int i = 0; i < kKeys; ++i) entries.push_back(sample_entry(i));
  LruCache cache(kCapacity);
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> hits{0};
  std::atomic<int> wrong{0};

  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3000; ++round) {
        const ProvcacheEntry& entry = entries[static_cast<std::size_t>((round * 7 + t) % kKeys)];
        if (round % 3 == 0) {
          cache.insert_if_current(entry, cache.generation());
        } else if (auto got = cache.get(entry.veri_key(), kNow)) {
          hits.fetch_add(1);
          if (got->veri_key() != entry.veri_key()) wrong.fetch_add(1);
        }
        if (cache.size() > kCapacity) wrong.fetch_add(1);
      }
    });
  }
  threads.emplace_back([&] {
    while (!stop.load()) {
      cache.remove_if([](const ProvcacheEntry& e) { return e.veri_key().back() < '8'; });
      std::this_thread::yield();
    }
  });
  for (std::size_t i = 0; i + 1 < threads.size(); ++i) threads[i].join();
  stop = true;
  threads.back().join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(hits.load(), 0U);
  EXPECT_LE(cache.size(), kCapacity);
}

TEST(LruCache, AFillThatStartedBeforeAnInvalidationNeverSurvivesIt) {
  // Many rounds of: a reader takes the generation, an invalidator removes
  // everything, the reader fills. Whatever the interleaving, after both have
  // finished the cache must not hold an entry the invalidation should have
  // removed, unless the fill started after the invalidation.
  const ProvcacheEntry entry = sample_entry(1);
  for (int round = 0; round < 500; ++round) {
    LruCache cache(4);
    std::atomic<bool> go{false};
    std::uint64_t fill_generation = 0;
    std::uint64_t invalidation_generation = 0;
    std::thread reader([&] {
      while (!go.load()) {
      }
      fill_generation = cache.generation();
      cache.insert_if_current(entry, fill_generation);
    });
    std::thread invalidator([&] {
      while (!go.load()) {
      }
      cache.remove_if([](const ProvcacheEntry&) { return true; });
      invalidation_generation = cache.generation();
    });
    go = true;
    reader.join();
    invalidator.join();
    if (cache.get(entry.veri_key(), kNow).has_value()) {
      // Only possible when the reader took its generation after the invalidation.
      EXPECT_EQ(fill_generation, invalidation_generation) << "round " << round;
    }
  }
}

}  // namespace
}  // namespace zastava::provcache
