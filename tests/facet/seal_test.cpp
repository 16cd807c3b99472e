// Tests for facet/seal.hpp: the payload layout of the seed's section 5, strict
// parsing, signing and verification with ECDSA P-256 and Ed25519 keys, the
// tamper cases, and the seals file.
#include "facet/seal.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "dsse/signing.hpp"
#include "facet/manifest.hpp"
#include "json/canonical_json.hpp"

namespace zastava::facet {
namespace {

using Json = nlohmann::json;

const std::string kHashA = "sha256:" + std::string(64, 'a');
const std::string kHashB = "sha256:" + std::string(64, 'b');
const std::string kImageDigest = "sha256:" + std::string(64, '1');
constexpr std::int64_t kJan1 = 1767225600;  // 2026-01-01T00:00:00Z (GNU date)

// A seal whose manifest is written by hand (its root is not the real one:
// the payload functions do not check roots; verify_seal does).
FacetSeal handmade_seal() {
  FacetSeal seal;
  seal.seal_id = "550e8400-e29b-41d4-a716-446655440000";
  seal.image_ref = "registry.example.com/app:v1.2.3";
  seal.image_digest = kImageDigest;
  seal.manifest.facet_id = "os";
  seal.manifest.type = FacetType::kOs;
  seal.manifest.files = {
      FileEntry{"/etc/localtime", kHashB, 27, 0777, kJan1, EntryKind::kSymlink},
      FileEntry{"/etc/os-release", kHashA, 256, 0644, kJan1, EntryKind::kRegular}};
  seal.manifest.merkle_root = "sha256:" + std::string(64, 'd');
  seal.manifest.file_count = 2;
  seal.manifest.total_bytes = 283;
  seal.manifest.extracted_at = "2026-01-05T10:00:00.000Z";
  seal.manifest.extractor_version = "1.0.0";
  seal.sealed_at = "2026-01-05T10:05:00.000Z";
  seal.sealed_by = "scanner-worker-01";
  seal.quota = FacetQuota{5.0, 100, 25, 10, QuotaAction::kWarn};
  return seal;
}

// A seal with a real manifest, as `stella seal` makes them.
FacetSeal real_seal(std::string facet_id = "config", FacetType type = FacetType::kConfig) {
  auto manifest =
      build_manifest(std::move(facet_id), type,
                     {FileEntry{"/etc/hosts", kHashA, 20, 0644, kJan1},
                      FileEntry{"/etc/hostname", kHashB, 8, 0644, kJan1},
                      FileEntry{"/etc/mtab", kHashB, 19, 0777, kJan1, EntryKind::kSymlink}},
                     "2026-01-05T10:00:00.000Z");
  EXPECT_TRUE(manifest.ok()) << manifest.error().describe();
  FacetSeal seal;
  seal.seal_id = new_seal_id();
  seal.image_ref = "oci:/images/app:v1";
  seal.image_digest = kImageDigest;
  seal.manifest = std::move(manifest).value();
  seal.sealed_at = "2026-01-05T10:05:00.000Z";
  seal.sealed_by = "ci@example.com";
  seal.quota = FacetQuota{20.0, 50, 25, 10, QuotaAction::kWarn};
  return seal;
}

crypto::PrivateKey generate(crypto::KeyType type) {
  auto key = crypto::PrivateKey::generate(type);
  EXPECT_TRUE(key.ok());
  return std::move(key).value();
}

dsse::TrustSet trust_of(const crypto::PrivateKey& key) {
  dsse::TrustSet trust;
  trust.add(key.public_key());
  return trust;
}

dsse::Envelope sign(const FacetSeal& seal, const crypto::PrivateKey& key) {
  const std::vector<const crypto::PrivateKey*> keys = {&key};
  auto envelope = sign_seal(seal, keys);
  EXPECT_TRUE(envelope.ok()) << envelope.error().describe();
  return std::move(envelope).value();
}

// Signs arbitrary payload bytes with the facet seal payload type.
dsse::Envelope sign_raw(std::string_view payload, const crypto::PrivateKey& key,
                        std::string_view payload_type = kFacetSealPayloadType) {
  const std::vector<const crypto::PrivateKey*> keys = {&key};
  auto envelope = dsse::sign_envelope(payload_type, as_bytes(payload), keys);
  EXPECT_TRUE(envelope.ok());
  return std::move(envelope).value();
}

std::set<std::string> keys_of(const Json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

// ---- the payload ----

// The seed's example lists "mode" before "modTime", but RFC 8785 orders
// members by UTF-16 code units and 'T' (0x54) < 'e' (0x65), so canonical JSON
// has "modTime" first.
TEST(FacetSealPayload, IsTheSeedsLayoutExactly) {
  auto payload = seal_payload_json(handmade_seal());
  ASSERT_TRUE(payload.ok()) << payload.error().describe();
  const std::string a64(64, 'a'), b64(64, 'b'), d64(64, 'd'), one64(64, '1');
  const std::string expected =
      R"({"_type":"https://stellaops.io/FacetSeal/v1","facetId":"os","facetType":"OS",)"
      R"("imageDigest":"sha256:)" +
      one64 +
      R"(","imageRef":"registry.example.com/app:v1.2.3",)"
      R"("manifest":{"extractedAt":"2026-01-05T10:00:00.000Z","extractorVersion":"1.0.0",)"
      R"("fileCount":2,"files":[)"
      R"({"contentHash":"sha256:)" +
      b64 +
      R"(","kind":"symlink","modTime":"2026-01-01T00:00:00.000Z",)"
      R"("mode":"0777","path":"/etc/localtime","size":27},)"
      R"({"contentHash":"sha256:)" +
      a64 +
      R"(","modTime":"2026-01-01T00:00:00.000Z",)"
      R"("mode":"0644","path":"/etc/os-release","size":256}],)"
      R"("merkleRoot":"sha256:)" +
      d64 +
      R"(","totalBytes":283},)"
      R"("quota":{"maxAddedFiles":25,"maxChangedFiles":100,"maxChurnPercent":5,)"
      R"("maxRemovedFiles":10,"onExceed":"Warn"},)"
      R"("sealId":"550e8400-e29b-41d4-a716-446655440000",)"
      R"("sealedAt":"2026-01-05T10:05:00.000Z","sealedBy":"scanner-worker-01"})";
  EXPECT_EQ(*payload, expected);
}

