// WorkQueue: de-duplication, FIFO order, one worker per key, delays and
// rate-limited retries, shutdown and stop.

#include "controller/work_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace zastava::controller {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// get() with a deadline, so a broken queue fails the test instead of hanging it.
std::optional<std::string> get_within(WorkQueue& queue, std::chrono::milliseconds limit) {
  std::stop_source stop;
  std::jthread timer([&](std::stop_token cancelled) {
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    if (!wake.wait_for(lock, cancelled, limit, [] { return false; })) stop.request_stop();
  });
  auto key = queue.get(stop.get_token());
  timer.request_stop();
  return key;
}

TEST(WorkQueueTest, DeduplicatesAndKeepsFirstAddedOrder) {
  WorkQueue queue;
  for (const char* key : {"c", "a", "c", "b", "a", "c"}) queue.add(key);
  const auto stats = queue.stats();
  EXPECT_EQ(stats.depth, 3u);
  EXPECT_EQ(stats.adds, 3u);
  std::vector<std::string> order;
  for (int i = 0; i < 3; ++i) {
    auto key = get_within(queue, 10s);
    ASSERT_TRUE(key);
    order.push_back(*key);
    queue.done(*key);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"c", "a", "b"}));
  EXPECT_EQ(queue.stats().depth, 0u);
}

TEST(WorkQueueTest, AKeyAddedWhileProcessingIsRequeuedAtDone) {
  WorkQueue queue;
  queue.add("a");
  auto held = get_within(queue, 10s);
  ASSERT_EQ(held, "a");
  EXPECT_EQ(queue.stats().processing, 1u);
  queue.add("a");
  queue.add("a");
  EXPECT_EQ(queue.stats().depth, 0u);  // not handed out while held
  queue.add("b");
  EXPECT_EQ(get_within(queue, 10s), "b");  // "a" is not in the way
  EXPECT_FALSE(get_within(queue, 50ms));   // and not available
  queue.done("a");
  EXPECT_EQ(queue.stats().depth, 1u);  // once, however often it was added
  EXPECT_EQ(get_within(queue, 10s), "a");
  queue.done("a");
  queue.done("b");
  EXPECT_EQ(queue.stats().depth, 0u);
  EXPECT_EQ(queue.stats().processing, 0u);
}

TEST(WorkQueueTest, NeverHandsOneKeyToTwoWorkers) {
  WorkQueue queue;
  constexpr int kKeys = 8;
  std::mutex mutex;
  std::map<std::string, int> in_flight;
  std::map<std::string, int> runs;
  std::atomic<bool> overlap{false};
  std::atomic<bool> producing{true};
  std::vector<std::jthread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&](std::stop_token stop) {
      while (auto key = queue.get(stop)) {
        {
          const std::lock_guard lock(mutex);
          if (++in_flight[*key] > 1) overlap = true;
          ++runs[*key];
        }
        std::this_thread::sleep_for(200us);  // "reconcile"
        {
          const std::lock_guard lock(mutex);
          --in_flight[*key];
        }
        queue.done(*key);
      }
    });
  }
  for (int round = 0; round < 2000; ++round) {
    queue.add("key-" + std::to_string(round % kKeys));
    if (round % 16 == 0) std::this_thread::sleep_for(100us);  // let workers interleave
  }
  producing = false;
  // Every key added after its last run started runs once more: the queue drains.
  const auto deadline = Clock::now() + 20s;
  while (Clock::now() < deadline) {
    const auto stats = queue.stats();
    if (stats.depth == 0 && stats.processing == 0) break;
    std::this_thread::sleep_for(5ms);
  }
  const auto stats = queue.stats();
  EXPECT_EQ(stats.depth, 0u);
  EXPECT_EQ(stats.processing, 0u);
  queue.shut_down();
  workers.clear();
  EXPECT_FALSE(overlap.load());
  const std::lock_guard lock(mutex);
  EXPECT_EQ(runs.size(), static_cast<std::size_t>(kKeys));
  int total = 0;
  for (const auto& [key, count] : runs) total += count;
  EXPECT_LT(total, 2000);  // bursts collapsed
  EXPECT_EQ(stats.adds, static_cast<std::uint64_t>(total));
}

