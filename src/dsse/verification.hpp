#pragma once
// Verifying DSSE envelopes against a set of trusted keys with a threshold.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "dsse/envelope.hpp"
#include "dsse/trust_set.hpp"

namespace zastava::dsse {

struct VerifiedEnvelope {
  std::string payload_type;
  Bytes payload;
  std::vector<std::string> keyids;  // distinct trusted keyids that verified, sorted
};

// Verifies that at least `threshold` DISTINCT trusted keys signed
// PAE(payload_type, payload). Rules:
//  - a signature whose keyid is not in `trust` is ignored (and reported);
//  - a signature with an empty keyid is tried against every trusted key;
//  - a key that signed more than once counts once;
//  - a signature that fails doesn't stop others from counting.
// Errors: kInvalidArgument for threshold 0, an empty trust set or a threshold
// above its size; kVerification when the payload type differs from
// `expected_payload_type`, there are no signatures, or fewer than `threshold`
// keys verified, with a message saying which signature failed and why.
Result<VerifiedEnvelope> verify_envelope(
    const Envelope& envelope, const TrustSet& trust, std::size_t threshold,
    std::optional<std::string_view> expected_payload_type = {});

}  // namespace zastava::dsse