TEST(FacetSealPayload, FieldNamesAreTheSeeds) {
  const Json document = Json::parse(seal_payload_json(handmade_seal()).value());
  EXPECT_EQ(keys_of(document),
            (std::set<std::string>{"_type", "facetId", "facetType", "imageDigest", "imageRef",
                                   "manifest", "quota", "sealId", "sealedAt", "sealedBy"}));
  EXPECT_EQ(keys_of(document["manifest"]),
            (std::set<std::string>{"extractedAt", "extractorVersion", "fileCount", "files",
                                   "merkleRoot", "totalBytes"}));
  EXPECT_EQ(keys_of(document["manifest"]["files"][1]),
            (std::set<std::string>{"contentHash", "mode", "modTime", "path", "size"}));
  EXPECT_EQ(keys_of(document["quota"]),
            (std::set<std::string>{"maxAddedFiles", "maxChangedFiles", "maxChurnPercent",
                                   "maxRemovedFiles", "onExceed"}));
}

TEST(FacetSealPayload, IsCanonicalAndRoundTrips) {
  const FacetSeal seal = real_seal();
  auto payload = seal_payload_json(seal);
  ASSERT_TRUE(payload.ok());
  EXPECT_EQ(json::canonicalize_text(*payload).value(), *payload);
  auto parsed = parse_seal_payload(*payload);
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(*parsed, seal);
}

TEST(FacetSealPayload, NoQuotaIsNull) {
  FacetSeal seal = handmade_seal();
  seal.quota.reset();
  const std::string payload = seal_payload_json(seal).value();
  EXPECT_NE(payload.find(R"("quota":null)"), std::string::npos);
  auto parsed = parse_seal_payload(payload);
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->quota.has_value());
}

