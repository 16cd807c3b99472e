#pragma once
// Sleeping that a std::stop_token cuts short: what every background loop
// (watch backoff, leader election retries, housekeeping ticks) waits with, so
// a shutdown never waits out a sleep.
//
//   while (sleep_unless_stopped(stop, std::chrono::seconds(2))) renew();

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>

namespace zastava {

// Sleeps for `duration` or until `stop` is requested; false when stopped.
template <class Rep, class Period>
bool sleep_unless_stopped(const std::stop_token& stop,
                          std::chrono::duration<Rep, Period> duration) {
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  wake.wait_for(lock, stop, duration, [] { return false; });
  return !stop.stop_requested();
}

}  // namespace zastava
