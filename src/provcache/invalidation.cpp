#include "provcache/invalidation.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "base/hex.hpp"
#include "digest/content_id.hpp"
#include "json/canonical_json.hpp"
#include "json/unicode.hpp"
#include "provcache/json_fields.hpp"

namespace zastava::provcache {
namespace {

constexpr std::size_t kMaxTextBytes = 1024;

struct KindName {
  InvalidationKind kind;
  std::string_view name;
};
constexpr std::array<KindName, 4> kKindNames = {
    {{InvalidationKind::kSignerSetHash, "signer_set_hash"},
     {InvalidationKind::kPolicyHash, "policy_hash"},
     {InvalidationKind::kFeedEpoch, "feed_epoch"},
     {InvalidationKind::kExpired, "expired"}}};

Status check_text(std::string_view field, std::string_view text) {
  if (text.size() > kMaxTextBytes) {
    return make_error(ErrorCode::kInvalidArgument, "invalidation: " + std::string(field) +
                                                       " is longer than 1 KiB (" +
                                                       std::to_string(text.size()) + " bytes)");
  }
  if (auto bad = json::find_invalid_utf8(text)) {
    return make_error(ErrorCode::kInvalidArgument, "invalidation: " + std::string(field) +
                                                       " is not valid UTF-8 at byte " +
                                                       std::to_string(*bad));
  }
  return ok_status();
}

bool needs_content_id(InvalidationKind kind) noexcept {
  return kind == InvalidationKind::kSignerSetHash || kind == InvalidationKind::kPolicyHash;
}

// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", lower-case hex.
bool is_uuid_text(std::string_view text) noexcept {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = text[i];
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string random_uuid_v4() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed: the OpenSSL random generator is not seeded");
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0fU) | 0x40U);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3fU) | 0x80U);  // RFC 4122 variant
  const std::string hex = encoding::hex_encode(ByteView(bytes.data(), bytes.size()));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

InvalidationKind kind_member(const JsonFields& fields, const char* name) {
  const std::string text = fields.string(name);
  const auto kind = parse_invalidation_kind(text);
  if (!kind) {
    fields.fail(std::string("\"") + name + "\": \"" + text +
                "\" is not one of signer_set_hash, policy_hash, feed_epoch, expired");
  }
  return *kind;
}

Status validate_record(const RevocationRecord& record) {
  if (!is_uuid_text(record.revocation_id)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "revocation: revocationId \"" + record.revocation_id + "\" is not a UUID");
  }
  if (!parse_invalidation_kind(record.revocation_type)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "revocation: unknown revocationType \"" + record.revocation_type + "\"");
  }
  for (const auto& [field, text] :
       {std::pair<std::string_view, const std::string&>{"targetHash", record.target_hash},
        {"reason", record.reason},
        {"actor", record.actor}}) {
    if (Status status = check_text(field, text); !status) return status;
  }
  if (auto created = format_utc_time(record.created_at_seconds); !created) {
    return created.error().with_context("revocation: createdAt");
  }
  return ok_status();
}

}  // namespace

std::string_view to_string(InvalidationKind kind) noexcept {
  for (const KindName& entry : kKindNames) {
    if (entry.kind == kind) return entry.name;
  }
  return "unknown";
}

std::optional<InvalidationKind> parse_invalidation_kind(std::string_view text) noexcept {
  for (const KindName& entry : kKindNames) {
    if (entry.name == text) return entry.kind;
  }
  return std::nullopt;
}

Status validate(const InvalidationRequest& request) {
  for (const auto& [field, text] :
       {std::pair<std::string_view, const std::string&>{"value", request.value},
        {"reason", request.reason},
        {"actor", request.actor}}) {
    if (Status status = check_text(field, text); !status) return status;
  }
  if (request.by != InvalidationKind::kExpired && request.value.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "invalidation by " + std::string(to_string(request.by)) + " needs a value");
  }
  if (needs_content_id(request.by)) {
    if (auto id = digest::ContentId::parse(request.value); !id) {
      return make_error(ErrorCode::kInvalidArgument, "invalidation by " +
                                                         std::string(to_string(request.by)) +
                                                         ": value: " + id.error().message);
    }
  }
  return ok_status();
}

