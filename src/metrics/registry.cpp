#include "metrics/registry.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <variant>

namespace zastava::metrics {

namespace {

using Type = MetricType;

bool is_name_start(char c, bool allow_colon) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
}

bool is_valid_name(std::string_view name, bool allow_colon) noexcept {
  if (name.empty() || !is_name_start(name.front(), allow_colon)) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) {
    return is_name_start(c, allow_colon) || (c >= '0' && c <= '9');
  });
}

void atomic_add(std::atomic<double>& target, double delta) noexcept {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + delta, std::memory_order_relaxed)) {
  }
}

// Sorted by name, names checked: the identity of a series within its family.
Labels normalized_labels(const std::string& metric, const Labels& labels, Type type) {
  Labels sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const std::string& name = sorted[i].first;
    if (!is_valid_name(name, false) || name.rfind("__", 0) == 0) {
      throw std::invalid_argument("metric " + metric + ": invalid label name \"" + name + "\"");
    }
    if (type == Type::kHistogram && name == "le") {
      throw std::invalid_argument("metric " + metric +
                                  ": a histogram may not use the label \"le\"");
    }
    if (i > 0 && sorted[i - 1].first == name) {
      throw std::invalid_argument("metric " + metric + ": label \"" + name + "\" given twice");
    }
  }
  return sorted;
}

}  // namespace

// A number as the exposition format writes it: the shortest text that reads
// back exactly, in Go's strconv.FormatFloat(v, 'g', -1, 64) layout (what
// Prometheus' own clients print: 0.0001, 5e-05, 2.5) except that integers
// below 10^21 are written out in full (1000000, not 1e+06); and +Inf, -Inf,
// NaN.
std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  const auto [sci_end, sci_error] =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  if (sci_error != std::errc()) return "NaN";  // cannot happen with 64 bytes
  const std::string scientific(buffer, sci_end);
  const int exponent = std::atoi(scientific.c_str() + scientific.find('e') + 1);
  if (exponent < -4 || exponent >= 21) return scientific;
  const auto [fixed_end, fixed_error] =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
  if (fixed_error != std::errc()) return scientific;
  return std::string(buffer, fixed_end);
}

