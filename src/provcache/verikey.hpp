#pragma once
// VeriKey (seed 000, "Provenance Identity Key"): the identity of one provenance
// decision context. Two evaluations share a VeriKey exactly when they saw the
// same image, SBOM, VEX statements, merge policy and signers in the same time
// bucket; change any of them and the cached decision no longer applies.
//
// Components, in the order they are encoded:
//   source_hash        the image (artifact) digest
//   sbom_hash          SHA-256 of the RFC 8785 canonical SBOM (sbom_hash_of)
//   vex_hash_set_hash  the set of VEX statement hashes (vex_hash_set_hash)
//   merge_policy_hash  the policy bundle's digest
//   signer_set_hash    the set of signer key ids (signer_set_hash)
//   time_window        floor(unix_seconds / bucket_seconds) * bucket_seconds
// The five hashes are content ids ("sha256:<hex>", or another algorithm
// digest::ContentId knows), parsed strictly.
//
// Byte encoding (what the key hashes), every field length-prefixed so no two
// different inputs encode alike:
//   field(s)  = u32 big-endian byte length of s || the bytes of s
//   encoding  = field("zastava.provcache.verikey.v1")
//            || field(source_hash) || field(sbom_hash) || field(vex_hash_set_hash)
//            || field(merge_policy_hash) || field(signer_set_hash)
//            || u64 big-endian time_window (seconds since the epoch)
//            || u64 big-endian bucket_seconds
// The content ids are encoded as their text ("sha256:<64 hex>"), so the
// algorithm is part of the key. VeriKey = "sha256:" + hex(SHA-256(encoding)).
// The bucket size is encoded too: the same instant bucketed by 1 h and by
// 24 h are different contexts.
//
// Set hashes (signer_set_hash, vex_hash_set_hash): the items are sorted by
// their bytes and de-duplicated, so order and repetition do not matter; then
//   SHA-256( field(domain tag) || field(item_0) || field(item_1) || ... )
// with the tags "zastava.provcache.vex-set.v1" and
// "zastava.provcache.signer-set.v1". The empty set is allowed (an unsigned
// image, an image without VEX) and hashes just the tag.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace zastava::provcache {

inline constexpr std::string_view kVeriKeyDomainTag = "zastava.provcache.verikey.v1";
inline constexpr std::string_view kVexSetDomainTag = "zastava.provcache.vex-set.v1";
inline constexpr std::string_view kSignerSetDomainTag = "zastava.provcache.signer-set.v1";
inline constexpr std::int64_t kDefaultTimeWindowBucketSeconds = 3600;  // seed: timeWindowBucket 1h

struct VeriKeyInputs {
  std::string source_hash;
  std::string sbom_hash;
  std::string vex_hash_set_hash;
  std::string merge_policy_hash;
  std::string signer_set_hash;
  std::int64_t evaluated_at_seconds = 0;  // Unix seconds; bucketed into time_window
  std::int64_t bucket_seconds = kDefaultTimeWindowBucketSeconds;
};

// The start of the bucket holding `unix_seconds`. kInvalidArgument when
// unix_seconds < 0 or bucket_seconds <= 0.
Result<std::int64_t> time_window_start(std::int64_t unix_seconds, std::int64_t bucket_seconds);

// SHA-256 of the canonical (RFC 8785) form of an SBOM JSON document, as a
// content id. kParse when the text is not strict JSON.
Result<std::string> sbom_hash_of(std::string_view sbom_json);

// The set hashes described above. VEX statement hashes must be content ids
// (kInvalidArgument naming the bad one); signer key ids must be non-empty.
Result<std::string> vex_hash_set_hash(std::span<const std::string> statement_hashes);
Result<std::string> signer_set_hash(std::span<const std::string> signer_key_ids);

// The documented byte encoding, after validating every input.
Result<Bytes> verikey_encoding(const VeriKeyInputs& inputs);

// "sha256:<hex>" of verikey_encoding(inputs).
Result<std::string> compute_verikey(const VeriKeyInputs& inputs);

}  // namespace zastava::provcache
