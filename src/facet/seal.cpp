#include "facet/seal.hpp"

#include <openssl/rand.h>

#include <array>
#include <cmath>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "base/hex.hpp"
#include "digest/content_id.hpp"
#include "dsse/signing.hpp"
#include "dsse/verification.hpp"
#include "facet/manifest.hpp"
#include "facet/names.hpp"
#include "json/canonical_json.hpp"
#include "merkle/merkle_tree.hpp"

namespace zastava::facet {
namespace {

using Json = nlohmann::json;

// JSON numbers are doubles (RFC 8785): integers above 2^53 would change.
constexpr std::uint64_t kMaxJsonInteger = 1ull << 53;
constexpr std::string_view kSealsVersion = "v1";

// Thrown inside this file only; turned into an Error at the boundary.
struct FieldError {
  std::string message;
};

[[noreturn]] void fail(const std::string& field, std::string_view problem) {
  throw FieldError{field + " " + std::string(problem)};
}

std::string join(const std::string& parent, std::string_view name) {
  return parent.empty() ? std::string(name) : parent + "." + std::string(name);
}

// ---- checks shared by writing and reading, so what is written can be read ----

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = text[i];
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (dash_position ? c != '-' : !hex) return false;
  }
  return true;
}

void check_time(std::string_view text, const std::string& field) {
  if (auto time = parse_time(text); !time) fail(field, "is invalid: " + time.error().message);
}

void check_sha256(std::string_view text, const std::string& field) {
  if (!is_sha256_content_id(text)) {
    fail(field, "\"" + std::string(text) + "\" is not \"sha256:<64 lower-case hex digits>\"");
  }
}

void check_json_integer(std::uint64_t value, const std::string& field) {
  if (value > kMaxJsonInteger) fail(field, "is above 2^53, which JSON cannot carry exactly");
}

void check_quota(const FacetQuota& quota) {
  if (!(quota.max_churn_percent >= 0.0 && quota.max_churn_percent <= 100.0)) {
    fail("quota.maxChurnPercent", "must be between 0 and 100");
  }
  const std::initializer_list<std::pair<const char*, std::int64_t>> counts = {
      {"quota.maxChangedFiles", quota.max_changed_files},
      {"quota.maxAddedFiles", quota.max_added_files},
      {"quota.maxRemovedFiles", quota.max_removed_files}};
  for (const auto& [field, count] : counts) {
    if (count < 0) fail(field, "must be >= 0");
    check_json_integer(static_cast<std::uint64_t>(count), field);
  }
}

void check_seal(const FacetSeal& seal) {
  if (!is_uuid(seal.seal_id)) fail("sealId", "\"" + seal.seal_id + "\" is not a lower-case UUID");
  if (seal.image_ref.empty()) fail("imageRef", "is empty");
  if (!seal.image_digest.empty() && !digest::ContentId::parse(seal.image_digest)) {
    fail("imageDigest", "\"" + seal.image_digest + "\" is neither empty nor a content id");
  }
  check_time(seal.sealed_at, "sealedAt");
  if (seal.sealed_by.empty()) fail("sealedBy", "is empty");
  const FacetManifest& manifest = seal.manifest;
  auto family = facet_type_for_id(manifest.facet_id);
  if (!family) fail("facetId", "is invalid: " + family.error().message);
  if (*family != manifest.type) {
    fail("facetType", "\"" + std::string(facet_type_name(manifest.type)) +
                          "\" does not match facetId \"" + manifest.facet_id + "\" (expected \"" +
                          std::string(facet_type_name(*family)) + "\")");
  }
  check_time(manifest.extracted_at, "manifest.extractedAt");
  if (manifest.extractor_version.empty()) fail("manifest.extractorVersion", "is empty");
  check_sha256(manifest.merkle_root, "manifest.merkleRoot");
  check_json_integer(manifest.file_count, "manifest.fileCount");
  check_json_integer(manifest.total_bytes, "manifest.totalBytes");
  for (std::size_t i = 0; i < manifest.files.size(); ++i) {
    const FileEntry& entry = manifest.files[i];
    const std::string field = "manifest.files[" + std::to_string(i) + "]";
    if (entry.path.empty()) fail(field + ".path", "is empty");
    check_sha256(entry.content_hash, field + ".contentHash");
    check_json_integer(entry.size, field + ".size");
    if (entry.mode > 07777u) fail(field + ".mode", "has bits above 07777");
  }
  if (seal.quota) check_quota(*seal.quota);
}

// ---- writing ----

Json quota_document(const FacetQuota& quota) {
  return Json{{"maxAddedFiles", quota.max_added_files},
              {"maxChangedFiles", quota.max_changed_files},
              {"maxChurnPercent", quota.max_churn_percent},
              {"maxRemovedFiles", quota.max_removed_files},
              {"onExceed", quota_action_name(quota.on_exceed)}};
}

