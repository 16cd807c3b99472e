#pragma once
// A token bucket (client-go's flowcontrol.NewTokenBucketRateLimiter): up to
// `burst` tokens, refilled at `rate_per_second`; each write takes one. Callers
// pass the time, so tests need no sleeps. Not thread-safe: one owner.

#include <chrono>

namespace zastava::kube {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts full. rate_per_second > 0, burst >= 1.
  TokenBucket(double rate_per_second, double burst, Clock::time_point now = Clock::now());

  // Takes a token when one is there.
  bool try_take(Clock::time_point now);
  // When the next token will be there (now when one is).
  [[nodiscard]] Clock::time_point next_token_at(Clock::time_point now);

 private:
  void refill(Clock::time_point now);

  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace zastava::kube
