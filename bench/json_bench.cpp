// RFC 8785 canonicalization of SBOM-like documents (~10 KB and ~1 MB):
// serialize-only (canonicalize on a parsed tree), parse+serialize
// (canonicalize_text), and nlohmann's own parse and dump as a baseline.
// Bytes/s are of the canonical output (for dump: of the dumped text).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "json/canonical_json.hpp"

namespace {

using nlohmann::json;

// A deterministic CycloneDX-flavoured SBOM: components with names, versions,
// purls, hashes, licenses and properties, plus a dependency graph and a few
// numbers of every kind, grown until it dumps to at least `target_bytes`.
class SbomGenerator {
 public:
  json generate(std::size_t target_bytes) {
    json components = json::array();
    json dependencies = json::array();
    json sbom = header();
    std::size_t approximate_size = sbom.dump().size();
    while (approximate_size < target_bytes) {
      json component = make_component(components.size());
      approximate_size += component.dump().size() + 60;
      dependencies.push_back(make_dependency(components.size(), component["bom-ref"]));
      components.push_back(std::move(component));
    }
    sbom["components"] = std::move(components);
    sbom["dependencies"] = std::move(dependencies);
    return sbom;
  }

 private:
  std::uint64_t next(std::uint64_t below) { return random_() % below; }

  std::string hex(std::size_t digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text;
    for (std::size_t i = 0; i < digits; ++i) text += kHex[next(16)];
    return text;
  }

  std::string word() {
    static const char* const kParts[] = {"core", "util",  "http", "json", "crypto", "log",
                                         "yaml", "proto", "grpc", "cli",  "test",   "async"};
    return std::string(kParts[next(12)]) + "-" + kParts[next(12)];
  }

  std::string version() {
    return std::to_string(next(5)) + "." + std::to_string(next(30)) + "." +
           std::to_string(next(100));
  }

  json header() {
    return {{"bomFormat", "CycloneDX"},
            {"specVersion", "1.5"},
            {"serialNumber", "urn:uuid:" + hex(8) + "-" + hex(4) + "-" + hex(4) + "-" + hex(12)},
            {"version", 1},
            {"metadata",
             {{"timestamp", "2024-05-01T12:00:00Z"},
              {"tools", {{{"vendor", "zastava"}, {"name", "stella"}, {"version", "0.1.0"}}}},
              {"component", {{"type", "container"}, {"name", "registry.example/app"}}}}}};
  }

  json make_component(std::size_t index) {
    static const char* const kLicenses[] = {"MIT", "Apache-2.0", "BSD-3-Clause", "ISC",
                                            "GPL-2.0-only"};
    static const char* const kEcosystems[] = {"npm", "pypi", "maven", "golang", "deb"};
    const std::string name = word() + std::to_string(index);
    const std::string ver = version();
    const std::string ecosystem = kEcosystems[next(5)];
    return {
        {"type", "library"},
        {"bom-ref", "ref-" + std::to_string(index)},
        {"name", name},
        {"version", ver},
        {"purl", "pkg:" + ecosystem + "/" + name + "@" + ver},
        {"description", "Provides " + word() + " support \u2014 caf\u00e9 \"edition\"\n"},
        {"hashes",
         {{{"alg", "SHA-256"}, {"content", hex(64)}}, {{"alg", "SHA-512"}, {"content", hex(128)}}}},
        {"licenses", {{{"license", {{"id", kLicenses[next(5)]}}}}}},
        {"properties",
         {{{"name", "zastava:layer"}, {"value", "sha256:" + hex(64)}},
          {{"name", "zastava:path"}, {"value", "/usr/lib/" + name}},
          {{"name", "zastava:scan"},
           {"value",
            {{"size", next(10'000'000)},
             {"score", static_cast<double>(next(100)) / 10.0},
             {"ratio", static_cast<double>(next(1'000'000)) / 7.0},
             {"epoch", 1'700'000'000 + static_cast<std::int64_t>(next(10'000'000))},
             {"tiny", 1e-9 * static_cast<double>(1 + next(1000))}}}}}},
        {"scope", next(4) == 0 ? "optional" : "required"},
    };
  }

  json make_dependency(std::size_t index, const json& ref) {
    json depends_on = json::array();
    for (std::uint64_t i = 0; i < next(4) && index > 0; ++i) {
      depends_on.push_back("ref-" + std::to_string(next(index)));
    }
    return {{"ref", ref}, {"dependsOn", std::move(depends_on)}};
  }

  std::mt19937_64 random_{8785};  // fixed seed: the same document every run
};

const json& sbom_of_size(std::size_t target_bytes) {
  static const json small = SbomGenerator().generate(10 * 1024);
  static const json large = SbomGenerator().generate(1024 * 1024);
  return target_bytes <= 10 * 1024 ? small : large;
}

void report_bytes(benchmark::State& state, std::size_t bytes_per_iteration) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(bytes_per_iteration));
  state.counters["doc_bytes"] = static_cast<double>(bytes_per_iteration);
}

void BM_Canonicalize(benchmark::State& state) {
  const json& document = sbom_of_size(static_cast<std::size_t>(state.range(0)));
  std::size_t size = 0;
  for (auto _ : state) {
    auto canonical = zastava::json::canonicalize(document);
    size = canonical->size();
    benchmark::DoNotOptimize(canonical);
  }
  report_bytes(state, size);
}

void BM_CanonicalizeText(benchmark::State& state) {
  const std::string text = sbom_of_size(static_cast<std::size_t>(state.range(0))).dump(2);
  std::size_t size = 0;
  for (auto _ : state) {
    auto canonical = zastava::json::canonicalize_text(text);
    size = canonical->size();
    benchmark::DoNotOptimize(canonical);
  }
  report_bytes(state, size);
}

void BM_ParseStrict(benchmark::State& state) {
  const std::string text = sbom_of_size(static_cast<std::size_t>(state.range(0))).dump(2);
  for (auto _ : state) {
    auto parsed = zastava::json::parse_strict(text);
    benchmark::DoNotOptimize(parsed);
  }
  report_bytes(state, text.size());
}

// Baselines: nlohmann's own (non-canonical) dump and DOM parse.
void BM_NlohmannDump(benchmark::State& state) {
  const json& document = sbom_of_size(static_cast<std::size_t>(state.range(0)));
  std::size_t size = 0;
  for (auto _ : state) {
    std::string text = document.dump();
    size = text.size();
    benchmark::DoNotOptimize(text);
  }
  report_bytes(state, size);
}

void BM_NlohmannParse(benchmark::State& state) {
  const std::string text = sbom_of_size(static_cast<std::size_t>(state.range(0))).dump(2);
  for (auto _ : state) {
    json parsed = json::parse(text);
    benchmark::DoNotOptimize(parsed);
  }
  report_bytes(state, text.size());
}

constexpr std::int64_t k10KB = 10 * 1024;
constexpr std::int64_t k1MB = 1024 * 1024;

BENCHMARK(BM_Canonicalize)->Arg(k10KB)->Arg(k1MB);
BENCHMARK(BM_CanonicalizeText)->Arg(k10KB)->Arg(k1MB);
BENCHMARK(BM_ParseStrict)->Arg(k10KB)->Arg(k1MB);
BENCHMARK(BM_NlohmannDump)->Arg(k10KB)->Arg(k1MB);
BENCHMARK(BM_NlohmannParse)->Arg(k10KB)->Arg(k1MB);

}  // namespace