TEST(FacetSealPayload, RefusesToWriteWhatItCouldNotRead) {
  const auto expect_refused = [](const FacetSeal& seal, std::string_view field) {
    auto payload = seal_payload_json(seal);
    ASSERT_FALSE(payload.ok()) << field;
    EXPECT_EQ(payload.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(payload.error().message.find(field), std::string::npos) << payload.error().message;
  };
  FacetSeal seal = handmade_seal();
  seal.sealed_by.clear();
  expect_refused(seal, "sealedBy");
  seal = handmade_seal();
  seal.seal_id = "550E8400-E29B-41D4-A716-446655440000";
  expect_refused(seal, "sealId");
  seal = handmade_seal();
  seal.manifest.files[0].size = (1ull << 53) + 1;
  expect_refused(seal, "manifest.files[0].size");
  seal = handmade_seal();
  seal.manifest.type = FacetType::kConfig;
  expect_refused(seal, "facetType");
  seal = handmade_seal();
  seal.image_digest = "sha256:123";
  expect_refused(seal, "imageDigest");
  seal = handmade_seal();
  seal.quota->max_churn_percent = 101;
  expect_refused(seal, "quota.maxChurnPercent");
  seal = handmade_seal();
  seal.sealed_at = "yesterday";
  expect_refused(seal, "sealedAt");
}

TEST(FacetSealPayload, EmptyImageDigestIsAllowedForRootfsDirectories) {
  FacetSeal seal = handmade_seal();
  seal.image_digest.clear();
  auto parsed = parse_seal_payload(seal_payload_json(seal).value());
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(parsed->image_digest, "");
}

// Applies `edit` to the handmade payload's JSON and parses the result,
// expecting a kParse error that mentions `field`.
void expect_parse_error(const std::function<void(Json&)>& edit, std::string_view field) {
  Json document = Json::parse(seal_payload_json(handmade_seal()).value());
  edit(document);
  auto parsed = parse_seal_payload(document.dump());
  ASSERT_FALSE(parsed.ok()) << field;
  EXPECT_EQ(parsed.error().code, ErrorCode::kParse);
  EXPECT_NE(parsed.error().message.find(field), std::string::npos) << parsed.error().message;
  EXPECT_NE(parsed.error().message.find("facet seal payload"), std::string::npos);
}

TEST(FacetSealPayload, ParsingIsStrict) {
  expect_parse_error([](Json& d) { d.erase("sealedBy"); }, "sealedBy is missing");
  expect_parse_error([](Json& d) { d.erase("quota"); }, "quota is missing");
  expect_parse_error([](Json& d) { d["extra"] = 1; }, "unknown member \"extra\"");
  expect_parse_error([](Json& d) { d["manifest"]["files"][0]["owner"] = "root"; },
                     "unknown member \"owner\"");
  expect_parse_error([](Json& d) { d["_type"] = "https://in-toto.io/Statement/v1"; }, "_type");
  expect_parse_error([](Json& d) { d["sealId"] = "not-a-uuid"; }, "sealId");
  expect_parse_error([](Json& d) { d["facetType"] = "Config"; }, "facetType");
  expect_parse_error([](Json& d) { d["facetType"] = "Operating"; }, "facetType");
  expect_parse_error([](Json& d) { d["facetId"] = "nope"; }, "facetId");
  expect_parse_error([](Json& d) { d["imageRef"] = 7; }, "imageRef must be a string");
  expect_parse_error([](Json& d) { d["manifest"]["files"] = Json::object(); },
                     "manifest.files must be an array");
  expect_parse_error([](Json& d) { d["manifest"]["files"][1]["mode"] = "644"; },
                     "manifest.files[1].mode");
  expect_parse_error([](Json& d) { d["manifest"]["files"][1]["modTime"] = "2026-01-01"; },
                     "manifest.files[1].modTime");
  expect_parse_error([](Json& d) { d["manifest"]["files"][1]["contentHash"] = "sha256:abc"; },
                     "manifest.files[1].contentHash");
  expect_parse_error([](Json& d) { d["manifest"]["files"][1]["size"] = -1; },
                     "manifest.files[1].size");
  expect_parse_error([](Json& d) { d["manifest"]["files"][1]["size"] = 2.5; },
                     "manifest.files[1].size");
  expect_parse_error([](Json& d) { d["manifest"]["files"][1]["size"] = "256"; },
                     "manifest.files[1].size");
  expect_parse_error([](Json& d) { d["manifest"]["files"][1]["kind"] = "file"; },
                     "manifest.files[1].kind");
  expect_parse_error([](Json& d) { d["manifest"]["merkleRoot"] = "def456"; },
                     "manifest.merkleRoot");
  expect_parse_error([](Json& d) { d["quota"]["onExceed"] = "Deny"; }, "quota.onExceed");
  expect_parse_error([](Json& d) { d["quota"]["maxChurnPercent"] = 250; }, "quota.maxChurnPercent");
  expect_parse_error([](Json& d) { d["quota"] = "Warn"; }, "quota must be an object");
  expect_parse_error([](Json& d) { d = Json::array(); }, "payload must be an object");
}

TEST(FacetSealPayload, RejectsMalformedJson) {
  auto parsed = parse_seal_payload(R"({"_type":"x",)");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kParse);
  EXPECT_NE(parsed.error().message.find("facet seal payload"), std::string::npos);
  EXPECT_FALSE(parse_seal_payload(R"({"sealId":"a","sealId":"b"})").ok());  // duplicate key
}

