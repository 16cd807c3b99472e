#pragma once
// A small metrics registry rendered in the Prometheus text exposition format
// (version 0.0.4). Owned by main() and passed by reference: no global state.
// Counters, gauges and histograms are lock-free to update (atomics); the
// registry's lock is only taken to register a series and to render.
//
//   metrics::Registry registry;
//   auto& hits = registry.counter("provcache_hits_total", "Cache hits", {{"layer", "memory"}});
//   hits.inc();
//   auto& latency = registry.histogram("provcache_latency_seconds", "Operation latency",
//                                      metrics::kLatencyBuckets, {{"op", "get"}});
//   latency.observe(0.000012);
//   std::string text = registry.render();
//
// Registering the same name and labels twice returns the same series; the
// same name with another type or help text throws std::invalid_argument (a
// programming error). Names follow [a-zA-Z_:][a-zA-Z0-9_:]*; label values are
// escaped (\\, \", \n) when rendered. Families render sorted by name, series
// by their labels, so the output is deterministic.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zastava::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

// 50 µs .. 5 s, for request and store latencies in seconds.
inline const std::vector<double> kLatencyBuckets = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                    0.005,   0.01,   0.025,   0.05,   0.1,   0.25,
                                                    0.5,     1.0,    2.5,     5.0};

class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t value() const noexcept {
    return value_.load(std::memory_order_relaxed);
  }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void add(double delta) noexcept;
  [[nodiscard]] double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Histogram {
 public:
  // `upper_bounds` strictly increasing, finite; +Inf is implicit.
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double value) noexcept;

  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<std::uint64_t> cumulative_counts;  // one per bound, then +Inf
    std::uint64_t count = 0;
    double sum = 0.0;
  };
  [[nodiscard]] Snapshot snapshot() const;

 private:
  std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds.size() + 1
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0.0};
};

// Exposition helpers (also for tests): a sample value as Prometheus parses
// it (integers plainly, other values shortest round-trip, "+Inf", "-Inf",
// "NaN"); a label value with backslash, double quote and newline escaped;
// HELP text with backslash and newline escaped.
std::string format_value(double value);
std::string escape_label_value(std::string_view value);
std::string escape_help(std::string_view help);

enum class MetricType { kCounter, kGauge, kHistogram };

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help,
                       const std::vector<double>& upper_bounds, const Labels& labels = {});

  // The exposition text, "# HELP" and "# TYPE" lines first in each family.
  [[nodiscard]] std::string render() const;

 private:
  struct Family;
  // The family `name`, created on first use; throws std::invalid_argument when
  // it exists with another type, help text or bucket layout. Caller holds mutex_.
  Family& family_locked(const std::string& name, const std::string& help, MetricType type,
                        const std::vector<double>& upper_bounds);
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Family>> families_;
};

}  // namespace zastava::metrics
