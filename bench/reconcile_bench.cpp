// The operator's compile step: 1,000 FacetPolicies assembled into one
// compiled policy (reconcile::assemble_policy), as the operator does after
// every burst of policy changes. "Rich" policies each carry two trusted keys
// (the same two release keys across the cluster, as is typical), a namespace
// selector and two quota overrides.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reconcile/policy_assembly.hpp"

namespace {

using Json = nlohmann::json;
using namespace zastava;

constexpr const char* kKeyA =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEVViaj8Sq50cu1/PkgwgEeJrzwK+9\n"
    "oPkwcAn05P7Jf3TtyWtezjbrC5dIvD0fvq7mffo00iWvyMrj1UKDbcTt+w==\n"
    "-----END PUBLIC KEY-----\n";
constexpr const char* kKeyB =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAECCelp444VIa8pPt2ak1GUDuevbdL\n"
    "i2Liy9eNdBJY2YJ/Vm2d7nUyuYLB0KI/Czo8Fid0AmQW0SlzdYwflqM0Lg==\n"
    "-----END PUBLIC KEY-----\n";

Json facet_policy(int i, bool rich) {
  const std::string team = std::to_string(i);
  Json spec = {{"images", {"registry.example.com/team-" + team + "/**"}}};
  if (rich) {
    spec["namespaceSelector"] = {{"matchLabels", {{"team", "t" + team}}}};
    spec["quotas"] = {{"binary", {{"maxChurnPercent", 2}, {"onExceed", "RequireVex"}}},
                      {"os", {{"onExceed", "Block"}}}};
    spec["trustedKeys"] = {{{"pem", kKeyA}}, {{"pem", kKeyB}}};
    spec["signatureThreshold"] = 2;
  }
  return {{"apiVersion", "zastava.stellaops.io/v1alpha1"},
          {"kind", "FacetPolicy"},
          {"metadata", {{"namespace", "ns-" + team}, {"name", "p"}, {"generation", 1}}},
          {"spec", spec}};
}

void BM_AssembleThousandFacetPolicies(benchmark::State& state) {
  const bool rich = state.range(0) != 0;
  std::vector<Json> policies;
  for (int i = 0; i < 1000; ++i) policies.push_back(facet_policy(i, rich));
  const reconcile::OperatorSettings settings;
  for (auto _ : state) {
    // The copy of the inputs is part of each run, as in the operator (which
    // copies identity and spec out of its informer cache).
    auto assembled = reconcile::assemble_policy(policies, {}, settings, {});
    if (!assembled) state.SkipWithError(assembled.error().message.c_str());
    benchmark::DoNotOptimize(assembled);
  }
  state.SetLabel(rich ? "rich (2 keys, selector, 2 quotas)" : "minimal (images only)");
}
BENCHMARK(BM_AssembleThousandFacetPolicies)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// A FacetPolicy as the API server sends it once the operator has written
// its status: what one informer cache entry holds.
Json cached_facet_policy() {
  Json object = facet_policy(7, true);
  object["metadata"]["uid"] = "6f1c1d7e-3a0b-4f8e-9d55-0c2f8a1b2c3d";
  object["metadata"]["resourceVersion"] = "123456";
  object["metadata"]["creationTimestamp"] = "2026-11-22T10:00:00Z";
  Json conditions = Json::array();
  for (const char* type : {"Ready", "Progressing", "Degraded"}) {
    conditions.push_back({{"type", type},
                          {"status", std::string(type) == "Ready" ? "True" : "False"},
                          {"reason", "Compiled"},
                          {"message",
                           "compiled into scope ns-team-7/p (5 facets; covers namespace "
                           "ns-team-7 only)"},
                          {"lastTransitionTime", "2026-11-22T10:00:01Z"},
                          {"observedGeneration", 1}});
  }
  object["status"] = {{"observedGeneration", 1}, {"facets", 5}, {"conditions", conditions}};
  return object;
}

// The informer keeps each object as CBOR; get(), list() and for_each()
// decode it. Counters: the encoded size against compact JSON text.
void BM_InformerCacheEncode(benchmark::State& state) {
  const Json object = cached_facet_policy();
  std::size_t size = 0;
  for (auto _ : state) {
    auto cbor = Json::to_cbor(object);
    size = cbor.size();
    benchmark::DoNotOptimize(cbor);
  }
  state.counters["cbor_bytes"] = static_cast<double>(size);
  state.counters["json_bytes"] = static_cast<double>(object.dump().size());
}
BENCHMARK(BM_InformerCacheEncode)->Unit(benchmark::kMicrosecond);

void BM_InformerCacheDecode(benchmark::State& state) {
  const std::vector<std::uint8_t> cbor = Json::to_cbor(cached_facet_policy());
  for (auto _ : state) {
    auto object = Json::from_cbor(cbor);
    benchmark::DoNotOptimize(object);
  }
}
BENCHMARK(BM_InformerCacheDecode)->Unit(benchmark::kMicrosecond);

}  // namespace