TEST(WorkQueueTest, AddAfterDelaysTheKey) {
  WorkQueue queue;
  const auto start = Clock::now();
  queue.add_after("a", 80ms);
  EXPECT_EQ(queue.stats().delayed, 1u);
  EXPECT_EQ(queue.stats().depth, 0u);
  auto key = get_within(queue, 10s);
  ASSERT_EQ(key, "a");
  EXPECT_GE(Clock::now() - start, 80ms);
  EXPECT_EQ(queue.stats().delayed, 0u);
  queue.done("a");
}

TEST(WorkQueueTest, AnEarlierDelayWakesAWaitingGet) {
  WorkQueue queue;
  queue.add_after("late", 60s);
  std::optional<std::string> got;
  std::jthread worker([&] { got = get_within(queue, 20s); });
  std::this_thread::sleep_for(20ms);  // let it block on the 60 s delay
  queue.add_after("soon", 30ms);
  worker.join();
  EXPECT_EQ(got, "soon");
  EXPECT_EQ(queue.stats().delayed, 1u);
}

TEST(WorkQueueTest, APlainAddOfADelayedKeyRunsAtOnce) {
  WorkQueue queue;
  queue.add_after("a", 60s);
  queue.add("a");
  EXPECT_EQ(queue.stats().delayed, 0u);
  const auto start = Clock::now();
  EXPECT_EQ(get_within(queue, 10s), "a");
  EXPECT_LT(Clock::now() - start, 5s);
  queue.done("a");
  EXPECT_FALSE(get_within(queue, 50ms));  // the delayed entry is gone too
}

TEST(WorkQueueTest, AddAfterKeepsTheEarliestDelay) {
  WorkQueue queue;
  queue.add_after("a", 60s);
  queue.add_after("a", 30ms);
  queue.add_after("a", 50s);
  EXPECT_EQ(queue.stats().delayed, 1u);
  EXPECT_EQ(get_within(queue, 10s), "a");
}

TEST(WorkQueueTest, RateLimitedRetriesBackOffExponentially) {
  WorkQueue queue;
  std::vector<std::chrono::milliseconds> minimum{5ms, 10ms, 20ms, 40ms};
  for (const auto expected : minimum) {
    const auto start = Clock::now();
    queue.add_rate_limited("a");
    auto key = get_within(queue, 10s);
    ASSERT_EQ(key, "a");
    EXPECT_GE(Clock::now() - start, expected);
    queue.done("a");
  }
  EXPECT_EQ(queue.retries("a"), 4u);
  EXPECT_EQ(queue.stats().retries, 4u);
  queue.forget("a");
  EXPECT_EQ(queue.retries("a"), 0u);
}

TEST(WorkQueueTest, ShutDownWakesBlockedGets) {
  WorkQueue queue;
  std::atomic<int> woken{0};
  std::vector<std::jthread> workers;
  for (int i = 0; i < 3; ++i) {
    workers.emplace_back([&] {
      if (!queue.get()) ++woken;
    });
  }
  std::this_thread::sleep_for(20ms);
  queue.shut_down();
  workers.clear();  // joins: a get() that never woke hangs here
  EXPECT_EQ(woken.load(), 3);
  EXPECT_TRUE(queue.shutting_down());
  queue.add("a");  // ignored
  EXPECT_EQ(queue.stats().depth, 0u);
  EXPECT_FALSE(queue.get());
}

TEST(WorkQueueTest, ShutDownDropsQueuedKeys) {
  WorkQueue queue;
  queue.add("a");
  queue.add_after("b", 10s);
  queue.shut_down();
  EXPECT_FALSE(queue.get());
  EXPECT_EQ(queue.stats().depth, 0u);
  EXPECT_EQ(queue.stats().delayed, 0u);
}

TEST(WorkQueueTest, AStopTokenWakesGet) {
  WorkQueue queue;
  std::optional<std::string> got{"unset"};
  std::jthread worker([&](std::stop_token stop) { got = queue.get(stop); });
  std::this_thread::sleep_for(20ms);
  worker.request_stop();
  worker.join();
  EXPECT_FALSE(got);
  EXPECT_FALSE(queue.shutting_down());  // only that get() ended
  queue.add("a");
  EXPECT_EQ(get_within(queue, 10s), "a");
}

}  // namespace
}  // namespace zastava::controller
