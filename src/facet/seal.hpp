#pragma once
// Facet seals: the seed's payload (section 5) as canonical JSON in a DSSE
// envelope, and the seals file `stella seal` writes.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "crypto/private_key.hpp"
#include "dsse/envelope.hpp"
#include "dsse/trust_set.hpp"
#include "facet/model.hpp"

namespace zastava::facet {

inline constexpr std::string_view kFacetSealPayloadType =
    "application/vnd.stellaops.facet-seal.v1+json";
inline constexpr std::string_view kFacetSealType = "https://stellaops.io/FacetSeal/v1";

// A random UUIDv4 (OpenSSL RAND_bytes), lower case. Throws
// std::runtime_error only if OpenSSL's generator fails (it is not seeded).
std::string new_seal_id();

// The payload exactly as the seed's section 5 (camelCase names, "_type",
// "facetType" spelled as names.hpp), canonical (RFC 8785):
//   {"_type", "facetId", "facetType", "imageDigest", "imageRef",
//    "manifest": {"extractedAt", "extractorVersion", "fileCount",
//                 "files": [{"contentHash", "mode", "modTime", "path", "size"}],
//                 "merkleRoot", "totalBytes"},
//    "quota": {"maxAddedFiles", "maxChangedFiles", "maxChurnPercent",
//              "maxRemovedFiles", "onExceed"} | null,
//    "sealId", "sealedAt", "sealedBy"}
// Members come in RFC 8785 order, so "modTime" precedes "mode" (the seed's
// example shows them the other way round, which is not canonical).
// Two choices the seed leaves open:
//  - a symlink's file entry also has "kind": "symlink" (regular files have no
//    "kind"), because the Merkle leaf covers the kind (manifest.hpp) and a
//    verifier must be able to recompute the root from the payload alone;
//  - "quota" is null when the seal has no quota (the seed's AppliedQuota is
//    required but nullable).
// The seal is checked as parse_seal_payload checks it, so whatever is written
// can be read back: kInvalidArgument naming the field otherwise. Sizes and
// counts must be at most 2^53 (JSON numbers are doubles).
Result<std::string> seal_payload_json(const FacetSeal& seal);
// Strict: every field above present (and no other) with its JSON type, UUID
// form (8-4-4-4-12 lower-case hex), facetId consistent with facetType
// (names.hpp facet_type_for_id), sha256 content ids, modes "0644", times
// RFC 3339 UTC, non-negative whole numbers. Does NOT check the Merkle root
// (verify_manifest does). kParse naming the field.
Result<FacetSeal> parse_seal_payload(std::string_view json_text);

Result<dsse::Envelope> sign_seal(const FacetSeal& seal,
                                 std::span<const crypto::PrivateKey* const> keys);

struct VerifiedSeal {
  FacetSeal seal;
  std::vector<std::string> keyids;  // trusted keys that signed it
};

// Checks, in order: the payload type (kVerification), the DSSE signatures
// against `trust` with `threshold` (kVerification; kInvalidArgument for a bad
// threshold or empty trust), the payload's form (kParse), and the manifest
// (verify_manifest, kVerification: the Merkle root recomputed from the
// entries). The message starts with what failed: "facet seal signature",
// "facet seal payload" or "facet seal <sealId>: manifest of facet ...".
Result<VerifiedSeal> verify_seal(const dsse::Envelope& envelope, const dsse::TrustSet& trust,
                                 std::size_t threshold = 1);

// The file `stella seal --output` writes:
// {"sealsVersion":"v1","imageRef":"...","imageDigest":"sha256:...","seals":[<DSSE envelope>...]}
struct SealsFile {
  std::string image_ref;
  std::string image_digest;
  std::vector<dsse::Envelope> seals;
};

// Canonical JSON (RFC 8785), no trailing newline. kInvalidArgument when a
// string is not UTF-8 or the image digest is neither "" nor a content id.
Result<std::string> serialize_seals_file(const SealsFile& file);
// Strict: exactly the four fields, sealsVersion "v1" (kUnsupported for
// another), at least one seal, each a DSSE envelope (dsse::parse_envelope).
// The envelopes are not verified here. kParse naming the field.
Result<SealsFile> parse_seals_file(std::string_view json_text);

// verify_seal on every seal of `file`, then checks that each seal's imageRef
// and imageDigest are the file's and that no facet is sealed twice
// (kVerification). The error names the seal by index ("seals[2]") and facet.
Result<std::vector<VerifiedSeal>> verify_seals_file(const SealsFile& file,
                                                    const dsse::TrustSet& trust,
                                                    std::size_t threshold = 1);

}  // namespace zastava::facet