Result<std::string> invalidation_to_json(const InvalidationRequest& request) {
  if (Status status = validate(request); !status) return status.error();
  nlohmann::json document{{"by", to_string(request.by)}, {"value", request.value}};
  if (!request.reason.empty()) document["reason"] = request.reason;
  if (!request.actor.empty()) document["actor"] = request.actor;
  return json::canonicalize(document);
}

Result<InvalidationRequest> parse_invalidation(std::string_view json_text) {
  auto parsed = json::parse_strict(json_text);
  if (!parsed) return parsed.error().with_context("invalidation");
  try {
    const JsonFields fields(*parsed, "invalidation");
    fields.allow_only({"by", "value", "reason", "actor"});
    InvalidationRequest request;
    request.by = kind_member(fields, "by");
    request.value = fields.optional_string("value");
    request.reason = fields.optional_string("reason");
    request.actor = fields.optional_string("actor");
    if (Status status = validate(request); !status) return status.error();
    return request;
  } catch (const FieldError& failure) {
    return make_error(ErrorCode::kParse, failure.message);
  }
}

int compare_feed_epochs(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  const int order = a.compare(b);
  return order < 0 ? -1 : (order > 0 ? 1 : 0);
}

bool matches(const InvalidationRequest& request, const ProvcacheEntry& entry,
             std::int64_t now_seconds) noexcept {
  switch (request.by) {
    case InvalidationKind::kSignerSetHash:
      return entry.signer_set_hash == request.value;
    case InvalidationKind::kPolicyHash:
      return entry.policy_hash == request.value;
    case InvalidationKind::kFeedEpoch:
      return compare_feed_epochs(entry.feed_epoch, request.value) < 0;
    case InvalidationKind::kExpired:
      return entry.expires_at() <= now_seconds;
  }
  return false;
}

void merge(InvalidationResult& into, const InvalidationResult& other) {
  std::vector<std::string> merged;
  merged.reserve(into.veri_keys.size() + other.veri_keys.size());
  std::set_union(into.veri_keys.begin(), into.veri_keys.end(), other.veri_keys.begin(),
                 other.veri_keys.end(), std::back_inserter(merged));
  merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
  into.veri_keys = std::move(merged);
}

RevocationRecord make_revocation_record(const InvalidationRequest& request,
                                        std::uint64_t entries_affected,
                                        std::int64_t created_at_seconds) {
  return RevocationRecord{random_uuid_v4(),  std::string(to_string(request.by)),
                          request.value,     request.reason,
                          request.actor,     entries_affected,
                          created_at_seconds};
}

Result<std::string> revocation_to_json(const RevocationRecord& record) {
  if (Status status = validate_record(record); !status) return status.error();
  const nlohmann::json document{{"revocationId", record.revocation_id},
                                {"revocationType", record.revocation_type},
                                {"targetHash", record.target_hash},
                                {"reason", record.reason},
                                {"actor", record.actor},
                                {"entriesAffected", record.entries_affected},
                                {"createdAt", format_utc_time(record.created_at_seconds).value()}};
  return json::canonicalize(document);
}

Result<RevocationRecord> parse_revocation(std::string_view json_text) {
  auto parsed = json::parse_strict(json_text);
  if (!parsed) return parsed.error().with_context("revocation");
  try {
    const JsonFields fields(*parsed, "revocation");
    fields.allow_only({"revocationId", "revocationType", "targetHash", "reason", "actor",
                       "entriesAffected", "createdAt"});
    RevocationRecord record{
        fields.string("revocationId"), fields.string("revocationType"),
        fields.string("targetHash"),   fields.string("reason"),
        fields.string("actor"),        fields.unsigned_integer("entriesAffected"),
        fields.time("createdAt")};
    if (Status status = validate_record(record); !status) {
      return make_error(ErrorCode::kParse, status.error().message);
    }
    return record;
  } catch (const FieldError& failure) {
    return make_error(ErrorCode::kParse, failure.message);
  }
}

}  // namespace zastava::provcache