TEST(FacetSealId, IsARandomLowerCaseUuidV4) {
  const std::regex form("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 64; ++i) {
    const std::string id = new_seal_id();
    EXPECT_TRUE(std::regex_match(id, form)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 64u);
}

// ---- signing and verification ----

class FacetSealSigning : public ::testing::TestWithParam<crypto::KeyType> {};

TEST_P(FacetSealSigning, RoundTrips) {
  const crypto::PrivateKey key = generate(GetParam());
  const FacetSeal seal = real_seal();
  const dsse::Envelope envelope = sign(seal, key);
  EXPECT_EQ(envelope.payload_type, kFacetSealPayloadType);
  EXPECT_EQ(as_string(envelope.payload), seal_payload_json(seal).value());
  auto verified = verify_seal(envelope, trust_of(key));
  ASSERT_TRUE(verified.ok()) << verified.error().describe();
  EXPECT_EQ(verified->seal, seal);
  EXPECT_EQ(verified->keyids, std::vector<std::string>{key.public_key().keyid()});
}

TEST_P(FacetSealSigning, AnEditedEntryResignedBySameKeyFailsOnTheRoot) {
  const crypto::PrivateKey key = generate(GetParam());
  const FacetSeal seal = real_seal();
  Json document = Json::parse(seal_payload_json(seal).value());
  document["manifest"]["files"][0]["contentHash"] = "sha256:" + std::string(64, 'e');
  const std::string edited = json::canonicalize(document).value();
  auto verified = verify_seal(sign_raw(edited, key), trust_of(key));
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, ErrorCode::kVerification);
  EXPECT_NE(verified.error().message.find("merkleRoot"), std::string::npos)
      << verified.error().message;
  EXPECT_NE(verified.error().message.find(seal.seal_id), std::string::npos);
}

TEST_P(FacetSealSigning, AWrongKeyFailsOnTheSignature) {
  const crypto::PrivateKey key = generate(GetParam());
  const crypto::PrivateKey other = generate(GetParam());
  auto verified = verify_seal(sign(real_seal(), key), trust_of(other));
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, ErrorCode::kVerification);
  EXPECT_TRUE(verified.error().message.starts_with("facet seal signature"))
      << verified.error().message;
}

TEST_P(FacetSealSigning, AnAlteredPayloadFailsOnTheSignature) {
  const crypto::PrivateKey key = generate(GetParam());
  dsse::Envelope envelope = sign(real_seal(), key);
  envelope.payload.back() = ' ';  // one byte changed after signing
  auto verified = verify_seal(envelope, trust_of(key));
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, ErrorCode::kVerification);
  EXPECT_TRUE(verified.error().message.starts_with("facet seal signature"));
}

INSTANTIATE_TEST_SUITE_P(Keys, FacetSealSigning,
                         ::testing::Values(crypto::KeyType::kEcdsaP256, crypto::KeyType::kEd25519),
                         [](const auto& param_info) {
                           return param_info.param == crypto::KeyType::kEd25519 ? "Ed25519"
                                                                                : "EcdsaP256";
                         });

