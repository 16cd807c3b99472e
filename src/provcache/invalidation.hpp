#pragma once
// Invalidation (seed 000): which entries a request removes, and the audit
// record it leaves in prov_revocations.
//
//   by = signer_set_hash  entries whose signerSetHash equals value
//   by = policy_hash      entries whose policyHash equals value
//   by = feed_epoch       entries whose feedEpoch is OLDER than value
//                         (compare_feed_epochs(entry, value) < 0)
//   by = expired          entries with expiresAt <= now (the TTL sweep);
//                         value is ignored and may be empty
//
// Feed epochs are opaque strings ordered by (length, then bytes): integers
// ("41" < "112") and same-format timestamps ("2026-11-01" < "2026-11-22")
// both order naturally. An entry with an empty epoch is older than any epoch.
//
// JSON (POST /v1/provcache/invalidate, the pub/sub message):
//   {"by":"signer_set_hash","value":"sha256:..","reason":"key-compromise",
//    "actor":"system:serviceaccount:zastava:operator"}
// reason and actor are optional (empty); by is one of the four names.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "provcache/entry.hpp"

namespace zastava::provcache {

enum class InvalidationKind { kSignerSetHash, kPolicyHash, kFeedEpoch, kExpired };

std::string_view to_string(InvalidationKind kind) noexcept;  // "signer_set_hash", ...
std::optional<InvalidationKind> parse_invalidation_kind(std::string_view text) noexcept;

struct InvalidationRequest {
  InvalidationKind by = InvalidationKind::kSignerSetHash;
  std::string value;
  std::string reason;
  std::string actor;

  friend bool operator==(const InvalidationRequest&, const InvalidationRequest&) = default;
};

// kInvalidArgument: an empty value for a kind that needs one, a hash value
// that is not a content id, text that is not valid UTF-8, or strings over 1 KiB.
Status validate(const InvalidationRequest& request);
Result<std::string> invalidation_to_json(const InvalidationRequest& request);
// Strict: unknown fields, wrong types or a bad `by` are kParse naming the field.
Result<InvalidationRequest> parse_invalidation(std::string_view json_text);

// <0, 0, >0 as `a` is older than, the same as, or newer than `b`.
int compare_feed_epochs(std::string_view a, std::string_view b) noexcept;

// Whether `request` removes `entry` at time `now_seconds`.
bool matches(const InvalidationRequest& request, const ProvcacheEntry& entry,
             std::int64_t now_seconds) noexcept;

// What a layer removed.
struct InvalidationResult {
  std::vector<std::string> veri_keys;  // sorted, unique
  [[nodiscard]] std::uint64_t entries_affected() const noexcept { return veri_keys.size(); }
};

// Merges `other` into `into`, keeping the keys sorted and unique.
void merge(InvalidationResult& into, const InvalidationResult& other);

// A row of prov_revocations.
struct RevocationRecord {
  std::string revocation_id;    // UUID v4 text
  std::string revocation_type;  // to_string(kind)
  std::string target_hash;      // the request's value
  std::string reason;
  std::string actor;
  std::uint64_t entries_affected = 0;
  std::int64_t created_at_seconds = 0;

  friend bool operator==(const RevocationRecord&, const RevocationRecord&) = default;
};

// A record for `request` with a fresh random UUID v4 (OpenSSL RAND_bytes).
RevocationRecord make_revocation_record(const InvalidationRequest& request,
                                        std::uint64_t entries_affected,
                                        std::int64_t created_at_seconds);
Result<std::string> revocation_to_json(const RevocationRecord& record);
Result<RevocationRecord> parse_revocation(std::string_view json_text);

}  // namespace zastava::provcache
