// Tests for metrics/registry: counters, gauges and histograms, registration
// rules, the exact rendered text, and a line-by-line checker of the
// Prometheus text exposition format 0.0.4 run over rendered output.
#include "metrics/registry.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace zastava::metrics {
namespace {

// --- A checker of the text format, written from the 0.0.4 specification ---

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

bool is_metric_name(const std::string& name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
                    (i > 0 && std::isdigit(static_cast<unsigned char>(c)));
    if (!ok) return false;
  }
  return true;
}

// Go's strconv.ParseFloat forms, which Prometheus uses for values.
bool parse_value(const std::string& text, double& out) {
  if (text == "+Inf" || text == "Inf") return out = std::numeric_limits<double>::infinity(), true;
  if (text == "-Inf") return out = -std::numeric_limits<double>::infinity(), true;
  if (text == "NaN") return out = std::numeric_limits<double>::quiet_NaN(), true;
  if (text.empty()) return false;
  for (const char c : text) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' ||
          c == '-' || c == '+'))
      return false;
  }
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

// Throws std::runtime_error naming the line on the first violation.
std::vector<Sample> check_exposition(const std::string& text) {
  if (!text.empty() && text.back() != '\n') throw std::runtime_error("last line not terminated");
  std::vector<Sample> samples;
  std::map<std::string, std::string> types;
  std::set<std::string> helps, finished_families;
  std::string current_family;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  const auto fail = [&](const std::string& why) {
    throw std::runtime_error("line " + std::to_string(number) + " \"" + line + "\": " + why);
  };
  const auto family_of = [&](const std::string& name) {
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string s = suffix;
      if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
        const std::string base = name.substr(0, name.size() - s.size());
        if (types.count(base) && types[base] == "histogram") return base;
      }
    }
    return name;
  };
  const auto enter_family = [&](const std::string& family) {
    if (family == current_family) return;
    if (finished_families.count(family)) fail("family " + family + " is not contiguous");
    if (!current_family.empty()) finished_families.insert(current_family);
    current_family = family;
  };
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::istringstream words(line);
      std::string hash, keyword, name;
      words >> hash >> keyword >> name;
      if (hash != "#") fail("comment must start with \"# \"");
      if (keyword != "HELP" && keyword != "TYPE") continue;
      if (!is_metric_name(name)) fail("bad metric name");
      enter_family(name);
      if (keyword == "TYPE") {
        std::string type, rest;
        words >> type;
        if (std::getline(words, rest) && !rest.empty()) fail("junk after the type");
        static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary",
                                                     "untyped"};
        if (!kTypes.count(type)) fail("unknown type");
        if (types.count(name)) fail("second TYPE line");
        for (const Sample& s : samples)
          if (s.name == name) fail("TYPE after samples");
        types[name] = type;
      } else {
        if (!helps.insert(name).second) fail("second HELP line");
        const std::size_t start = 7 + name.size();
        const std::string help = line.size() > start ? line.substr(start + 1) : "";
        for (std::size_t i = 0; i < help.size(); ++i) {
          if (help[i] == '\\' &&
              (i + 1 == help.size() || (help[i + 1] != '\\' && help[i + 1] != 'n')))
            fail("bad escape in HELP");
          if (help[i] == '\\') ++i;
        }
      }
      continue;
    }
    Sample sample;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    sample.name = line.substr(0, i);
    if (!is_metric_name(sample.name)) fail("bad metric name");
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        std::size_t eq = line.find('=', i);
        if (eq == std::string::npos) fail("label without '='");
        const std::string label = line.substr(i, eq - i);
        if (!is_metric_name(label) || label.find(':') != std::string::npos) fail("bad label name");
        if (eq + 1 >= line.size() || line[eq + 1] != '"') fail("label value not quoted");
        std::string value;
        std::size_t j = eq + 2;
        for (; j < line.size() && line[j] != '"'; ++j) {
          if (line[j] == '\\') {
            ++j;
            if (j >= line.size()) fail("dangling escape");
            if (line[j] == 'n') {
              value += '\n';
            } else if (line[j] == '\\' || line[j] == '"') {
              value += line[j];
            } else {
              fail("bad escape in label value");
            }
          } else {
            value += line[j];
          }
        }
        if (j >= line.size()) fail("unterminated label value");
        if (!sample.labels.emplace(label, value).second) fail("label repeated");
        i = j + 1;
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size()) fail("unterminated label set");
      ++i;
    }
    if (i >= line.size() || line[i] != ' ') fail("missing space before the value");
    std::istringstream rest(line.substr(i + 1));
    std::string value_text, timestamp, junk;
    rest >> value_text >> timestamp >> junk;
    if (!parse_value(value_text, sample.value)) fail("bad value \"" + value_text + "\"");
    if (!junk.empty()) fail("junk after the timestamp");
    enter_family(family_of(sample.name));
    samples.push_back(std::move(sample));
  }
  // Histograms: cumulative buckets ending in +Inf that equals _count, and a _sum.
  for (const auto& [family, type] : types) {
    if (type != "histogram") continue;
    std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> buckets;
    std::map<std::map<std::string, std::string>, double> counts;
    std::set<std::map<std::string, std::string>> sums;
    for (const Sample& s : samples) {
      if (s.name == family + "_bucket") {
        auto labels = s.labels;
        if (!labels.count("le")) throw std::runtime_error(family + ": bucket without le");
        double le = 0;
        if (!parse_value(labels["le"], le)) throw std::runtime_error(family + ": bad le");
        labels.erase("le");
        buckets[labels].emplace_back(le, s.value);
      } else if (s.name == family + "_count") {
        counts[s.labels] = s.value;
      } else if (s.name == family + "_sum") {
        sums.insert(s.labels);
      } else if (s.name == family) {
        throw std::runtime_error(family + ": a histogram has only _bucket, _sum, _count");
      }
    }
    for (const auto& [labels, series] : buckets) {
      for (std::size_t k = 1; k < series.size(); ++k) {
        if (!(series[k - 1].first < series[k].first))
          throw std::runtime_error(family + ": le not increasing");
        if (series[k - 1].second > series[k].second)
          throw std::runtime_error(family + ": buckets not cumulative");
      }
      if (!std::isinf(series.back().first)) throw std::runtime_error(family + ": no +Inf bucket");
      if (!counts.count(labels) || counts[labels] != series.back().second)
        throw std::runtime_error(family + ": _count differs from the +Inf bucket");
      if (!sums.count(labels)) throw std::runtime_error(family + ": no _sum");
    }
  }
  return samples;
}

