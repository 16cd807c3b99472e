#pragma once
// The compiled policy: the one document the webhook enforces and the operator
// produces from FacetPolicy / ProvcachePolicy resources (docs/policy.md
// explains it field by field; docs/policy-schema.json is its JSON Schema).
//
//   apiVersion: zastava.stellaops.io/v1alpha1
//   kind: CompiledPolicy
//   metadata: {name, version, generatedBy}
//   defaults: {mode, failurePolicy, requireDigest, requireSeal, trustedKeys,
//              signatureThreshold, facets, quotas, baseline, provcache}
//   scopes:   [{name, source, namespaces, images, <any field of defaults>}]
//
// A pod's image is governed by the FIRST scope whose namespaces and images
// both match (policy_match.hpp), else by the defaults. A scope inherits every
// setting it leaves out from `defaults`, which in turn falls back to the
// built-in values (Enforce, Fail, digests and seals required, the seed's
// facets, latestApproved baseline, provcache on with minTrustScore 60 and
// onMiss evaluate, TTL 24h / max 168h, 1h time window).
//
// Compiling validates everything up front (unknown fields, ranges, keys,
// globs, durations, selectors, duplicate names) and reports the first
// problem as "<JSON path>: <problem>", e.g.
//   "scopes[2].provcache.minTrustScore: must be a whole number in 0..100, not 150".
// A compiled policy is immutable and shared between threads
// (std::shared_ptr<const CompiledPolicy>).
//
// Each scope carries the two hashes the provcache VeriKey needs:
//   policy_hash      "sha256:" of the RFC 8785 canonical JSON of the effective
//                    scope (effective_scope.hpp documents it): every setting
//                    that decides a verdict, and nothing else (not the scope's
//                    name, source or selectors), so renaming a scope keeps the
//                    cache and any change of what is enforced changes the key.
//   signer_set_hash  provcache::signer_set_hash of the trusted keys' keyids.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "crypto/public_key.hpp"
#include "dsse/trust_set.hpp"
#include "facet/definitions.hpp"
#include "policy/image_glob.hpp"
#include "policy/label_selector.hpp"
#include "provcache/decision_digest.hpp"

namespace zastava::policy {

inline constexpr std::string_view kPolicyApiVersion = "zastava.stellaops.io/v1alpha1";
inline constexpr std::string_view kPolicyKind = "CompiledPolicy";
// The name of the scope built from `defaults`; no scope may take it.
inline constexpr std::string_view kDefaultScopeName = "defaults";

// What a violation does: Enforce denies, Warn admits with a warning, Audit
// admits silently but for the audit annotations and the log.
enum class Mode { kEnforce, kWarn, kAudit };
// What the webhook answers when it cannot decide (a store down, the deadline):
// Fail denies, Ignore admits with a warning.
enum class FailurePolicy { kFail, kIgnore };
// Which seal an image's drift is measured against.
enum class BaselineRule { kLatestApproved, kPinned };
// A provcache miss: deny, admit with a warning, or evaluate the stored
// evidence (and cache the decision).
enum class OnMiss { kDeny, kWarn, kEvaluate };

std::string_view mode_name(Mode mode) noexcept;                       // "Enforce", ...
std::string_view failure_policy_name(FailurePolicy policy) noexcept;  // "Fail", "Ignore"
std::string_view baseline_rule_name(BaselineRule rule) noexcept;      // "latestApproved", "pinned"
std::string_view on_miss_name(OnMiss on_miss) noexcept;               // "deny", "warn", "evaluate"

// The resource a scope was compiled from (the operator fills it in).
struct SourceRef {
  std::string kind;            // "FacetPolicy"
  std::string namespace_name;  // "" for a cluster-scoped resource
  std::string name;
};

// Which namespaces a scope covers: a namespace matches when it is one of
// `names` (or names is empty) AND its labels match `selector` (an absent or
// empty selector matches all). Both empty: every namespace.
struct NamespaceMatch {
  std::vector<std::string> names;  // sorted, unique
  LabelSelector selector;

