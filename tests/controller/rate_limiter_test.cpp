// ControllerRateLimiter: per-item exponential backoff under an overall token
// bucket; the time is passed in, so nothing sleeps.

#include "controller/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace zastava::controller {
namespace {

using namespace std::chrono_literals;
using Clock = ControllerRateLimiter::Clock;

TEST(RateLimiterTest, BacksOffExponentiallyPerItem) {
  const auto t0 = Clock::now();
  ControllerRateLimiter limiter({}, t0);
  EXPECT_EQ(limiter.when("a", t0), 5ms);
  EXPECT_EQ(limiter.when("a", t0), 10ms);
  EXPECT_EQ(limiter.when("a", t0), 20ms);
  EXPECT_EQ(limiter.when("a", t0), 40ms);
  EXPECT_EQ(limiter.failures("a"), 4u);
  EXPECT_EQ(limiter.when("b", t0), 5ms);  // keys back off independently
  EXPECT_EQ(limiter.failures("b"), 1u);
}

TEST(RateLimiterTest, ForgetResetsTheBackoff) {
  const auto t0 = Clock::now();
  ControllerRateLimiter limiter({}, t0);
  (void)limiter.when("a", t0);
  (void)limiter.when("a", t0);
  limiter.forget("a");
  EXPECT_EQ(limiter.failures("a"), 0u);
  EXPECT_EQ(limiter.when("a", t0), 5ms);
  limiter.forget("never-failed");  // harmless
  EXPECT_EQ(limiter.failures("never-failed"), 0u);
}

TEST(RateLimiterTest, CapsTheItemDelay) {
  const auto t0 = Clock::now();
  ControllerRateLimiter limiter(
      {.item_base_delay = 5ms, .item_max_delay = 100ms, .overall_burst = 1000}, t0);
  std::chrono::milliseconds last{};
  for (int i = 0; i < 200; ++i) last = limiter.when("a", t0);  // 2^199 must not overflow
  EXPECT_EQ(last, 100ms);
}

TEST(RateLimiterTest, TheOverallBucketSpacesOutABurstOfFailures) {
  const auto t0 = Clock::now();
  ControllerRateLimiter limiter(
      {.item_base_delay = 1ms, .overall_per_second = 10, .overall_burst = 2}, t0);
  EXPECT_EQ(limiter.when("a", t0), 1ms);  // the burst: the item delay wins
  EXPECT_EQ(limiter.when("b", t0), 1ms);
  EXPECT_EQ(limiter.when("c", t0), 100ms);  // the bucket is empty: one token per 100 ms
  EXPECT_EQ(limiter.when("d", t0), 200ms);  // after the slot already promised to "c"
  // A second later the bucket has refilled to its burst.
  EXPECT_EQ(limiter.when("e", t0 + 1s), 1ms);
  EXPECT_EQ(limiter.when("f", t0 + 1s), 1ms);
}

TEST(RateLimiterTest, TheLongerOfTheTwoDelaysWins) {
  const auto t0 = Clock::now();
  ControllerRateLimiter limiter(
      {.item_base_delay = 150ms, .overall_per_second = 10, .overall_burst = 1}, t0);
  EXPECT_EQ(limiter.when("a", t0), 150ms);  // item delay > bucket (0)
  EXPECT_EQ(limiter.when("b", t0), 150ms);  // item delay > bucket (100 ms)
  EXPECT_EQ(limiter.when("c", t0), 200ms);  // bucket (200 ms) > item delay
}

}  // namespace
}  // namespace zastava::controller
