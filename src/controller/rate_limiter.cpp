#include "controller/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace zastava::controller {
namespace {

using std::chrono::milliseconds;

// base * 2^exponent, capped at `max` (computed in double: no overflow).
milliseconds exponential_delay(milliseconds base, milliseconds max, std::uint32_t exponent) {
  const double delay = static_cast<double>(base.count()) * std::pow(2.0, exponent);
  if (delay >= static_cast<double>(max.count())) return max;
  return milliseconds(static_cast<milliseconds::rep>(delay));
}

// Rounds up, so a caller that waits this long finds its slot has come.
milliseconds ceil_millis(ControllerRateLimiter::Clock::duration duration) {
  return std::max(milliseconds(0), std::chrono::ceil<milliseconds>(duration));
}

}  // namespace

ControllerRateLimiter::ControllerRateLimiter(RateLimiterOptions options, Clock::time_point now)
    : options_(options),
      overall_(options.overall_per_second, options.overall_burst, now),
      overall_next_(now) {}

std::chrono::milliseconds ControllerRateLimiter::when(std::string_view key, Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  auto found = failures_.find(key);
  if (found == failures_.end()) found = failures_.emplace(std::string(key), 0).first;
  const std::uint32_t exponent = found->second;
  if (found->second < UINT32_MAX) ++found->second;
  const milliseconds item_delay =
      exponential_delay(options_.item_base_delay, options_.item_max_delay, exponent);

  // The bucket hands out slots in order: a token now when one is there,
  // otherwise the first one after every slot already promised (a
  // reservation, as golang.org/x/time/rate's Reserve does).
  Clock::time_point slot = std::max(now, overall_next_);
  slot = overall_.next_token_at(slot);
  while (!overall_.try_take(slot)) slot += std::chrono::microseconds(1);  // rounding
  overall_next_ = slot;
  return std::max(item_delay, ceil_millis(slot - now));
}

void ControllerRateLimiter::forget(std::string_view key) {
  const std::lock_guard lock(mutex_);
  if (const auto found = failures_.find(key); found != failures_.end()) failures_.erase(found);
}

std::uint32_t ControllerRateLimiter::failures(std::string_view key) const {
  const std::lock_guard lock(mutex_);
  const auto found = failures_.find(key);
  return found == failures_.end() ? 0 : found->second;
}

}  // namespace zastava::controller
