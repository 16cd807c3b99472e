#include "kube/token_bucket.hpp"

#include <algorithm>

namespace zastava::kube {

TokenBucket::TokenBucket(double rate_per_second, double burst, Clock::time_point now)
    : rate_(std::max(rate_per_second, 1e-9)),
      burst_(std::max(burst, 1.0)),
      tokens_(burst_),
      last_(now) {}

void TokenBucket::refill(Clock::time_point now) {
  if (now <= last_) return;
  const std::chrono::duration<double> elapsed = now - last_;
  tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
  last_ = now;
}

bool TokenBucket::try_take(Clock::time_point now) {
  refill(now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

TokenBucket::Clock::time_point TokenBucket::next_token_at(Clock::time_point now) {
  refill(now);
  if (tokens_ >= 1.0) return now;
  const std::chrono::duration<double> wait((1.0 - tokens_) / rate_);
  return now + std::chrono::duration_cast<Clock::duration>(wait);
}

}  // namespace zastava::kube
