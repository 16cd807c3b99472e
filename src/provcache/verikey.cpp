#include "provcache/verikey.hpp"

#include <algorithm>
#include <limits>
#include <vector>

#include "digest/content_id.hpp"
#include "digest/sha2.hpp"
#include "json/canonical_json.hpp"

namespace zastava::provcache {
namespace {

void append_u32_be(Bytes& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>((value >> shift) & 0xffU));
  }
}

void append_u64_be(Bytes& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>((value >> shift) & 0xffU));
  }
}

// field(s) = u32 BE length || bytes. Inputs here are content ids, tags and key
// ids, far below 4 GiB; longer ones are refused by the callers' validation.
void append_field(Bytes& out, std::string_view text) {
  append_u32_be(out, static_cast<std::uint32_t>(text.size()));
  const ByteView bytes = as_bytes(text);
  out.insert(out.end(), bytes.begin(), bytes.end());
}

std::string sha256_content_id(ByteView data) {
  return digest::ContentId::sha256_of(data).to_string();
}

std::string set_hash(std::string_view domain_tag, std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  Bytes encoding;
  append_field(encoding, domain_tag);
  for (const std::string& item : items) append_field(encoding, item);
  return sha256_content_id(encoding);
}

Status check_content_id(std::string_view what, std::string_view text) {
  auto parsed = digest::ContentId::parse(text);
  if (!parsed) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "verikey: " + std::string(what) + " is not a content id: " + parsed.error().message);
  }
  return ok_status();
}

}  // namespace

Result<std::int64_t> time_window_start(std::int64_t unix_seconds, std::int64_t bucket_seconds) {
  if (bucket_seconds <= 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "verikey: time window bucket must be positive, got " +
                          std::to_string(bucket_seconds) + " s");
  }
  if (unix_seconds < 0) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "verikey: evaluation time must not be before 1970, got " + std::to_string(unix_seconds));
  }
  return unix_seconds / bucket_seconds * bucket_seconds;
}

Result<std::string> sbom_hash_of(std::string_view sbom_json) {
  auto canonical = json::canonicalize_text(sbom_json);
  if (!canonical) return canonical.error().with_context("sbom hash");
  return sha256_content_id(as_bytes(*canonical));
}

Result<std::string> vex_hash_set_hash(std::span<const std::string> statement_hashes) {
  for (std::size_t i = 0; i < statement_hashes.size(); ++i) {
    if (Status status =
            check_content_id("VEX statement hash #" + std::to_string(i), statement_hashes[i]);
        !status) {
      return status.error();
    }
  }
  return set_hash(kVexSetDomainTag, {statement_hashes.begin(), statement_hashes.end()});
}

Result<std::string> signer_set_hash(std::span<const std::string> signer_key_ids) {
  for (std::size_t i = 0; i < signer_key_ids.size(); ++i) {
    if (signer_key_ids[i].empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "verikey: signer key id #" + std::to_string(i) + " is empty");
    }
    if (signer_key_ids[i].size() > std::numeric_limits<std::uint32_t>::max()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "verikey: signer key id #" + std::to_string(i) + " is too long");
    }
  }
  return set_hash(kSignerSetDomainTag, {signer_key_ids.begin(), signer_key_ids.end()});
}

Result<Bytes> verikey_encoding(const VeriKeyInputs& inputs) {
  const std::pair<std::string_view, const std::string*> hashes[] = {
      {"source_hash", &inputs.source_hash},
      {"sbom_hash", &inputs.sbom_hash},
      {"vex_hash_set_hash", &inputs.vex_hash_set_hash},
      {"merge_policy_hash", &inputs.merge_policy_hash},
      {"signer_set_hash", &inputs.signer_set_hash},
  };
  for (const auto& [name, value] : hashes) {
    if (Status status = check_content_id(name, *value); !status) return status.error();
  }
  auto window = time_window_start(inputs.evaluated_at_seconds, inputs.bucket_seconds);
  if (!window) return window.error();

  Bytes encoding;
  append_field(encoding, kVeriKeyDomainTag);
  for (const auto& [name, value] : hashes) append_field(encoding, *value);
  append_u64_be(encoding, static_cast<std::uint64_t>(*window));
  append_u64_be(encoding, static_cast<std::uint64_t>(inputs.bucket_seconds));
  return encoding;
}

Result<std::string> compute_verikey(const VeriKeyInputs& inputs) {
  auto encoding = verikey_encoding(inputs);
  if (!encoding) return encoding.error();
  return sha256_content_id(*encoding);
}

}  // namespace zastava::provcache
