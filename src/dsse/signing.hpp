#pragma once
// Creating DSSE envelopes: every key signs PAE(payload_type, payload).

#include <span>
#include <string_view>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "crypto/private_key.hpp"
#include "dsse/envelope.hpp"

namespace zastava::dsse {

// One signature per key, in the order given, each with keyid set to the
// signer's public keyid. kInvalidArgument when `keys` is empty or holds a
// null pointer, or `payload_type` is empty.
Result<Envelope> sign_envelope(std::string_view payload_type, ByteView payload,
                               std::span<const crypto::PrivateKey* const> keys);

}  // namespace zastava::dsse
