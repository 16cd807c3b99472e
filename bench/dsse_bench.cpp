// DSSE verification of an envelope with a 2 KiB payload, for ECDSA P-256 and
// Ed25519, in three layers: (i) the raw signature check on a prepared PAE,
// (ii) verify_envelope on a parsed envelope, (iii) parse_envelope +
// verify_envelope from JSON text. Compare with `openssl speed ecdsap256
// ed25519` (its verify/s column), run in the same session on the same core.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/private_key.hpp"
#include "dsse/envelope.hpp"
#include "dsse/in_toto.hpp"
#include "dsse/pae.hpp"
#include "dsse/signing.hpp"
#include "dsse/verification.hpp"

namespace {

using zastava::Bytes;
using zastava::crypto::KeyType;
using zastava::crypto::PrivateKey;
namespace dsse = zastava::dsse;

constexpr std::size_t kPayloadBytes = 2048;

template <typename T>
T checked(zastava::Result<T> result) {
  if (!result) throw std::runtime_error(result.error().describe());
  return std::move(result).value();
}

// One signer, its trust set and a signed envelope, in every form the
// benchmarks start from.
struct Fixture {
  explicit Fixture(KeyType type) : key(checked(PrivateKey::generate(type))) {
    payload.reserve(kPayloadBytes);
    for (std::size_t i = 0; i < kPayloadBytes; ++i) {
      payload.push_back(static_cast<std::uint8_t>('a' + i % 26));
    }
    const std::vector<const PrivateKey*> signers = {&key};
    envelope = checked(dsse::sign_envelope(dsse::kInTotoPayloadType, payload, signers));
    json = checked(dsse::serialize(envelope));
    signed_bytes = dsse::pae(dsse::kInTotoPayloadType, payload);
    trust.add(key.public_key());
  }

  PrivateKey key;
  Bytes payload;
  dsse::Envelope envelope;
  std::string json;
  Bytes signed_bytes;
  dsse::TrustSet trust;
};

void BM_DsseRawVerify(benchmark::State& state, KeyType type) {
  const Fixture fixture(type);
  const auto& public_key = fixture.key.public_key();
  const Bytes& signature = fixture.envelope.signatures.at(0).sig;
  for (auto _ : state) {
    auto status = public_key.verify(fixture.signed_bytes, signature);
    if (!status) state.SkipWithError("verification failed");
    benchmark::DoNotOptimize(status);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_DsseVerifyEnvelope(benchmark::State& state, KeyType type) {
  const Fixture fixture(type);
  for (auto _ : state) {
    auto verified = dsse::verify_envelope(fixture.envelope, fixture.trust, 1);
    if (!verified) state.SkipWithError("verification failed");
    benchmark::DoNotOptimize(verified);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_DsseParseAndVerifyEnvelope(benchmark::State& state, KeyType type) {
  const Fixture fixture(type);
  for (auto _ : state) {
    auto envelope = dsse::parse_envelope(fixture.json);
    if (!envelope) state.SkipWithError("parse failed");
    auto verified = dsse::verify_envelope(*envelope, fixture.trust, 1);
    if (!verified) state.SkipWithError("verification failed");
    benchmark::DoNotOptimize(verified);
  }
  state.SetItemsProcessed(state.iterations());
}

// Baseline in the same process: OpenSSL's own one-shot EVP verification of the
// same PAE with the same key, initialized per call as a naive caller would
// (what `openssl speed` measures is the bare curve operation on a digest).
void BM_DsseOpensslEvpVerify(benchmark::State& state, KeyType type) {
  const Fixture fixture(type);
  const std::string pem = fixture.key.public_key().to_pem();
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  const char* digest = type == KeyType::kEd25519 ? nullptr : "SHA256";
  const Bytes& signature = fixture.envelope.signatures.at(0).sig;
  for (auto _ : state) {
    const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                      EVP_MD_CTX_free);
    if (EVP_DigestVerifyInit_ex(ctx.get(), nullptr, digest, nullptr, nullptr, key.get(), nullptr) !=
            1 ||
        EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), fixture.signed_bytes.data(),
                         fixture.signed_bytes.size()) != 1) {
      state.SkipWithError("verification failed");
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// The parse alone, to show what (iii) adds to (ii).
void BM_DsseParseEnvelope(benchmark::State& state, KeyType type) {
  const Fixture fixture(type);
  for (auto _ : state) {
    auto envelope = dsse::parse_envelope(fixture.json);
    if (!envelope) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(envelope);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(BM_DsseOpensslEvpVerify, ecdsa_p256, KeyType::kEcdsaP256);
BENCHMARK_CAPTURE(BM_DsseOpensslEvpVerify, ed25519, KeyType::kEd25519);
BENCHMARK_CAPTURE(BM_DsseRawVerify, ecdsa_p256, KeyType::kEcdsaP256);
BENCHMARK_CAPTURE(BM_DsseRawVerify, ed25519, KeyType::kEd25519);
BENCHMARK_CAPTURE(BM_DsseVerifyEnvelope, ecdsa_p256, KeyType::kEcdsaP256);
BENCHMARK_CAPTURE(BM_DsseVerifyEnvelope, ed25519, KeyType::kEd25519);
BENCHMARK_CAPTURE(BM_DsseParseAndVerifyEnvelope, ecdsa_p256, KeyType::kEcdsaP256);
BENCHMARK_CAPTURE(BM_DsseParseAndVerifyEnvelope, ed25519, KeyType::kEd25519);
BENCHMARK_CAPTURE(BM_DsseParseEnvelope, ecdsa_p256, KeyType::kEcdsaP256);

}  // namespace
