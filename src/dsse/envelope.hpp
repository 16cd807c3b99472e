#pragma once
// The DSSE v1 envelope and its JSON form:
//   {"payload": "<base64>", "payloadType": "<type>",
//    "signatures": [{"keyid": "<hint>", "sig": "<base64>"}, ...]}
// Reading accepts standard and URL-safe base64, padded or not; writing uses
// standard padded base64 and canonical JSON (RFC 8785), so one envelope has
// one serialization.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace zastava::dsse {

struct Signature {
  std::string keyid;  // an unauthenticated hint; empty when the signer gave none
  Bytes sig;

  friend bool operator==(const Signature&, const Signature&) = default;
};

struct Envelope {
  std::string payload_type;
  Bytes payload;
  std::vector<Signature> signatures;

  friend bool operator==(const Envelope&, const Envelope&) = default;
};

// Limits parse_envelope enforces, so a hostile envelope can't make a verifier
// allocate or work without bound. The envelope cap is sized for facet seals:
// a facet of 100k files is a ~20 MB payload, ~27 MB in base64; 256 MiB leaves
// room for a million-file facet. Servers cap request bodies far lower.
inline constexpr std::size_t kMaxEnvelopeJsonBytes = 256u << 20;
inline constexpr std::size_t kMaxSignatures = 64;
inline constexpr std::size_t kMaxKeyidBytes = 1024;
inline constexpr std::size_t kMaxPayloadTypeBytes = 1024;
inline constexpr std::size_t kMaxSignatureBytes = 16u << 10;

// Parses an envelope with a strict single-pass reader (it is on the admission
// hot path). kParse, naming the field (and signature index), when the text is
// not strict JSON (RFC 8259, UTF-8, nesting at most 64 deep), has duplicate
// member names, lacks payloadType, payload or signatures, has a field of the
// wrong JSON type, an empty payloadType, no signatures, an empty or malformed
// base64 value, or exceeds a limit above. A missing keyid reads as "".
// Unknown members are ignored.
Result<Envelope> parse_envelope(std::string_view json_text);

// Canonical JSON (members sorted, no whitespace) with standard padded base64;
// "keyid" is always written. kInvalidArgument when a string field is not
// valid UTF-8.
Result<std::string> serialize(const Envelope& envelope);

}  // namespace zastava::dsse
