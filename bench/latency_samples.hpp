// Per-operation latency samples for the store benchmarks. Google Benchmark
// reports the mean time per iteration; lookups also need their tail, so each
// benchmark times every operation, collects the samples here and reports the
// p50 and p99 as counters in microseconds (p50_us, p99_us).
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <vector>

namespace zastava::bench {

class LatencySamples {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LatencySamples(std::size_t expected = 0) { micros_.reserve(expected); }

  void add(Clock::duration elapsed) {
    micros_.push_back(std::chrono::duration<double, std::micro>(elapsed).count());
  }

  // Runs operation once, records how long it took and returns its result.
  template <typename Operation>
  auto time(Operation&& operation) {
    const auto started = Clock::now();
    auto result = operation();
    add(Clock::now() - started);
    return result;
  }

  // Sets the p50_us and p99_us counters (nothing when no sample was taken).
  void report(benchmark::State& state) {
    if (micros_.empty()) return;
    std::sort(micros_.begin(), micros_.end());
    const auto at = [&](double quantile) {
      return micros_[static_cast<std::size_t>(quantile * static_cast<double>(micros_.size() - 1))];
    };
    state.counters["p50_us"] = at(0.50);
    state.counters["p99_us"] = at(0.99);
  }

 private:
  std::vector<double> micros_;
};

}  // namespace zastava::bench
