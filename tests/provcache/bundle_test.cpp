// Tests for provcache/bundle: every density, signing, and each way a bundle
// can be tampered with between export and import. The decision is built the
// way `stella prov evaluate` builds one, from the realistic documents in
// tests/data/provcache; the evidence is cut into small chunks so a bundle has
// several.

#include "provcache/bundle.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/base64.hpp"
#include "crypto/private_key.hpp"
#include "dsse/envelope.hpp"
#include "dsse/signing.hpp"
#include "json/canonical_json.hpp"
#include "provcache/cyclonedx.hpp"
#include "provcache/evaluate.hpp"
#include "provcache/findings.hpp"
#include "provcache/openvex.hpp"
#include "provcache/verikey.hpp"
#include "test_files.hpp"

namespace zastava::provcache {
namespace {

using crypto::KeyType;
using crypto::PrivateKey;
using testing::read_test_file;

constexpr std::int64_t kNow = 1795780800;  // 2026-11-27T12:00:00Z
constexpr std::size_t kChunkSize = 256;    // the 2.3 KB SBOM becomes 10 chunks
constexpr const char* kImage =
    "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
constexpr const char* kPolicy =
    "sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

struct Decision {
  ProvcacheEntry entry;
  ChunkedEvidence evidence;
};

Decision make_decision() {
  const std::string sbom_text = read_test_file("sbom_cdx16.json");
  auto sbom = parse_cyclonedx(sbom_text);
  auto vex = parse_openvex(read_test_file("openvex_v020.json"));
  auto findings = parse_findings_list(read_test_file("findings_list.json"), "test-feed");
  if (!sbom || !vex || !findings) throw std::runtime_error("test documents do not parse");
  const std::vector<VexDocument> vex_documents = {*vex};
  const GateResult gate = evaluate_gate(&*sbom, vex_documents, *findings);

  const std::vector<std::string> signers = {"sha256:" + std::string(64, 'a')};
  VeriKeyInputs inputs{kImage,
                       sbom->canonical_hash,
                       vex_hash_set_hash(vex_statement_hashes(vex_documents)).value(),
                       kPolicy,
                       signer_set_hash(signers).value(),
                       kNow};
  const std::string veri_key = compute_verikey(inputs).value();
  auto evidence = ChunkedEvidence::split(as_bytes(sbom_text), "application/vnd.cyclonedx+json",
                                         ChunkingPolicy{kChunkSize, 1000});
  if (!evidence) throw std::runtime_error(evidence.error().describe());

  ProvcacheEntry entry;
  entry.decision = build_decision_digest(veri_key, gate, evidence->proof_root(), 72, kNow).value();
  entry.verdict_json = json::canonicalize(verdict_document(gate)).value();
  entry.source_hash = kImage;
  entry.policy_hash = kPolicy;
  entry.signer_set_hash = inputs.signer_set_hash;
  entry.feed_epoch = "2026-11-27";
  entry.updated_at_seconds = kNow;
  entry.hit_count = 7;
  return Decision{std::move(entry), std::move(*evidence)};
}

class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = PrivateKey::generate(KeyType::kEcdsaP256);
    auto other = PrivateKey::generate(KeyType::kEd25519);
    ASSERT_TRUE(key.ok() && other.ok());
    key_.emplace(std::move(*key));
    other_.emplace(std::move(*other));
    trust_.add(key_->public_key());
    other_trust_.add(other_->public_key());
  }

  ProofBundle bundle(BundleDensity density, std::size_t standard = kDefaultStandardChunks) {
    const std::size_t count =
        included_chunk_count(density, decision_.evidence.chunk_count(), standard);
    std::vector<Bytes> leading(
        decision_.evidence.chunks().begin(),
        decision_.evidence.chunks().begin() + static_cast<std::ptrdiff_t>(count));
    auto made =
        make_bundle(density, decision_.entry, manifest_of(decision_.evidence), std::move(leading));
    EXPECT_TRUE(made.ok()) << made.error().describe();
    return std::move(made).value();
  }

  std::string unsigned_file(BundleDensity density) {
    return bundle_to_json(bundle(density)).value();
  }

  std::string signed_file(BundleDensity density) {
    const std::vector<const PrivateKey*> keys = {&*key_};
    return sign_bundle(bundle(density), keys).value();
  }

