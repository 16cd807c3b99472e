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

// A random UUIDv4 (OpenSSL RAND_bytes), lower case.
std::string new_seal_id();

// The payload exactly as the seed's section 5 (camelCase names, "_type",
// "facetType" spelled as names.hpp), canonical (RFC 8785).
Result<std::string> seal_payload_json(const FacetSeal& seal);
// Strict: required fields, types, UUID form, content ids, modes, times.
Result<FacetSeal> parse_seal_payload(std::string_view json_text);

Result<dsse::Envelope> sign_seal(const FacetSeal& seal,
                                 std::span<const crypto::PrivateKey* const> keys);

struct VerifiedSeal {
  FacetSeal seal;
  std::vector<std::string> keyids;  // trusted keys that signed it
};

// Checks, in order: the DSSE signatures against `trust` (threshold), the
// payload type, the payload's form, and the manifest (verify_manifest: the
// Merkle root recomputed from the entries). The error says which failed.
Result<VerifiedSeal> verify_seal(const dsse::Envelope& envelope, const dsse::TrustSet& trust,
                                 std::size_t threshold = 1);

// The file `stella seal --output` writes:
// {"sealsVersion":"v1","imageRef":"...","imageDigest":"sha256:...","seals":[<DSSE envelope>...]}
struct SealsFile {
  std::string image_ref;
  std::string image_digest;
  std::vector<dsse::Envelope> seals;
};

Result<std::string> serialize_seals_file(const SealsFile& file);
Result<SealsFile> parse_seals_file(std::string_view json_text);

}  // namespace zastava::facet
