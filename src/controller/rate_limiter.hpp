#pragma once
// How long a failed work item waits before it is retried: client-go's
// DefaultControllerRateLimiter. Two limiters, and the longer wait wins:
//   - per item, exponential: base * 2^(failures so far), capped at max
//     (5 ms, 10 ms, 20 ms, ... 1000 s by default), reset by forget(key);
//   - overall, a token bucket (10 per second, burst 100 by default), so a
//     storm of failures cannot hammer the API server.
// Callers pass the time, so tests need no sleeps. Thread-safe.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "kube/token_bucket.hpp"

namespace zastava::controller {

struct RateLimiterOptions {
  std::chrono::milliseconds item_base_delay{5};
  std::chrono::milliseconds item_max_delay{1'000'000};
  double overall_per_second = 10;
  double overall_burst = 100;
};

class ControllerRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ControllerRateLimiter(RateLimiterOptions options = {},
                                 Clock::time_point now = Clock::now());

  // The delay before `key` is tried again; counts one more failure for it.
  std::chrono::milliseconds when(std::string_view key, Clock::time_point now = Clock::now());
  // Forgets `key`'s failures (after it succeeded).
  void forget(std::string_view key);
  // How many times `key` failed since it was last forgotten.
  [[nodiscard]] std::uint32_t failures(std::string_view key) const;

 private:
  RateLimiterOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, std::uint32_t, std::less<>> failures_;
  kube::TokenBucket overall_;
  Clock::time_point overall_next_{};  // when the bucket's last handed-out slot is
};

}  // namespace zastava::controller