  BundleTrust trusting(const dsse::TrustSet& trust, bool require = false) const {
    return BundleTrust{&trust, 1, require};
  }

  Decision decision_ = make_decision();
  std::optional<PrivateKey> key_;
  std::optional<PrivateKey> other_;
  dsse::TrustSet trust_;
  dsse::TrustSet other_trust_;
};

// Reads `file` and expects a kVerification/kParse failure whose message
// contains `text`.
void expect_refused(const std::string& file, const BundleTrust& trust, std::string_view text) {
  auto read = read_bundle(file, trust);
  ASSERT_FALSE(read.ok()) << "accepted a bundle that should fail with: " << text;
  EXPECT_NE(read.error().message.find(text), std::string::npos) << read.error().describe();
}

std::string edit_json(const std::string& text, const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json document = nlohmann::json::parse(text);
  edit(document);
  return document.dump();
}

// Edits the payload of a signed bundle and keeps the original signatures.
std::string edit_payload(const std::string& envelope_text,
                         const std::function<void(nlohmann::json&)>& edit) {
  auto envelope = dsse::parse_envelope(envelope_text).value();
  envelope.payload = to_bytes(edit_json(std::string(as_string(envelope.payload)), edit));
  return dsse::serialize(envelope).value();
}

Bytes decoded(const nlohmann::json& chunk) {
  return encoding::base64_decode_any(chunk.at("data").get<std::string>()).value();
}

TEST(BundleDensityNames, RoundTrip) {
  for (BundleDensity density :
       {BundleDensity::kLite, BundleDensity::kStandard, BundleDensity::kStrict}) {
    EXPECT_EQ(parse_bundle_density(to_string(density)), density);
  }
  EXPECT_FALSE(parse_bundle_density("full").has_value());
  EXPECT_FALSE(parse_bundle_density("").has_value());
}

TEST(IncludedChunkCount, FollowsTheDensity) {
  EXPECT_EQ(included_chunk_count(BundleDensity::kLite, 10), 0U);
  EXPECT_EQ(included_chunk_count(BundleDensity::kStandard, 10), 3U);
  EXPECT_EQ(included_chunk_count(BundleDensity::kStandard, 10, 5), 5U);
  EXPECT_EQ(included_chunk_count(BundleDensity::kStandard, 2), 2U);
  EXPECT_EQ(included_chunk_count(BundleDensity::kStrict, 10), 10U);
}

TEST_F(BundleTest, TheDecisionHasSeveralChunks) {
  ASSERT_EQ(decision_.evidence.chunk_count(), 10U);  // 2348 bytes / 256
}

TEST_F(BundleTest, LiteCarriesTheEntryAndManifestOnly) {
  const std::string file = unsigned_file(BundleDensity::kLite);
  const nlohmann::json document = nlohmann::json::parse(file);
  EXPECT_EQ(document.at("bundleVersion"), "zastava.provcache.bundle/v1");
  EXPECT_EQ(document.at("density"), "lite");
  EXPECT_TRUE(document.at("evidence").at("chunks").empty());
  EXPECT_EQ(document.at("evidence").at("manifest").at("chunks").size(), 10U);
  EXPECT_EQ(document.at("evidence").at("manifest").at("proofRoot"),
            decision_.entry.decision.proof_root);
  EXPECT_EQ(document.at("entry").at("hitCount"), 0);  // local bookkeeping is not exported
  EXPECT_EQ(json::canonicalize_text(file).value(), file);
  EXPECT_LT(file.size(), 4096U);

  auto read = read_bundle(file, {});
  ASSERT_TRUE(read.ok()) << read.error().describe();
  EXPECT_FALSE(read->is_signed);
  EXPECT_EQ(read->bundle.density, BundleDensity::kLite);
  EXPECT_FALSE(read->bundle.complete());
  ProvcacheEntry expected = decision_.entry;
  expected.hit_count = 0;
  EXPECT_EQ(read->bundle.entry, expected);
  EXPECT_EQ(read->bundle.manifest, manifest_of(decision_.evidence));
}

