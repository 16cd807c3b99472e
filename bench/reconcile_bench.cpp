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
    auto assembled = reconcile::assemble_policy(policies, {}, settings, {});
    if (!assembled) state.SkipWithError(assembled.error().message.c_str());
    benchmark::DoNotOptimize(assembled);
  }
  state.SetLabel(rich ? "rich (2 keys, selector, 2 quotas)" : "minimal (images only)");
}
BENCHMARK(BM_AssembleThousandFacetPolicies)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
