#pragma once
// DecisionDigest v1 (seed 000): the canonical record of one evaluation, what
// provcache stores under a VeriKey.
//
//   {"createdAt":"2025-12-24T12:00:00Z","digestVersion":"v1",
//    "expiresAt":"2025-12-25T12:00:00Z","proofRoot":"sha256:...",
//    "replaySeed":{"feedIds":[...],"ruleIds":[...]},"trustScore":85,
//    "veriKey":"sha256:...","verdictHash":"sha256:..."}
//
// Serialized with RFC 8785 (json::canonicalize). Times are RFC 3339 UTC in
// whole seconds with an upper-case "Z". feedIds and ruleIds are sorted by
// their bytes and de-duplicated. parse_decision_digest is strict: every
// field present with its type, no other fields, content ids parsed, times in
// exactly the format above with expiresAt > createdAt, trustScore an integer
// 0..100, the id lists sorted and unique.
//
// verdictHash is the content id (SHA-256) of the canonical JSON of the
// verdict document built from the gate's result:
//   {"verdict":"allow"|"deny","reasons":[...],"criticalAffected":N,
//    "underInvestigation":N,"findings":[{"vulnerabilityId":..,
//    "componentPurl":..,"severity":..,"status":..,"waived":bool,
//    "waiverJustification":..}, ...]}
// reasons keep the gate's order (they read as a message); findings are
// sorted by (vulnerabilityId, componentPurl, severity, status) so the hash
// does not depend on the order the gate produced them in.

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "provcache/gate.hpp"

namespace zastava::provcache {

inline constexpr std::string_view kDecisionDigestVersion = "v1";

// The seed's defaults: defaultTtl 24h, maxTtl 168h.
struct TtlPolicy {
  std::int64_t default_ttl_seconds = 24 * 3600;
  std::int64_t max_ttl_seconds = 168 * 3600;
};

// The TTL a decision gets: the default when none is requested, a requested
// TTL above the maximum clamped to it. kInvalidArgument for a requested TTL
// <= 0 or a policy whose default is not within 1..max.
Result<std::int64_t> effective_ttl(const TtlPolicy& policy,
                                   std::optional<std::int64_t> requested_seconds);

struct ReplaySeed {
  std::vector<std::string> feed_ids;  // sorted, unique
  std::vector<std::string> rule_ids;  // sorted, unique

  friend bool operator==(const ReplaySeed&, const ReplaySeed&) = default;
};

struct DecisionDigest {
  std::string digest_version{kDecisionDigestVersion};
  std::string veri_key;      // "sha256:<hex>"
  std::string verdict_hash;  // "sha256:<hex>"
  std::string proof_root;    // "sha256:<hex>", the evidence chunks' Merkle root
  ReplaySeed replay_seed;
  int trust_score = 0;                  // 0..100
  std::int64_t created_at_seconds = 0;  // Unix seconds
  std::int64_t expires_at_seconds = 0;

  friend bool operator==(const DecisionDigest&, const DecisionDigest&) = default;
};

// RFC 3339 UTC, whole seconds: 1766577600 -> "2025-12-24T12:00:00Z".
// kInvalidArgument outside years 1970..9999.
Result<std::string> format_utc_time(std::int64_t unix_seconds);
// Strict inverse: exactly "YYYY-MM-DDTHH:MM:SSZ", a real date, no leap second.
Result<std::int64_t> parse_utc_time(std::string_view text);

nlohmann::json verdict_document(const GateResult& result);
// kInvalidArgument when a string in the result is not valid UTF-8.
Result<std::string> verdict_hash(const GateResult& result);

// A digest for `gate_result`: the replay seed from its feed and rule ids,
// expiresAt = createdAt + effective_ttl(ttl_policy, requested_ttl_seconds).
// Validates the content ids and the score (kInvalidArgument).
Result<DecisionDigest> build_decision_digest(
    std::string_view veri_key, const GateResult& gate_result, std::string_view proof_root,
    int trust_score, std::int64_t created_at_seconds,
    std::optional<std::int64_t> requested_ttl_seconds = std::nullopt,
    const TtlPolicy& ttl_policy = {});

// Checks the same rules as parse_decision_digest (kInvalidArgument).
Status validate_decision_digest(const DecisionDigest& digest);

// The canonical JSON; validates first.
Result<std::string> to_canonical_json(const DecisionDigest& digest);

// Errors: kParse for text that is not strict JSON or breaks a rule above,
// naming the field; kUnsupported for another digestVersion.
Result<DecisionDigest> parse_decision_digest(std::string_view json_text);

}  // namespace zastava::provcache