TEST_F(BundleTest, StandardCarriesTheFirstChunks) {
  for (std::size_t n : {std::size_t{3}, std::size_t{1}, std::size_t{20}}) {
    const ProofBundle made = bundle(BundleDensity::kStandard, n);
    auto read = read_bundle(bundle_to_json(made).value(), {});
    ASSERT_TRUE(read.ok()) << read.error().describe();
    const std::size_t expected = std::min<std::size_t>(n, 10);
    ASSERT_EQ(read->bundle.chunks.size(), expected);
    for (std::size_t i = 0; i < expected; ++i) {
      EXPECT_EQ(read->bundle.chunks[i].index, i);
      EXPECT_EQ(read->bundle.chunks[i].data, decision_.evidence.chunks()[i]);
    }
    EXPECT_EQ(read->bundle.complete(), expected == 10);
    EXPECT_EQ(read->bundle, made);
  }
}

TEST_F(BundleTest, StrictCarriesTheWholeEvidence) {
  auto read = read_bundle(unsigned_file(BundleDensity::kStrict), {});
  ASSERT_TRUE(read.ok()) << read.error().describe();
  EXPECT_TRUE(read->bundle.complete());
  std::string joined;
  for (const Bytes& chunk : chunk_bytes(read->bundle)) joined += as_string(chunk);
  EXPECT_EQ(joined, read_test_file("sbom_cdx16.json"));
}

TEST_F(BundleTest, EmptyEvidenceMakesACompleteStrictBundle) {
  auto empty = ChunkedEvidence::split({}, "application/vnd.zastava.evidence+json").value();
  ProvcacheEntry entry = decision_.entry;
  entry.decision.proof_root = empty.proof_root();
  auto made = make_bundle(BundleDensity::kStrict, entry, manifest_of(empty), {});
  ASSERT_TRUE(made.ok()) << made.error().describe();
  auto read = read_bundle(bundle_to_json(*made).value(), {});
  ASSERT_TRUE(read.ok()) << read.error().describe();
  EXPECT_TRUE(read->bundle.complete());
  EXPECT_TRUE(read->bundle.chunks.empty());
}

TEST_F(BundleTest, SignedBundlesVerifyAgainstTrustedKeys) {
  const std::string file = signed_file(BundleDensity::kStandard);
  const auto envelope = dsse::parse_envelope(file).value();
  EXPECT_EQ(envelope.payload_type, "application/vnd.stellaops.provcache.bundle+json");
  EXPECT_EQ(std::string(as_string(envelope.payload)),
            bundle_to_json(bundle(BundleDensity::kStandard)).value());

  auto read = read_bundle(file, trusting(trust_, true));
  ASSERT_TRUE(read.ok()) << read.error().describe();
  EXPECT_TRUE(read->is_signed);
  EXPECT_EQ(read->signer_keyids, std::vector<std::string>{key_->public_key().keyid()});
  EXPECT_EQ(read->bundle, bundle(BundleDensity::kStandard));
}

TEST_F(BundleTest, ThresholdCountsDistinctTrustedSigners) {
  const std::vector<const PrivateKey*> keys = {&*key_, &*other_};
  const std::string file = sign_bundle(bundle(BundleDensity::kLite), keys).value();
  dsse::TrustSet both = trust_;
  both.add(other_->public_key());
  auto read = read_bundle(file, BundleTrust{&both, 2, true});
  ASSERT_TRUE(read.ok()) << read.error().describe();
  EXPECT_EQ(read->signer_keyids.size(), 2U);

  const std::string one_signer = signed_file(BundleDensity::kLite);
  expect_refused(one_signer, BundleTrust{&both, 2, true}, "signature");
}

TEST_F(BundleTest, UnsignedIsRefusedWhenASignatureIsRequired) {
  const std::string file = unsigned_file(BundleDensity::kLite);
  expect_refused(file, trusting(trust_, true),
                 "signature: the bundle is not signed, and a signature is required");
  EXPECT_TRUE(read_bundle(file, trusting(trust_, false)).ok());
}

TEST_F(BundleTest, SignedWithoutTrustedKeysIsRefused) {
  expect_refused(signed_file(BundleDensity::kLite), {}, "signature: the bundle is signed, but no");
}