  [[nodiscard]] bool matches(std::string_view namespace_name,
                             const Labels& namespace_labels) const noexcept;
  [[nodiscard]] bool matches_everything() const noexcept {
    return names.empty() && selector.empty();
  }
};

struct Baseline {
  BaselineRule rule = BaselineRule::kLatestApproved;
  std::string pinned_seal_id;       // pinned: a seal id (UUID), and/or
  std::string pinned_image_digest;  // pinned: the baseline image's "sha256:..." digest
};

struct RevokedSigner {
  std::string signer_set_hash;  // "sha256:..."
  std::string reason;
};

struct ProvcacheSettings {
  bool enabled = true;
  int min_trust_score = 60;  // 0..100
  OnMiss on_miss = OnMiss::kEvaluate;
  provcache::TtlPolicy ttl;  // ttl (default 24h) and maxTtl (168h)
  std::int64_t time_window_bucket_seconds = 3600;
  std::string feed_epoch;  // "" = none; ordered by provcache::compare_feed_epochs
  std::vector<RevokedSigner> revoked_signers;  // sorted by signer_set_hash, unique
};

struct Scope {
  std::string name;
  std::optional<SourceRef> source;
  NamespaceMatch namespaces;
  std::vector<ImageGlob> images;  // empty: every image

  Mode mode = Mode::kEnforce;
  FailurePolicy failure_policy = FailurePolicy::kFail;
  bool require_digest = true;
  bool require_seal = true;
  std::vector<crypto::PublicKey> trusted_keys;  // in document order
  dsse::TrustSet trust_set;                     // the same keys, by keyid
  std::size_t signature_threshold = 1;
  std::shared_ptr<const facet::FacetSet> facets;  // definitions with the quotas applied
  Baseline baseline;
  ProvcacheSettings provcache;

  std::string policy_hash;      // merge_policy_hash for the VeriKey
  std::string signer_set_hash;  // signer_set_hash for the VeriKey
  // (The canonical JSON policy_hash hashes is not kept: a thousand scopes
  // would hold megabytes of it; effective_scope_json() recomputes it.)

  [[nodiscard]] bool matches_image(std::string_view normalized_reference) const noexcept;
  [[nodiscard]] bool is_catch_all() const noexcept {
    return images.empty() && namespaces.matches_everything();
  }
};

struct PolicyMetadata {
  std::string name;
  std::string version;       // free text; the operator writes its content hash
  std::string generated_by;  // "zastava-operator", "hand-written", ...
};

struct CompiledPolicy {
  PolicyMetadata metadata;
  std::vector<Scope> scopes;  // in document order: the first match wins
  Scope defaults;             // name "defaults"
  // "sha256:" of the canonical JSON of the whole document as written: the
  // policy version recorded in audit records.
  std::string content_hash;
  // Things that are valid but almost certainly not meant (a scope that can
  // never match, seals required with no trusted key); for logs and /readyz.
  std::vector<std::string> warnings;

  [[nodiscard]] const Scope* find_scope(std::string_view name) const noexcept;
};

// Compiles a parsed document. kInvalidArgument "<path>: <problem>".
Result<CompiledPolicy> compile_policy(const nlohmann::json& document);
// YAML or JSON text (YAML 1.2 reads JSON); kParse for syntax errors.
Result<CompiledPolicy> compile_policy_text(std::string_view text);
// A file: JSON (strict, json::parse_strict) when its name ends in .json, YAML
// otherwise. Errors name the file.
Result<CompiledPolicy> load_policy_file(const std::filesystem::path& path);
// The document tree of `text` read from `path`, parsed as load_policy_file
// does (kParse naming the file), before any validation.
Result<nlohmann::json> read_policy_document(std::string_view text,
                                            const std::filesystem::path& path);
// compile_policy(read_policy_document(text, path)), errors naming the file.
Result<CompiledPolicy> compile_policy_file_contents(std::string_view text,
                                                    const std::filesystem::path& path);

}  // namespace zastava::policy
