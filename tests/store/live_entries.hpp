#pragma once
// Entries that are live by the wall clock, for the tests that go through
// Valkey: Valkey only keeps an entry whose expiresAt is in the real future,
// so the fixed timestamps of provcache::testing::sample_entry would be
// expired (and dropped) on arrival.

#include <chrono>
#include <cstdint>

#include "../provcache/entry_samples.hpp"
#include "provcache/entry.hpp"

namespace zastava::store {

// Seconds since the Unix epoch, now.
inline std::int64_t wall_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// sample_entry(seed, options), created a minute ago; valid for an hour unless
// options asks for a TTL other than the sample default.
inline provcache::ProvcacheEntry live_entry(int seed,
                                            provcache::testing::SampleOptions options = {}) {
  options.created_at = wall_now() - 60;
  if (options.ttl_seconds == provcache::testing::SampleOptions{}.ttl_seconds) {
    options.ttl_seconds = 3600;
  }
  return provcache::testing::sample_entry(seed, options);
}

}  // namespace zastava::store
