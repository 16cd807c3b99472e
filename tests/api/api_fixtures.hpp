#pragma once
// Valid provcache entries and evidence for the API tests.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "digest/content_id.hpp"
#include "json/canonical_json.hpp"
#include "provcache/decision_digest.hpp"
#include "provcache/entry.hpp"
#include "provcache/evidence_chunks.hpp"

namespace zastava::api::testing {

inline std::string content_id(std::string_view text) {
  return digest::ContentId::sha256_of(as_bytes(text)).to_string();
}

// An allow decision for image `name` under `policy`, valid for an hour from now - 10 s.
inline provcache::ProvcacheEntry make_entry(std::string_view name, std::int64_t now,
                                            std::string_view policy = "policy-a") {
  provcache::GateResult gate;
  gate.verdict = provcache::Verdict::kAllow;
  gate.rule_ids = {"stella.gate/critical-affected/v1"};
  gate.feed_ids = {"osv"};
  provcache::ProvcacheEntry entry;
  entry.decision = provcache::build_decision_digest(content_id(name), gate, content_id("proof"), 85,
                                                    now - 10, 3600)
                       .value();
  entry.verdict_json = json::canonicalize(provcache::verdict_document(gate)).value();
  entry.source_hash = content_id(std::string(name) + "-image");
  entry.policy_hash = content_id(policy);
  entry.signer_set_hash = content_id("signers");
  entry.feed_epoch = "2026-11-01";
  entry.updated_at_seconds = now - 10;
  return entry;
}

// 40 bytes in 16-byte chunks: three chunks.
inline provcache::ChunkedEvidence make_evidence() {
  const std::string text = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":1}";
  return provcache::ChunkedEvidence::split(as_bytes(text), "application/vnd.cyclonedx+json",
                                           provcache::ChunkingPolicy{16, 1000})
      .value();
}

}  // namespace zastava::api::testing
