// Provcache core costs: computing a VeriKey, building and parsing a
// DecisionDigest, chunking evidence (64 KiB chunks, Merkle root and
// metadata) at 1 MiB and 16 MiB, and verifying one chunk with its proof.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "provcache/decision_digest.hpp"
#include "provcache/evidence_chunks.hpp"
#include "provcache/verikey.hpp"

namespace {

using namespace zastava::provcache;

std::string id_of(char fill) {
  return "sha256:" + std::string(64, fill);
}

void BM_ProvcacheVeriKey(benchmark::State& state) {
  VeriKeyInputs inputs{id_of('1'), id_of('2'), id_of('3'), id_of('4'),
                       id_of('5'), 1766577600, 3600};
  for (auto _ : state) benchmark::DoNotOptimize(compute_verikey(inputs));
}
BENCHMARK(BM_ProvcacheVeriKey);

GateResult gate_result() {
  GateResult result;
  result.verdict = Verdict::kDeny;
  for (int i = 0; i < 20; ++i) {
    result.findings.push_back({"CVE-2025-" + std::to_string(1000 + i),
                               "pkg:npm/x@" + std::to_string(i), i == 0 ? "CRITICAL" : "HIGH",
                               "affected", false, ""});
  }
  result.critical_affected = 1;
  result.reasons = {"CVE-2025-1000 is CRITICAL and affected"};
  result.rule_ids = {"stella.gate/critical-affected/v1"};
  result.feed_ids = {"grype", "trivy"};
  return result;
}

// verdict hash over 20 findings, then the digest and its canonical JSON.
void BM_ProvcacheBuildDecisionDigest(benchmark::State& state) {
  const GateResult result = gate_result();
  for (auto _ : state) {
    auto digest = build_decision_digest(id_of('1'), result, id_of('3'), 85, 1766577600);
    benchmark::DoNotOptimize(to_canonical_json(digest.value()));
  }
}
BENCHMARK(BM_ProvcacheBuildDecisionDigest);

void BM_ProvcacheParseDecisionDigest(benchmark::State& state) {
  const std::string text =
      to_canonical_json(
          build_decision_digest(id_of('1'), gate_result(), id_of('3'), 85, 1766577600).value())
          .value();
  for (auto _ : state) benchmark::DoNotOptimize(parse_decision_digest(text));
}
BENCHMARK(BM_ProvcacheParseDecisionDigest);

void BM_ProvcacheChunkEvidence(benchmark::State& state) {
  const zastava::Bytes evidence(static_cast<std::size_t>(state.range(0)), 0x5a);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ChunkedEvidence::split(evidence, "application/vnd.cyclonedx+json"));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_ProvcacheChunkEvidence)->Arg(1 << 20)->Arg(16 << 20)->Unit(benchmark::kMillisecond);

void BM_ProvcacheVerifyChunk(benchmark::State& state) {
  const zastava::Bytes evidence(16 << 20, 0x5a);  // 256 chunks
  const ChunkedEvidence chunks =
      ChunkedEvidence::split(evidence, "application/octet-stream").value();
  const ChunkProof proof = chunks.proof(100).value();
  for (auto _ : state) {
    benchmark::DoNotOptimize(verify_chunk(chunks.chunks()[100], proof, chunks.proof_root()));
  }
}
BENCHMARK(BM_ProvcacheVerifyChunk)->Unit(benchmark::kMicrosecond);

}  // namespace