Json entry_document(const FileEntry& entry) {
  Json document{{"contentHash", entry.content_hash},
                {"mode", format_mode(entry.mode)},
                {"modTime", format_time(entry.mtime)},
                {"path", entry.path},
                {"size", entry.size}};
  if (entry.kind == EntryKind::kSymlink) document["kind"] = "symlink";
  return document;
}

Json seal_document(const FacetSeal& seal) {
  const FacetManifest& manifest = seal.manifest;
  Json files = Json::array();
  for (const FileEntry& entry : manifest.files) files.push_back(entry_document(entry));
  return Json{{"_type", kFacetSealType},
              {"facetId", manifest.facet_id},
              {"facetType", facet_type_name(manifest.type)},
              {"imageDigest", seal.image_digest},
              {"imageRef", seal.image_ref},
              {"manifest",
               {{"extractedAt", manifest.extracted_at},
                {"extractorVersion", manifest.extractor_version},
                {"fileCount", manifest.file_count},
                {"files", std::move(files)},
                {"merkleRoot", manifest.merkle_root},
                {"totalBytes", manifest.total_bytes}}},
              {"quota", seal.quota ? quota_document(*seal.quota) : Json(nullptr)},
              {"sealId", seal.seal_id},
              {"sealedAt", seal.sealed_at},
              {"sealedBy", seal.sealed_by}};
}

// ---- reading ----

const Json& member(const Json& object, const char* name, const std::string& parent) {
  const auto it = object.find(name);
  if (it == object.end()) fail(join(parent, name), "is missing");
  return *it;
}

void require_object(const Json& value, const std::string& field) {
  if (!value.is_object()) fail(field, "must be an object, not " + std::string(value.type_name()));
}

// Unknown members are refused: a signed payload says exactly what it means.
void only_members(const Json& object, std::initializer_list<std::string_view> known,
                  const std::string& field) {
  for (const auto& [name, value] : object.items()) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      fail(field.empty() ? "payload" : field, "has an unknown member \"" + name + "\"");
    }
  }
}

std::string string_member(const Json& object, const char* name, const std::string& parent) {
  const Json& value = member(object, name, parent);
  if (!value.is_string()) {
    fail(join(parent, name), "must be a string, not " + std::string(value.type_name()));
  }
  return value.get<std::string>();
}

// A whole number in [0, 2^53]; 1e3 is accepted as 1000 (same canonical form).
std::uint64_t count_member(const Json& object, const char* name, const std::string& parent) {
  const Json& value = member(object, name, parent);
  const std::string field = join(parent, name);
  if (value.is_number_unsigned()) {
    const auto count = value.get<std::uint64_t>();
    check_json_integer(count, field);
    return count;
  }
  if (value.is_number_integer()) {
    const auto count = value.get<std::int64_t>();
    if (count < 0) fail(field, "must be >= 0, not " + std::to_string(count));
    return static_cast<std::uint64_t>(count);
  }
  if (value.is_number_float()) {
    const double number = value.get<double>();
    if (number >= 0 && number <= static_cast<double>(kMaxJsonInteger) &&
        std::floor(number) == number) {
      return static_cast<std::uint64_t>(number);
    }
  }
  fail(field, "must be a whole number in [0, 2^53], not " + value.dump());
}

FacetQuota read_quota(const Json& document) {
  require_object(document, "quota");
  only_members(
      document,
      {"maxAddedFiles", "maxChangedFiles", "maxChurnPercent", "maxRemovedFiles", "onExceed"},
      "quota");
  FacetQuota quota;
  quota.max_added_files =
      static_cast<std::int64_t>(count_member(document, "maxAddedFiles", "quota"));
  quota.max_changed_files =
      static_cast<std::int64_t>(count_member(document, "maxChangedFiles", "quota"));
  quota.max_removed_files =
      static_cast<std::int64_t>(count_member(document, "maxRemovedFiles", "quota"));
  const Json& churn = member(document, "maxChurnPercent", "quota");
  if (!churn.is_number()) {
    fail("quota.maxChurnPercent", "must be a number, not " + std::string(churn.type_name()));
  }
  quota.max_churn_percent = churn.get<double>();
  auto action = parse_quota_action(string_member(document, "onExceed", "quota"));
  if (!action) fail("quota.onExceed", "is invalid: " + action.error().message);
  quota.on_exceed = *action;
  return quota;
}