// --- The registry ---

TEST(Counter, CountsAndIsSharedByNameAndLabels) {
  Registry registry;
  Counter& a = registry.counter("requests_total", "Requests", {{"layer", "memory"}});
  a.inc();
  a.inc(4);
  EXPECT_EQ(a.value(), 5U);
  EXPECT_EQ(&registry.counter("requests_total", "Requests", {{"layer", "memory"}}), &a);
  EXPECT_NE(&registry.counter("requests_total", "Requests", {{"layer", "valkey"}}), &a);
}

TEST(Counter, LabelOrderDoesNotMakeANewSeries) {
  Registry registry;
  Counter& a = registry.counter("ops_total", "Ops", {{"a", "1"}, {"b", "2"}});
  EXPECT_EQ(&registry.counter("ops_total", "Ops", {{"b", "2"}, {"a", "1"}}), &a);
}

TEST(Gauge, SetsAndAdds) {
  Registry registry;
  Gauge& gauge = registry.gauge("items_count", "Items");
  gauge.set(10);
  gauge.add(-2.5);
  EXPECT_DOUBLE_EQ(gauge.value(), 7.5);
}

TEST(Registry, RejectsMisuse) {
  Registry registry;
  registry.counter("x_total", "X");
  EXPECT_THROW(registry.gauge("x_total", "X"), std::invalid_argument);
  EXPECT_THROW(registry.counter("x_total", "other help"), std::invalid_argument);
  EXPECT_THROW(registry.counter("1bad", "bad"), std::invalid_argument);
  EXPECT_THROW(registry.counter("bad-name", "bad"), std::invalid_argument);
  EXPECT_THROW(registry.counter("y_total", "Y", {{"bad-label", "v"}}), std::invalid_argument);
  EXPECT_THROW(registry.counter("y_total", "Y", {{"__reserved", "v"}}), std::invalid_argument);
  EXPECT_THROW(registry.counter("y_total", "Y", {{"a", "1"}, {"a", "2"}}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h", "H", {1.0, 1.0}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h2", "H", {2.0, 1.0}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h3", "H", {1.0}, {{"le", "1"}}), std::invalid_argument);
  registry.histogram("h4", "H", {1.0, 2.0});
  EXPECT_THROW(registry.histogram("h4", "H", {1.0, 3.0}), std::invalid_argument);
}

TEST(Histogram, BucketsAreCumulativeWithLeSemantics) {
  Histogram histogram({0.1, 1.0, 10.0});
  for (const double v : {0.05, 0.1, 0.5, 1.0, 5.0, 50.0}) histogram.observe(v);
  const Histogram::Snapshot snapshot = histogram.snapshot();
  EXPECT_EQ(snapshot.cumulative_counts, (std::vector<std::uint64_t>{2, 4, 5, 6}));
  EXPECT_EQ(snapshot.count, 6U);
  EXPECT_DOUBLE_EQ(snapshot.sum, 56.65);
}

TEST(FormatValue, WritesWhatPrometheusParses) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(42), "42");
  EXPECT_EQ(format_value(-3), "-3");
  EXPECT_EQ(format_value(2.5), "2.5");
  EXPECT_EQ(format_value(0.0001), "0.0001");
  EXPECT_EQ(format_value(0.00005), "5e-05");
  EXPECT_EQ(format_value(1e21), "1e+21");
  EXPECT_EQ(format_value(1e6), "1000000");
  EXPECT_EQ(format_value(123.25), "123.25");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
  for (const double v : {0.1, 1.0 / 3.0, 123456.789, 6.02e23, -1e-300}) {
    EXPECT_EQ(std::strtod(format_value(v).c_str(), nullptr), v) << format_value(v);
  }
}