TEST(FacetSealVerify, WrongPayloadType) {
  const crypto::PrivateKey key = generate(crypto::KeyType::kEd25519);
  const dsse::Envelope envelope =
      sign_raw(seal_payload_json(real_seal()).value(), key, "application/vnd.in-toto+json");
  auto verified = verify_seal(envelope, trust_of(key));
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, ErrorCode::kVerification);
  EXPECT_NE(verified.error().message.find("payload type"), std::string::npos);
  EXPECT_NE(verified.error().message.find(std::string(kFacetSealPayloadType)), std::string::npos);
}

TEST(FacetSealVerify, MalformedPayloadsSignedByATrustedKey) {
  const crypto::PrivateKey key = generate(crypto::KeyType::kEd25519);
  auto not_json = verify_seal(sign_raw("{not json", key), trust_of(key));
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.error().code, ErrorCode::kParse);
  EXPECT_TRUE(not_json.error().message.starts_with("facet seal payload"));

  Json document = Json::parse(seal_payload_json(real_seal()).value());
  document.erase("imageDigest");
  auto missing = verify_seal(sign_raw(document.dump(), key), trust_of(key));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kParse);
  EXPECT_NE(missing.error().message.find("imageDigest is missing"), std::string::npos);
}

TEST(FacetSealVerify, TwoSignersAndAThreshold) {
  const crypto::PrivateKey ecdsa = generate(crypto::KeyType::kEcdsaP256);
  const crypto::PrivateKey ed25519 = generate(crypto::KeyType::kEd25519);
  const std::vector<const crypto::PrivateKey*> keys = {&ecdsa, &ed25519};
  const dsse::Envelope envelope = sign_seal(real_seal(), keys).value();
  dsse::TrustSet both;
  both.add(ecdsa.public_key());
  both.add(ed25519.public_key());
  auto verified = verify_seal(envelope, both, 2);
  ASSERT_TRUE(verified.ok()) << verified.error().describe();
  EXPECT_EQ(verified->keyids.size(), 2u);
  const dsse::Envelope single = sign(real_seal(), ecdsa);
  EXPECT_FALSE(verify_seal(single, both, 2).ok());
}

// ---- seals files ----

SealsFile two_seals(const crypto::PrivateKey& key) {
  SealsFile file;
  file.image_ref = "oci:/images/app:v1";
  file.image_digest = kImageDigest;
  file.seals.push_back(sign(real_seal("config", FacetType::kConfig), key));
  file.seals.push_back(sign(real_seal("custom/etc", FacetType::kCustom), key));
  return file;
}

