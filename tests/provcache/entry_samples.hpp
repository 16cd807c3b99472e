#pragma once
// Valid ProvcacheEntry values for tests of the entry format and of every
// store: a real verdict document whose hash the decision carries, distinct
// VeriKeys per `seed`, and the invalidation selectors set explicitly.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "base/hex.hpp"
#include "digest/sha2.hpp"
#include "json/canonical_json.hpp"
#include "provcache/decision_digest.hpp"
#include "provcache/entry.hpp"

namespace zastava::provcache::testing {

inline constexpr std::int64_t kSampleCreatedAt = 1766577600;  // 2025-12-24T12:00:00Z

// "sha256:<hex of SHA-256(text)>": a distinct, valid content id per text.
inline std::string sample_id(const std::string& text) {
  return "sha256:" + encoding::hex_encode(digest::sha256(as_bytes(text)));
}

inline GateResult sample_gate_result(bool deny) {
  GateResult result;
  result.verdict = deny ? Verdict::kDeny : Verdict::kAllow;
  result.rule_ids = {"stella.gate/critical-affected/v1"};
  result.feed_ids = {"grype"};
  if (deny) {
    result.critical_affected = 1;
    result.reasons = {"CVE-2025-0001 is CRITICAL and affected"};
    result.findings = {
        {"CVE-2025-0001", "pkg:deb/debian/openssl@3.0.11", "CRITICAL", "affected", false, ""}};
  }
  return result;
}

struct SampleOptions {
  std::string signer_set = "signers-a";
  std::string policy = "policy-a";
  std::string feed_epoch = "2026-11-01";
  std::int64_t created_at = kSampleCreatedAt;
  std::int64_t ttl_seconds = 24 * 3600;
  bool deny = false;
};

// An entry keyed by sample_id("verikey-" + seed). Throws (a test bug) when
// the options make an invalid decision.
inline ProvcacheEntry sample_entry(int seed, const SampleOptions& options = {}) {
  const GateResult gate = sample_gate_result(options.deny);
  const std::string key = sample_id("verikey-" + std::to_string(seed));
  ProvcacheEntry entry;
  entry.decision = build_decision_digest(key, gate, sample_id("root-" + std::to_string(seed)), 85,
                                         options.created_at, options.ttl_seconds,
                                         TtlPolicy{options.ttl_seconds, options.ttl_seconds})
                       .value();
  entry.verdict_json = json::canonicalize(verdict_document(gate)).value();
  entry.source_hash = sample_id("image-" + std::to_string(seed));
  entry.policy_hash = sample_id(options.policy);
  entry.signer_set_hash = sample_id(options.signer_set);
  entry.feed_epoch = options.feed_epoch;
  entry.updated_at_seconds = options.created_at;
  return entry;
}

}  // namespace zastava::provcache::testing