TEST(Escaping, LabelValuesAndHelp) {
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(escape_help("say \"hi\"\\\n"), "say \"hi\"\\\\\\n");
}

TEST(Render, ExactText) {
  Registry registry;
  registry.counter("provcache_requests_total", "Total cache requests").inc(3);
  registry.gauge("provcache_items_count", "Current item count").set(12);
  Histogram& latency = registry.histogram("provcache_latency_seconds", "Operation latency",
                                          {0.001, 0.5}, {{"op", "get"}});
  latency.observe(0.0005);
  latency.observe(0.25);
  latency.observe(2);
  registry.counter("provcache_hits_total", "Cache hits", {{"layer", "valkey"}}).inc(2);
  registry.counter("provcache_hits_total", "Cache hits", {{"layer", "memory"}}).inc(7);
  EXPECT_EQ(registry.render(),
            "# HELP provcache_hits_total Cache hits\n"
            "# TYPE provcache_hits_total counter\n"
            "provcache_hits_total{layer=\"memory\"} 7\n"
            "provcache_hits_total{layer=\"valkey\"} 2\n"
            "# HELP provcache_items_count Current item count\n"
            "# TYPE provcache_items_count gauge\n"
            "provcache_items_count 12\n"
            "# HELP provcache_latency_seconds Operation latency\n"
            "# TYPE provcache_latency_seconds histogram\n"
            "provcache_latency_seconds_bucket{op=\"get\",le=\"0.001\"} 1\n"
            "provcache_latency_seconds_bucket{op=\"get\",le=\"0.5\"} 2\n"
            "provcache_latency_seconds_bucket{op=\"get\",le=\"+Inf\"} 3\n"
            "provcache_latency_seconds_sum{op=\"get\"} 2.2505\n"
            "provcache_latency_seconds_count{op=\"get\"} 3\n"
            "# HELP provcache_requests_total Total cache requests\n"
            "# TYPE provcache_requests_total counter\n"
            "provcache_requests_total 3\n");
}