TEST(FacetSealsFile, RoundTripsAndVerifies) {
  const crypto::PrivateKey key = generate(crypto::KeyType::kEcdsaP256);
  const SealsFile file = two_seals(key);
  auto text = serialize_seals_file(file);
  ASSERT_TRUE(text.ok()) << text.error().describe();
  EXPECT_EQ(json::canonicalize_text(*text).value(), *text);
  const Json document = Json::parse(*text);
  EXPECT_EQ(keys_of(document),
            (std::set<std::string>{"imageDigest", "imageRef", "seals", "sealsVersion"}));
  EXPECT_EQ(document["sealsVersion"], "v1");
  EXPECT_EQ(document["seals"][0]["payloadType"], kFacetSealPayloadType);

  auto parsed = parse_seals_file(*text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(parsed->image_ref, file.image_ref);
  EXPECT_EQ(parsed->image_digest, file.image_digest);
  EXPECT_EQ(parsed->seals, file.seals);

  auto verified = verify_seals_file(*parsed, trust_of(key));
  ASSERT_TRUE(verified.ok()) << verified.error().describe();
  ASSERT_EQ(verified->size(), 2u);
  EXPECT_EQ((*verified)[0].seal.manifest.facet_id, "config");
  EXPECT_EQ((*verified)[1].seal.manifest.facet_id, "custom/etc");
}

void expect_file_error(std::string_view text, ErrorCode code, std::string_view part) {
  auto parsed = parse_seals_file(text);
  ASSERT_FALSE(parsed.ok()) << text;
  EXPECT_EQ(parsed.error().code, code) << parsed.error().describe();
  EXPECT_NE(parsed.error().message.find(part), std::string::npos) << parsed.error().message;
  EXPECT_NE(parsed.error().message.find("seals file"), std::string::npos);
}

TEST(FacetSealsFile, ParseErrors) {
  const std::string digest = R"("imageDigest":"sha256:)" + std::string(64, '1') + R"(")";
  const std::string envelope =
      R"({"payload":"e30=","payloadType":"x","signatures":[{"keyid":"k","sig":"AAAA"}]})";
  expect_file_error("[]", ErrorCode::kParse, "object");
  expect_file_error("{", ErrorCode::kParse, "seals file");
  expect_file_error(R"({"imageRef":"a",)" + digest + R"(,"seals":[)" + envelope + "]}",
                    ErrorCode::kParse, "sealsVersion is missing");
  expect_file_error(
      R"({"sealsVersion":"v2","imageRef":"a",)" + digest + R"(,"seals":[)" + envelope + "]}",
      ErrorCode::kUnsupported, "v2");
  expect_file_error(R"({"sealsVersion":"v1","imageRef":"a",)" + digest + R"(,"seals":[]})",
                    ErrorCode::kParse, "seals is empty");
  expect_file_error(R"({"sealsVersion":"v1",)" + digest + R"(,"seals":[)" + envelope + "]}",
                    ErrorCode::kParse, "imageRef is missing");
  expect_file_error(R"({"sealsVersion":"v1","imageRef":"a","imageDigest":"sha256:12","seals":[)" +
                        envelope + "]}",
                    ErrorCode::kParse, "imageDigest");
  expect_file_error(R"({"sealsVersion":"v1","imageRef":"a",)" + digest + R"(,"seals":[)" +
                        envelope + R"(],"note":1})",
                    ErrorCode::kParse, "unknown member \"note\"");
  expect_file_error(
      R"({"sealsVersion":"v1","imageRef":"a",)" + digest + R"(,"seals":[{"payloadType":"x"}]})",
      ErrorCode::kParse, "seals[0]");
  expect_file_error(R"({"sealsVersion":"v1","imageRef":"a",)" + digest + R"(,"seals":[1]})",
                    ErrorCode::kParse, "seals[0]");
  // The minimal well-formed file parses.
  EXPECT_TRUE(parse_seals_file(R"({"sealsVersion":"v1","imageRef":"a",)" + digest +
                               R"(,"seals":[)" + envelope + "]}")
                  .ok());
}

TEST(FacetSealsFile, VerificationChecksTheImageAndDuplicates) {
  const crypto::PrivateKey key = generate(crypto::KeyType::kEd25519);
  SealsFile other_ref = two_seals(key);
  other_ref.image_ref = "oci:/images/app:v2";
  auto ref = verify_seals_file(other_ref, trust_of(key));
  ASSERT_FALSE(ref.ok());
  EXPECT_EQ(ref.error().code, ErrorCode::kVerification);
  EXPECT_NE(ref.error().message.find("seals[0] (facet config): imageRef"), std::string::npos)
      << ref.error().message;

  SealsFile other_digest = two_seals(key);
  other_digest.image_digest = "sha256:" + std::string(64, '2');
  auto digest = verify_seals_file(other_digest, trust_of(key));
  ASSERT_FALSE(digest.ok());
  EXPECT_NE(digest.error().message.find("imageDigest"), std::string::npos);

  SealsFile twice = two_seals(key);
  twice.seals[1] = twice.seals[0];
  auto duplicate = verify_seals_file(twice, trust_of(key));
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.error().message.find("seals[1] (facet config): the facet is sealed twice"),
            std::string::npos);

  SealsFile tampered = two_seals(key);
  tampered.seals[1].payload[10] ^= 1;
  auto signature = verify_seals_file(tampered, trust_of(key));
  ASSERT_FALSE(signature.ok());
  EXPECT_TRUE(signature.error().message.starts_with("seals[1]: facet seal signature"))
      << signature.error().message;
}

}  // namespace
}  // namespace zastava::facet