FileEntry read_entry(const Json& document, const std::string& field) {
  require_object(document, field);
  only_members(document, {"contentHash", "kind", "mode", "modTime", "path", "size"}, field);
  FileEntry entry;
  entry.path = string_member(document, "path", field);
  entry.content_hash = string_member(document, "contentHash", field);
  entry.size = count_member(document, "size", field);
  auto mode = parse_mode(string_member(document, "mode", field));
  if (!mode) fail(field + ".mode", "is invalid: " + mode.error().message);
  entry.mode = *mode;
  auto time = parse_time(string_member(document, "modTime", field));
  if (!time) fail(field + ".modTime", "is invalid: " + time.error().message);
  entry.mtime = *time;
  if (document.contains("kind")) {
    const std::string kind = string_member(document, "kind", field);
    if (kind != "symlink") {
      fail(field + ".kind",
           "must be \"symlink\" (regular files have no kind), not \"" + kind + "\"");
    }
    entry.kind = EntryKind::kSymlink;
  }
  return entry;
}

FacetManifest read_manifest(const Json& document) {
  require_object(document, "manifest");
  only_members(
      document,
      {"extractedAt", "extractorVersion", "fileCount", "files", "merkleRoot", "totalBytes"},
      "manifest");
  FacetManifest manifest;
  manifest.extracted_at = string_member(document, "extractedAt", "manifest");
  manifest.extractor_version = string_member(document, "extractorVersion", "manifest");
  manifest.file_count = count_member(document, "fileCount", "manifest");
  manifest.merkle_root = string_member(document, "merkleRoot", "manifest");
  manifest.total_bytes = count_member(document, "totalBytes", "manifest");
  const Json& files = member(document, "files", "manifest");
  if (!files.is_array()) {
    fail("manifest.files", "must be an array, not " + std::string(files.type_name()));
  }
  manifest.files.reserve(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    manifest.files.push_back(read_entry(files[i], "manifest.files[" + std::to_string(i) + "]"));
  }
  return manifest;
}

FacetSeal read_seal(const Json& document) {
  require_object(document, "payload");
  only_members(document,
               {"_type", "facetId", "facetType", "imageDigest", "imageRef", "manifest", "quota",
                "sealId", "sealedAt", "sealedBy"},
               "");
  const std::string type = string_member(document, "_type", "");
  if (type != kFacetSealType) {
    fail("_type", "is \"" + type + "\", expected \"" + std::string(kFacetSealType) + "\"");
  }
  FacetSeal seal;
  seal.manifest = read_manifest(member(document, "manifest", ""));
  seal.manifest.facet_id = string_member(document, "facetId", "");
  auto facet_type = parse_facet_type(string_member(document, "facetType", ""));
  if (!facet_type) fail("facetType", "is invalid: " + facet_type.error().message);
  seal.manifest.type = *facet_type;
  seal.image_digest = string_member(document, "imageDigest", "");
  seal.image_ref = string_member(document, "imageRef", "");
  if (const Json& quota = member(document, "quota", ""); !quota.is_null()) {
    seal.quota = read_quota(quota);
  }
  seal.seal_id = string_member(document, "sealId", "");
  seal.sealed_at = string_member(document, "sealedAt", "");
  seal.sealed_by = string_member(document, "sealedBy", "");
  check_seal(seal);
  return seal;
}

// ---- seals files ----

Json seals_file_document(const SealsFile& file) {
  if (!file.image_digest.empty() && !digest::ContentId::parse(file.image_digest)) {
    fail("imageDigest", "\"" + file.image_digest + "\" is neither empty nor a content id");
  }
  Json seals = Json::array();
  for (std::size_t i = 0; i < file.seals.size(); ++i) {
    const std::string field = "seals[" + std::to_string(i) + "]";
    auto text = dsse::serialize(file.seals[i]);
    if (!text) fail(field, "cannot be serialized: " + text.error().message);
    auto envelope = json::parse_strict(*text);
    if (!envelope) fail(field, "cannot be serialized: " + envelope.error().message);
    seals.push_back(std::move(envelope).value());
  }
  return Json{{"imageDigest", file.image_digest},
              {"imageRef", file.image_ref},
              {"seals", std::move(seals)},
              {"sealsVersion", kSealsVersion}};
}

SealsFile read_seals_file(const Json& document) {
  require_object(document, "seals file");
  only_members(document, {"imageDigest", "imageRef", "seals", "sealsVersion"}, "seals file");
  SealsFile file;
  file.image_digest = string_member(document, "imageDigest", "");
  if (!file.image_digest.empty() && !digest::ContentId::parse(file.image_digest)) {
    fail("imageDigest", "\"" + file.image_digest + "\" is neither empty nor a content id");
  }
  file.image_ref = string_member(document, "imageRef", "");
  const Json& seals = member(document, "seals", "");
  if (!seals.is_array()) fail("seals", "must be an array, not " + std::string(seals.type_name()));
  if (seals.empty()) fail("seals", "is empty");
  for (std::size_t i = 0; i < seals.size(); ++i) {
    const std::string field = "seals[" + std::to_string(i) + "]";
    require_object(seals[i], field);
    auto envelope = dsse::parse_envelope(seals[i].dump());
    if (!envelope) fail(field, "is not a DSSE envelope: " + envelope.error().message);
    file.seals.push_back(std::move(envelope).value());
  }
  return file;
}

}  // namespace