TEST(Render, EmptyRegistryRendersNothing) {
  Registry registry;
  EXPECT_EQ(registry.render(), "");
}

TEST(Render, PassesTheExpositionChecker) {
  Registry registry;
  registry
      .counter("zastava_admission_total", "Admission reviews\nby verdict \\ reason",
               {{"verdict", "deny"}, {"reason", "quote \" backslash \\ newline \n end"}})
      .inc();
  registry.gauge("temperature_celsius", "A gauge", {{"room", "ü-ñ"}})
      .set(-std::numeric_limits<double>::infinity());
  registry.gauge("ratio", "NaN gauge").set(std::numeric_limits<double>::quiet_NaN());
  Histogram& h = registry.histogram("provcache_latency_seconds", "Latency", kLatencyBuckets,
                                    {{"op", "get"}, {"layer", "embedded"}});
  for (int i = 0; i < 1000; ++i) h.observe(0.00001 * i);
  registry.histogram("provcache_latency_seconds", "Latency", kLatencyBuckets, {{"op", "put"}});
  const std::string text = registry.render();
  std::vector<Sample> samples;
  ASSERT_NO_THROW(samples = check_exposition(text)) << text;
  bool found = false;
  for (const Sample& s : samples) {
    if (s.name == "zastava_admission_total") {
      found = true;
      EXPECT_EQ(s.labels.at("reason"), "quote \" backslash \\ newline \n end");
      EXPECT_EQ(s.value, 1);
    }
  }
  EXPECT_TRUE(found);
}

TEST(Checker, RejectsBrokenText) {
  // The checker must be able to fail, or the test above proves nothing.
  EXPECT_THROW(check_exposition("a{b=\"c} 1\n"), std::runtime_error);
  EXPECT_THROW(check_exposition("a 1x\n"), std::runtime_error);
  EXPECT_THROW(check_exposition("a{b=\"\\t\"} 1\n"), std::runtime_error);
  EXPECT_THROW(check_exposition("# TYPE a counter\n# TYPE a counter\n"), std::runtime_error);
  EXPECT_THROW(check_exposition("a 1\nb 1\na 2\n"), std::runtime_error);
  EXPECT_THROW(
      check_exposition("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n"
                       "h_sum 1\nh_count 1\n"),
      std::runtime_error);
  EXPECT_THROW(check_exposition("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n"),
               std::runtime_error);
  EXPECT_NO_THROW(check_exposition("# TYPE a counter\na{b=\"x\"} 1 1700000000000\n"));
}

TEST(Registry, UpdatesFromManyThreadsAreNotLost) {
  Registry registry;
  Counter& counter = registry.counter("c_total", "C");
  Gauge& gauge = registry.gauge("g", "G");
  Histogram& histogram = registry.histogram("h_seconds", "H", {0.5});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        counter.inc();
        gauge.add(1);
        histogram.observe(t % 2 == 0 ? 0.25 : 1.0);
        if (i % 1000 == 0) {
          registry.counter("c_total", "C", {{"thread", std::to_string(t)}}).inc();
          static_cast<void>(registry.render());
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counter.value(), 40000U);
  EXPECT_DOUBLE_EQ(gauge.value(), 40000);
  const Histogram::Snapshot snapshot = histogram.snapshot();
  EXPECT_EQ(snapshot.count, 40000U);
  EXPECT_EQ(snapshot.cumulative_counts[0], 20000U);
  EXPECT_DOUBLE_EQ(snapshot.sum, 20000 * 0.25 + 20000 * 1.0);
  EXPECT_NO_THROW(check_exposition(registry.render()));
}

}  // namespace
}  // namespace zastava::metrics
