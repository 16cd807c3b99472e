#pragma once
// A provcache entry: what every store layer keeps under a VeriKey. The
// DecisionDigest (seed 000) plus what the stores need beside it: the verdict
// document itself (so a hit can say allow or deny, and verdictHash proves it),
// the VeriKey components that invalidation selects on, and bookkeeping.
//
// Wire form (Valkey values, the embedded store's log, bundles, the HTTP API):
// canonical JSON (RFC 8785)
//   {"decision":{...DecisionDigest v1...},"feedEpoch":"2026-11-01",
//    "hitCount":0,"policyHash":"sha256:..","signerSetHash":"sha256:..",
//    "sourceHash":"sha256:..","updatedAt":"2026-11-22T10:00:00Z",
//    "verdict":{...the verdict document, see decision_digest.hpp...}}
// parse_entry is strict (no unknown fields, every field typed) and checks
// that SHA-256 of the canonical verdict equals decision.verdictHash.
//
// EvidenceManifest is the list of an evidence blob's chunks under its
// proofRoot (GET /v1/proofs/{proofRoot}):
//   {"chunkCount":N,"chunks":[{"hash":..,"index":0,"size":..},..],
//    "contentType":"..","proofRoot":"sha256:..","totalSize":..}

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "provcache/decision_digest.hpp"
#include "provcache/evidence_chunks.hpp"

namespace zastava::provcache {

struct ProvcacheEntry {
  DecisionDigest decision;
  std::string verdict_json;     // canonical verdict document; sha256 == decision.verdict_hash
  std::string source_hash;      // the image digest (VeriKey component)
  std::string policy_hash;      // merge_policy_hash (VeriKey component)
  std::string signer_set_hash;  // (VeriKey component)
  std::string feed_epoch;       // opaque; ordered by compare_feed_epochs (invalidation.hpp)
  std::int64_t updated_at_seconds = 0;
  std::uint64_t hit_count = 0;

  [[nodiscard]] const std::string& veri_key() const noexcept { return decision.veri_key; }
  [[nodiscard]] std::int64_t expires_at() const noexcept { return decision.expires_at_seconds; }
  // "allow" or "deny", read from verdict_json (empty when it has no verdict).
  [[nodiscard]] std::string verdict() const;

  friend bool operator==(const ProvcacheEntry&, const ProvcacheEntry&) = default;
};

// Validates (digest, content ids, verdict hash) and writes canonical JSON.
Result<std::string> entry_to_json(const ProvcacheEntry& entry);
// kParse naming the field; kVerification when the verdict does not hash to verdictHash.
Result<ProvcacheEntry> parse_entry(std::string_view json_text);

struct EvidenceManifest {
  std::string proof_root;
  std::string content_type;
  std::uint64_t total_size = 0;
  std::vector<ChunkMetadata> chunks;  // index order; chunk count = chunks.size()

  friend bool operator==(const EvidenceManifest&, const EvidenceManifest&) = default;
};

EvidenceManifest manifest_of(const ChunkedEvidence& evidence);
Result<std::string> manifest_to_json(const EvidenceManifest& manifest);
Result<EvidenceManifest> parse_manifest(std::string_view json_text);

}  // namespace zastava::provcache