std::string new_seal_id() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed: no random seal id");
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0fu) | 0x40u);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3fu) | 0x80u);  // RFC 4122 variant
  const std::string hex = encoding::hex_encode(ByteView(bytes.data(), bytes.size()));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

Result<std::string> seal_payload_json(const FacetSeal& seal) {
  try {
    check_seal(seal);
    auto text = json::canonicalize(seal_document(seal));
    if (!text) return text.error().with_context("facet seal payload");
    return std::move(text).value();
  } catch (const FieldError& e) {
    return make_error(ErrorCode::kInvalidArgument, "facet seal payload: " + e.message);
  }
}

Result<FacetSeal> parse_seal_payload(std::string_view json_text) {
  auto document = json::parse_strict(json_text);
  if (!document) return document.error().with_context("facet seal payload");
  try {
    return read_seal(*document);
  } catch (const FieldError& e) {
    return make_error(ErrorCode::kParse, "facet seal payload: " + e.message);
  }
}

Result<dsse::Envelope> sign_seal(const FacetSeal& seal,
                                 std::span<const crypto::PrivateKey* const> keys) {
  auto payload = seal_payload_json(seal);
  if (!payload) return payload.error();
  auto envelope = dsse::sign_envelope(kFacetSealPayloadType, as_bytes(*payload), keys);
  if (!envelope) return envelope.error().with_context("signing facet seal");
  return envelope;
}

Result<VerifiedSeal> verify_seal(const dsse::Envelope& envelope, const dsse::TrustSet& trust,
                                 std::size_t threshold) {
  auto verified = dsse::verify_envelope(envelope, trust, threshold, kFacetSealPayloadType);
  if (!verified) return verified.error().with_context("facet seal signature");
  auto seal = parse_seal_payload(as_string(verified->payload));
  if (!seal) return seal.error();
  if (Status manifest = verify_manifest(seal->manifest); !manifest) {
    return manifest.error().with_context("facet seal " + seal->seal_id);
  }
  return VerifiedSeal{std::move(seal).value(), std::move(verified->keyids)};
}

Result<std::string> serialize_seals_file(const SealsFile& file) {
  try {
    auto text = json::canonicalize(seals_file_document(file));
    if (!text) return text.error().with_context("seals file");
    return std::move(text).value();
  } catch (const FieldError& e) {
    return make_error(ErrorCode::kInvalidArgument, "seals file: " + e.message);
  }
}

Result<SealsFile> parse_seals_file(std::string_view json_text) {
  auto document = json::parse_strict(json_text);
  if (!document) return document.error().with_context("seals file");
  if (document->is_object()) {
    const auto version = document->find("sealsVersion");
    if (version == document->end()) {
      return make_error(ErrorCode::kParse, "seals file: sealsVersion is missing");
    }
    if (!version->is_string() || *version != kSealsVersion) {
      return make_error(ErrorCode::kUnsupported, "seals file: sealsVersion " + version->dump() +
                                                     " is not supported (expected \"v1\")");
    }
  }
  try {
    return read_seals_file(*document);
  } catch (const FieldError& e) {
    return make_error(ErrorCode::kParse, "seals file: " + e.message);
  }
}

Result<std::vector<VerifiedSeal>> verify_seals_file(const SealsFile& file,
                                                    const dsse::TrustSet& trust,
                                                    std::size_t threshold) {
  std::vector<VerifiedSeal> verified;
  std::set<std::string> facets;
  for (std::size_t i = 0; i < file.seals.size(); ++i) {
    const std::string where = "seals[" + std::to_string(i) + "]";
    auto seal = verify_seal(file.seals[i], trust, threshold);
    if (!seal) return seal.error().with_context(where);
    const FacetSeal& content = seal->seal;
    const std::string facet = where + " (facet " + content.manifest.facet_id + ")";
    if (content.image_ref != file.image_ref) {
      return make_error(ErrorCode::kVerification, facet + ": imageRef \"" + content.image_ref +
                                                      "\" is not the file's \"" + file.image_ref +
                                                      "\"");
    }
    if (content.image_digest != file.image_digest) {
      return make_error(ErrorCode::kVerification,
                        facet + ": imageDigest \"" + content.image_digest +
                            "\" is not the file's \"" + file.image_digest + "\"");
    }
    if (!facets.insert(content.manifest.facet_id).second) {
      return make_error(ErrorCode::kVerification, facet + ": the facet is sealed twice");
    }
    verified.push_back(std::move(seal).value());
  }
  return verified;
}

}  // namespace zastava::facet