TEST_F(BundleTest, WrongKeyIsRefused) {
  auto read = read_bundle(signed_file(BundleDensity::kLite), trusting(other_trust_));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kVerification);
  EXPECT_TRUE(read.error().message.starts_with("signature:")) << read.error().message;
}

TEST_F(BundleTest, AnotherPayloadTypeIsRefused) {
  auto envelope = dsse::parse_envelope(signed_file(BundleDensity::kLite)).value();
  const std::vector<const PrivateKey*> keys = {&*key_};
  auto resigned = dsse::sign_envelope("application/json", envelope.payload, keys).value();
  expect_refused(dsse::serialize(resigned).value(), trusting(trust_), "signature");
}

TEST_F(BundleTest, FlippedChunkByteIsRefused) {
  const std::string file = edit_json(unsigned_file(BundleDensity::kStrict), [](nlohmann::json& d) {
    auto& chunk = d["evidence"]["chunks"][3];
    Bytes data = decoded(chunk);
    data[17] ^= 0x01;
    chunk["data"] = encoding::base64_encode(data);
  });
  expect_refused(file, {}, "chunk 3: hash mismatch");
}

TEST_F(BundleTest, SwappedChunksAreRefused) {
  const std::string base = unsigned_file(BundleDensity::kStrict);
  const std::string swapped_data = edit_json(base, [](nlohmann::json& d) {
    auto& chunks = d["evidence"]["chunks"];
    std::swap(chunks[1]["data"], chunks[2]["data"]);
  });
  expect_refused(swapped_data, {}, "chunk 1: hash mismatch");
  const std::string swapped_entries = edit_json(base, [](nlohmann::json& d) {
    auto& chunks = d["evidence"]["chunks"];
    std::swap(chunks[1], chunks[2]);
  });
  expect_refused(swapped_entries, {}, "chunk 1: out of order or repeated (after chunk 2)");
}

TEST_F(BundleTest, DroppedChunkInStrictIsRefused) {
  const std::string file = edit_json(unsigned_file(BundleDensity::kStrict),
                                     [](nlohmann::json& d) { d["evidence"]["chunks"].erase(4); });
  expect_refused(file, {}, "strict bundle: chunk 4 is missing");
}

TEST_F(BundleTest, ChunkBytesInALiteBundleAreRefused) {
  const std::string strict = unsigned_file(BundleDensity::kStrict);
  const std::string file = edit_json(strict, [](nlohmann::json& d) { d["density"] = "lite"; });
  expect_refused(file, {}, "lite bundle: carries 10 chunk(s)");
}

TEST_F(BundleTest, ChunkOutsideTheManifestIsRefused) {
  const std::string file =
      edit_json(unsigned_file(BundleDensity::kStandard),
                [](nlohmann::json& d) { d["evidence"]["chunks"][2]["index"] = 10; });
  expect_refused(file, {}, "chunk 10: not in the manifest");
}

TEST_F(BundleTest, ChangedVerdictIsRefused) {
  const std::string file = edit_json(unsigned_file(BundleDensity::kLite), [](nlohmann::json& d) {
    ASSERT_EQ(d["entry"]["verdict"]["verdict"], "allow");  // the VEX waives the CRITICAL
    d["entry"]["verdict"]["verdict"] = "deny";
  });
  auto read = read_bundle(file, {});
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kVerification);
  EXPECT_NE(read.error().message.find("not the decision's verdictHash"), std::string::npos)
      << read.error().message;
}

TEST_F(BundleTest, ChangedTrustScoreBreaksTheSignatureOnly) {
  const auto raise = [](nlohmann::json& d) { d["entry"]["decision"]["trustScore"] = 100; };
  // The verdict hash does not cover the score: unsigned, the edit reads.
  auto unsigned_read = read_bundle(edit_json(unsigned_file(BundleDensity::kLite), raise), {});
  ASSERT_TRUE(unsigned_read.ok()) << unsigned_read.error().describe();
  EXPECT_EQ(unsigned_read->bundle.entry.decision.trust_score, 100);
  // Signed, the signature covers the whole payload.
  const std::string file = edit_payload(signed_file(BundleDensity::kLite), raise);
  auto read = read_bundle(file, trusting(trust_));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kVerification);
  EXPECT_TRUE(read.error().message.starts_with("signature:")) << read.error().message;
}

