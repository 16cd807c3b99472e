#include "dsse/verification.hpp"

#include <set>

#include "dsse/pae.hpp"

namespace zastava::dsse {
namespace {

// What happened to each signature, for the result or the error message.
struct Failure {
  std::string keyid;  // empty for a signature without keyid
  std::string description;
};

struct Tally {
  std::set<std::string_view> verified;  // views of the TrustSet's keyids
  std::vector<Failure> failures;
  std::size_t unknown_keyids = 0;
};

void check_anonymous(const Signature& signature, std::size_t index, ByteView signed_bytes,
                     const TrustSet& trust, Tally& tally) {
  for (const auto& [keyid, key] : trust.keys()) {
    if (key.verify(signed_bytes, signature.sig)) {
      tally.verified.insert(keyid);
      return;
    }
  }
  tally.failures.push_back({"", "signature #" + std::to_string(index) +
                                    " (no keyid) matched none of the " +
                                    std::to_string(trust.size()) + " trusted keys"});
}

void check_signature(const Signature& signature, std::size_t index, ByteView signed_bytes,
                     const TrustSet& trust, Tally& tally) {
  if (signature.keyid.empty()) {
    check_anonymous(signature, index, signed_bytes, trust, tally);
    return;
  }
  const crypto::PublicKey* key = trust.find(signature.keyid);
  if (key == nullptr) {
    ++tally.unknown_keyids;
    return;
  }
  if (tally.verified.contains(key->keyid())) return;  // already counted
  if (Status status = key->verify(signed_bytes, signature.sig); status) {
    tally.verified.insert(key->keyid());
  } else {
    tally.failures.push_back({signature.keyid, "keyid " + signature.keyid +
                                                   " did not verify: " + status.error().message});
  }
}

std::string shortfall_message(const Tally& tally, std::size_t threshold) {
  std::string message = std::to_string(tally.verified.size()) + " of " + std::to_string(threshold) +
                        " required trusted signatures verified";
  for (const Failure& failure : tally.failures) {
    // A key that failed once but verified on another signature is fine.
    if (tally.verified.contains(failure.keyid)) continue;
    message += "; " + failure.description;
  }
  if (tally.unknown_keyids > 0) {
    message += "; " + std::to_string(tally.unknown_keyids) +
               (tally.unknown_keyids == 1 ? " signature" : " signatures") +
               " with unknown keyid ignored";
  }
  return message;
}

Status check_arguments(const TrustSet& trust, std::size_t threshold) {
  if (threshold == 0) {
    return make_error(ErrorCode::kInvalidArgument, "DSSE verification: threshold must be >= 1");
  }
  if (trust.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "DSSE verification: no trusted keys");
  }
  if (threshold > trust.size()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "DSSE verification: threshold " + std::to_string(threshold) +
                          " exceeds the " + std::to_string(trust.size()) + " trusted keys");
  }
  return ok_status();
}

}  // namespace

Result<VerifiedEnvelope> verify_envelope(const Envelope& envelope, const TrustSet& trust,
                                         std::size_t threshold,
                                         std::optional<std::string_view> expected_payload_type) {
  if (Status arguments = check_arguments(trust, threshold); !arguments) return arguments.error();
  if (expected_payload_type && envelope.payload_type != *expected_payload_type) {
    return make_error(ErrorCode::kVerification, "DSSE payload type \"" + envelope.payload_type +
                                                    "\" is not the expected \"" +
                                                    std::string(*expected_payload_type) + "\"");
  }
  if (envelope.signatures.empty()) {
    return make_error(ErrorCode::kVerification, "DSSE envelope has no signatures");
  }
  const Bytes signed_bytes = pae(envelope.payload_type, envelope.payload);
  Tally tally;
  for (std::size_t i = 0; i < envelope.signatures.size(); ++i) {
    check_signature(envelope.signatures[i], i, signed_bytes, trust, tally);
  }
  if (tally.verified.size() < threshold) {
    return make_error(ErrorCode::kVerification, shortfall_message(tally, threshold));
  }
  return VerifiedEnvelope{envelope.payload_type, envelope.payload,
                          std::vector<std::string>(tally.verified.begin(), tally.verified.end())};
}

}  // namespace zastava::dsse
