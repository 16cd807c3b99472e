// stella selfcheck: the README's first command until the webhook lands. It
// exercises the core library end to end with fresh keys: an in-toto statement
// in a DSSE envelope signed by ECDSA P-256 and Ed25519 keys, serialized, parsed
// back and verified with a 2-of-2 threshold; then tampered copies must fail.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <vector>

#include "../args.hpp"
#include "../commands.hpp"
#include "base/hex.hpp"
#include "crypto/private_key.hpp"
#include "digest/content_id.hpp"
#include "dsse/envelope.hpp"
#include "dsse/in_toto.hpp"
#include "dsse/signing.hpp"
#include "dsse/trust_set.hpp"
#include "dsse/verification.hpp"
#include "json/canonical_json.hpp"

namespace zastava::cli {
namespace {

constexpr std::string_view kSampleArtifact = "zastava selfcheck sample artifact\n";
constexpr std::string_view kPredicateType = "https://stellaops.io/attestations/selfcheck/v1";

// Counts failed steps and prints each one as it happens.
class Report {
 public:
  bool step(bool passed, std::string_view what, const std::string& detail = {}) {
    std::cout << (passed ? "  ok    " : "  FAIL  ") << what;
    if (!detail.empty()) std::cout << ": " << detail;
    std::cout << "\n";
    if (!passed) ++failures_;
    return passed;
  }
  [[nodiscard]] int failures() const { return failures_; }

 private:
  int failures_ = 0;
};

Result<dsse::Statement> sample_statement() {
  const auto artifact = digest::ContentId::sha256_of(as_bytes(kSampleArtifact));
  const nlohmann::json predicate = {
      {"tool", "stella"}, {"check", "selfcheck"}, {"artifactBytes", kSampleArtifact.size()}};
  auto predicate_json = json::canonicalize(predicate);
  if (!predicate_json) return predicate_json.error();
  dsse::Subject subject{"selfcheck/sample.txt",
                        {{"sha256", encoding::hex_encode(artifact.digest())}}};
  return dsse::Statement{{subject}, std::string(kPredicateType), *predicate_json};
}

// Writes the keys and the envelope into `dir` for the user to play with.
Status keep_artifacts(const std::filesystem::path& dir, const std::vector<crypto::PrivateKey>& keys,
                      const std::string& envelope) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::kIo, "cannot create " + dir.string() + ": " + ec.message());
  const auto write = [&](const std::string& name, const std::string& content) {
    std::ofstream(dir / name, std::ios::binary | std::ios::trunc) << content;
  };
  write("envelope.json", envelope);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::string stem = i == 0 ? "ecdsa-p256" : "ed25519";
    write(stem + ".pub.pem", keys[i].public_key().to_pem());
  }
  return ok_status();
}

int run_checks(const std::optional<std::string>& keep_dir) {
  Report report;
  std::cout << "stella selfcheck: sign and verify an in-toto statement in a DSSE envelope\n";

  std::vector<crypto::PrivateKey> keys;
  for (const auto type : {crypto::KeyType::kEcdsaP256, crypto::KeyType::kEd25519}) {
    auto key = crypto::PrivateKey::generate(type);
    if (!report.step(key.ok(), "generate " + std::string(crypto::key_type_name(type)) + " key",
                     key.ok() ? key->public_key().keyid() : key.error().describe())) {
      return kExitFailure;
    }
    keys.push_back(std::move(key).value());
  }

  auto statement = sample_statement();
  auto payload =
      statement ? dsse::to_canonical_json(*statement) : Result<std::string>(statement.error());
  if (!report.step(payload.ok(), "build canonical in-toto Statement v1",
                   payload.ok() ? digest::ContentId::sha256_of(as_bytes(*payload)).to_string()
                                : payload.error().describe())) {
    return kExitFailure;
  }

  const std::vector<const crypto::PrivateKey*> signers{&keys[0], &keys[1]};
  auto envelope = dsse::sign_envelope(dsse::kInTotoPayloadType, as_bytes(*payload), signers);
  auto serialized = envelope ? dsse::serialize(*envelope) : Result<std::string>(envelope.error());
  if (!report.step(serialized.ok(), "sign DSSE envelope with both keys",
                   serialized.ok() ? std::to_string(serialized->size()) + " bytes"
                                   : serialized.error().describe())) {
    return kExitFailure;
  }

  dsse::TrustSet trust;
  for (const auto& key : keys) trust.add(key.public_key());
  auto parsed = dsse::parse_envelope(*serialized);
  auto verified = parsed ? dsse::verify_envelope(*parsed, trust, 2, dsse::kInTotoPayloadType)
                         : Result<dsse::VerifiedEnvelope>(parsed.error());
  report.step(verified.ok(), "parse and verify 2-of-2",
              verified.ok() ? std::to_string(verified->keyids.size()) + " trusted signatures"
                            : verified.error().describe());
  if (verified.ok()) {
    auto round_trip = dsse::parse_statement(as_string(verified->payload));
    report.step(round_trip.ok() && *round_trip == *statement, "payload is the statement signed",
                round_trip.ok() ? "" : round_trip.error().describe());
  }

  if (parsed.ok()) {
    dsse::Envelope tampered = *parsed;
    tampered.payload.back() ^= 0x01;
    auto rejected = dsse::verify_envelope(tampered, trust, 1);
    report.step(!rejected.ok(), "tampered payload is rejected",
                rejected.ok() ? "it verified" : rejected.error().message);
    dsse::TrustSet only_one;
    only_one.add(keys[1].public_key());
    auto stranger = dsse::verify_envelope(*parsed, only_one, 1);
    auto short_of_threshold = dsse::verify_envelope(*parsed, trust, 3);
    report.step(stranger.ok() && !short_of_threshold.ok(), "threshold counts trusted keys only",
                short_of_threshold.ok() ? "3-of-2 verified" : "");
  }

  if (keep_dir && serialized.ok()) {
    auto kept = keep_artifacts(*keep_dir, keys, *serialized);
    report.step(kept.ok(), "artifacts written to " + *keep_dir,
                kept.ok() ? "" : kept.error().describe());
  }
  std::cout << (report.failures() == 0 ? "selfcheck passed\n" : "selfcheck FAILED\n");
  return report.failures() == 0 ? kExitOk : kExitFailure;
}

}  // namespace

int run_selfcheck(const Argv& argv) {
  auto args = Args::parse(argv, ArgSpec{{"keep"}, {}});
  if (!args || !args->positional().empty()) {
    std::cerr << "usage: stella selfcheck [--keep DIR]\n";
    return kExitUsage;
  }
  return run_checks(args->value("keep"));
}

}  // namespace zastava::cli