TEST_F(BundleTest, ManifestThatDoesNotBuildItsRootIsRefused) {
  const std::string file = edit_json(unsigned_file(BundleDensity::kLite), [](nlohmann::json& d) {
    d["evidence"]["manifest"]["chunks"][5]["hash"] = "sha256:" + std::string(64, '0');
  });
  expect_refused(file, {}, "proofRoot mismatch: the manifest's chunk hashes build");
}

TEST_F(BundleTest, ManifestOfOtherEvidenceIsRefused) {
  auto other = ChunkedEvidence::split(as_bytes("other evidence"), "text/plain").value();
  const std::string file = edit_json(unsigned_file(BundleDensity::kLite), [&](nlohmann::json& d) {
    d["evidence"]["manifest"] = nlohmann::json::parse(manifest_to_json(manifest_of(other)).value());
  });
  expect_refused(file, {}, "proofRoot mismatch: the evidence manifest's proofRoot");
}

TEST_F(BundleTest, TruncatedFileIsRefused) {
  for (BundleDensity density : {BundleDensity::kLite, BundleDensity::kStrict}) {
    for (const std::string& file : {unsigned_file(density), signed_file(density)}) {
      auto read = read_bundle(file.substr(0, file.size() * 2 / 3), trusting(trust_));
      ASSERT_FALSE(read.ok());
      EXPECT_EQ(read.error().code, ErrorCode::kParse) << read.error().describe();
      EXPECT_TRUE(read.error().message.starts_with("bundle")) << read.error().message;
    }
  }
  EXPECT_FALSE(read_bundle("", {}).ok());
}

TEST_F(BundleTest, UnknownVersionAndMembersAreRefused) {
  const std::string base = unsigned_file(BundleDensity::kLite);
  auto version = read_bundle(
      edit_json(base,
                [](nlohmann::json& d) { d["bundleVersion"] = "zastava.provcache.bundle/v2"; }),
      {});
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.error().code, ErrorCode::kUnsupported);
  expect_refused(edit_json(base, [](nlohmann::json& d) { d["extra"] = 1; }), {},
                 "unknown member \"extra\"");
  expect_refused(edit_json(base, [](nlohmann::json& d) { d["density"] = "full"; }), {},
                 "unknown density \"full\"");
  expect_refused(edit_json(base,
                           [](nlohmann::json& d) {
                             d["evidence"]["chunks"] = {{{"index", 0}, {"data", "!!"}}};
                           }),
                 {}, "chunks[0]: data");
}

TEST_F(BundleTest, MakeBundleRefusesChunksThatDoNotMatch) {
  std::vector<Bytes> leading(decision_.evidence.chunks().begin(),
                             decision_.evidence.chunks().begin() + 3);
  leading[1][0] ^= 0xff;
  auto made = make_bundle(BundleDensity::kStandard, decision_.entry,
                          manifest_of(decision_.evidence), leading);
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.error().message.find("chunk 1: hash mismatch"), std::string::npos)
      << made.error().message;
  leading.resize(2);
  auto short_strict = make_bundle(BundleDensity::kStrict, decision_.entry,
                                  manifest_of(decision_.evidence), leading);
  ASSERT_FALSE(short_strict.ok());
}

TEST_F(BundleTest, LazilyFetchedChunksVerifyAgainstTheManifest) {
  const EvidenceManifest manifest = manifest_of(decision_.evidence);
  const auto& chunks = decision_.evidence.chunks();
  EXPECT_TRUE(verify_manifest_chunk(manifest, 7, chunks[7]).ok());
  auto wrong = verify_manifest_chunk(manifest, 7, chunks[6]);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("chunk 7: hash mismatch"), std::string::npos);
  auto short_chunk = verify_manifest_chunk(manifest, 9, Bytes(3, 0));
  ASSERT_FALSE(short_chunk.ok());
  EXPECT_NE(short_chunk.error().message.find("chunk 9: size mismatch"), std::string::npos);
  EXPECT_TRUE(verify_complete_evidence(manifest, chunks).ok());
  std::vector<Bytes> missing(chunks.begin(), chunks.end() - 1);
  EXPECT_FALSE(verify_complete_evidence(manifest, missing).ok());
}

}  // namespace
}  // namespace zastava::provcache
