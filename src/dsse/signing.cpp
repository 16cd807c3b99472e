#include "dsse/signing.hpp"

#include <string>

#include "dsse/pae.hpp"

namespace zastava::dsse {

Result<Envelope> sign_envelope(std::string_view payload_type, ByteView payload,
                               std::span<const crypto::PrivateKey* const> keys) {
  if (payload_type.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "DSSE signing: payload type is empty");
  }
  if (keys.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "DSSE signing: no signing keys given");
  }
  const Bytes signed_bytes = pae(payload_type, payload);
  Envelope envelope{std::string(payload_type), Bytes(payload.begin(), payload.end()), {}};
  envelope.signatures.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] == nullptr) {
      return make_error(ErrorCode::kInvalidArgument,
                        "DSSE signing: key #" + std::to_string(i) + " is null");
    }
    auto sig = keys[i]->sign(signed_bytes);
    if (!sig) return sig.error().with_context("DSSE signing with " + keys[i]->public_key().keyid());
    envelope.signatures.push_back(Signature{keys[i]->public_key().keyid(), std::move(sig).value()});
  }
  return envelope;
}

}  // namespace zastava::dsse