std::string escape_label_value(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '"') {
      escaped += "\\\"";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

std::string escape_help(std::string_view help) {
  std::string escaped;
  escaped.reserve(help.size());
  for (const char c : help) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

void Gauge::add(double delta) noexcept {
  atomic_add(value_, delta);
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(upper_bounds_.size() + 1)) {
  for (std::size_t i = 0; i < upper_bounds_.size(); ++i) {
    if (!std::isfinite(upper_bounds_[i]) || (i > 0 && upper_bounds_[i - 1] >= upper_bounds_[i])) {
      throw std::invalid_argument("histogram bounds must be finite and strictly increasing");
    }
  }
}

void Histogram::observe(double value) noexcept {
  const auto bound = std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value);
  const auto bucket = static_cast<std::size_t>(bound - upper_bounds_.begin());
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  atomic_add(sum_, value);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot snapshot;
  snapshot.upper_bounds = upper_bounds_;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= upper_bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    snapshot.cumulative_counts.push_back(running);
  }
  // The +Inf bucket and _count must agree even while observe() runs, so the
  // count is the buckets' total rather than a separate read of count_.
  snapshot.count = running;
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

namespace {

std::string_view type_name(Type type) noexcept {
  switch (type) {
    case Type::kCounter:
      return "counter";
    case Type::kGauge:
      return "gauge";
    case Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

struct Registry::Family {
  Type type;
  std::string help;
  std::vector<double> upper_bounds;  // histograms only
  // Only the map of `type` is used. unique_ptr keeps references stable.
  std::map<Labels, std::unique_ptr<Counter>> counters;
  std::map<Labels, std::unique_ptr<Gauge>> gauges;
  std::map<Labels, std::unique_ptr<Histogram>> histograms;

  void render(const std::string& name, std::string& out) const;
};

namespace {

// `{a="1",b="2"}` with `extra` (le) last; "" when there are no labels at all.
std::string label_text(const Labels& labels, std::string_view extra_name = {},
                       std::string_view extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return {};
  std::string text = "{";
  bool first = true;
  const auto append = [&](std::string_view name, std::string_view value) {
    if (!first) text += ',';
    first = false;
    text.append(name).append("=\"").append(escape_label_value(value)).append("\"");
  };
  for (const auto& [name, value] : labels) append(name, value);
  if (!extra_name.empty()) append(extra_name, extra_value);
  text += '}';
  return text;
}

void render_histogram(const std::string& name, const Labels& labels, const Histogram& histogram,
                      std::string& out) {
  const Histogram::Snapshot snapshot = histogram.snapshot();
  for (std::size_t i = 0; i <= snapshot.upper_bounds.size(); ++i) {
    const std::string le = i < snapshot.upper_bounds.size() ? format_value(snapshot.upper_bounds[i])
                                                            : std::string("+Inf");
    out += name + "_bucket" + label_text(labels, "le", le) + ' ' +
           std::to_string(snapshot.cumulative_counts[i]) + '\n';
  }
  out += name + "_sum" + label_text(labels) + ' ' + format_value(snapshot.sum) + '\n';
  out += name + "_count" + label_text(labels) + ' ' + std::to_string(snapshot.count) + '\n';
}

template <typename Metric, typename... Args>
Metric& find_or_add(std::map<Labels, std::unique_ptr<Metric>>& series, Labels labels,
                    Args&&... args) {
  std::unique_ptr<Metric>& slot = series[std::move(labels)];
  if (!slot) slot = std::make_unique<Metric>(std::forward<Args>(args)...);
  return *slot;
}

}  // namespace

void Registry::Family::render(const std::string& name, std::string& out) const {
  out += "# HELP " + name + ' ' + escape_help(help) + '\n';
  out += "# TYPE " + name + ' ' + std::string(type_name(type)) + '\n';
  for (const auto& [labels, counter] : counters) {
    out += name + label_text(labels) + ' ' + std::to_string(counter->value()) + '\n';
  }
  for (const auto& [labels, gauge] : gauges) {
    out += name + label_text(labels) + ' ' + format_value(gauge->value()) + '\n';
  }
  for (const auto& [labels, histogram] : histograms)
    render_histogram(name, labels, *histogram, out);
}

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Family& Registry::family_locked(const std::string& name, const std::string& help,
                                          MetricType type,
                                          const std::vector<double>& upper_bounds) {
  if (!is_valid_name(name, true)) {
    throw std::invalid_argument("invalid metric name \"" + name + "\"");
  }
  std::unique_ptr<Family>& family = families_[name];
  if (!family) {
    family = std::make_unique<Family>(Family{type, help, upper_bounds, {}, {}, {}});
    return *family;
  }
  if (family->type != type) {
    throw std::invalid_argument("metric " + name + " is already a " +
                                std::string(type_name(family->type)));
  }
  if (family->help != help) {
    throw std::invalid_argument("metric " + name + " is already registered with other help text");
  }
  if (family->upper_bounds != upper_bounds) {
    throw std::invalid_argument("histogram " + name + " is already registered with other buckets");
  }
  return *family;
}

Counter& Registry::counter(const std::string& name, const std::string& help, const Labels& labels) {
  const std::lock_guard lock(mutex_);
  Family& family = family_locked(name, help, Type::kCounter, {});
  return find_or_add(family.counters, normalized_labels(name, labels, Type::kCounter));
}

Gauge& Registry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  const std::lock_guard lock(mutex_);
  Family& family = family_locked(name, help, Type::kGauge, {});
  return find_or_add(family.gauges, normalized_labels(name, labels, Type::kGauge));
}

Histogram& Registry::histogram(const std::string& name, const std::string& help,
                               const std::vector<double>& upper_bounds, const Labels& labels) {
  const std::lock_guard lock(mutex_);
  // Check the bounds before the family records them.
  static_cast<void>(Histogram(upper_bounds));
  Family& family = family_locked(name, help, Type::kHistogram, upper_bounds);
  return find_or_add(family.histograms, normalized_labels(name, labels, Type::kHistogram),
                     upper_bounds);
}

std::string Registry::render() const {
  const std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) family->render(name, out);
  return out;
}

}  // namespace zastava::metrics
