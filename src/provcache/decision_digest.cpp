#include "provcache/decision_digest.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <tuple>
#include <utility>

#include "base/utc_time.hpp"
#include "digest/content_id.hpp"
#include "json/canonical_json.hpp"

namespace zastava::provcache {
namespace {

// Thrown inside this file while parsing; parse_decision_digest turns it into
// a kParse error at the boundary.
struct ParseFailure {
  std::string message;
};

const nlohmann::json& member(const nlohmann::json& object, const char* name,
                             std::string_view where) {
  const auto it = object.find(name);
  if (it == object.end()) throw ParseFailure{std::string(where) + ": missing \"" + name + "\""};
  return *it;
}

std::string string_member(const nlohmann::json& object, const char* name, std::string_view where) {
  const nlohmann::json& value = member(object, name, where);
  if (!value.is_string())
    throw ParseFailure{std::string(where) + ": \"" + name + "\" must be a string"};
  return value.get<std::string>();
}

void reject_unknown_members(const nlohmann::json& object,
                            std::initializer_list<std::string_view> known, std::string_view where) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      throw ParseFailure{std::string(where) + ": unknown member \"" + key + "\""};
    }
  }
}

std::vector<std::string> string_array_member(const nlohmann::json& object, const char* name,
                                             std::string_view where) {
  const nlohmann::json& value = member(object, name, where);
  if (!value.is_array())
    throw ParseFailure{std::string(where) + ": \"" + name + "\" must be an array"};
  std::vector<std::string> items;
  for (const nlohmann::json& item : value) {
    if (!item.is_string()) {
      throw ParseFailure{std::string(where) + ": \"" + name + "\" must hold only strings"};
    }
    items.push_back(item.get<std::string>());
  }
  return items;
}

std::int64_t time_member(const nlohmann::json& object, const char* name) {
  auto parsed = parse_utc_time(string_member(object, name, "decision digest"));
  if (!parsed)
    throw ParseFailure{"decision digest: \"" + std::string(name) + "\": " + parsed.error().message};
  return *parsed;
}

Status check_sha256_id(std::string_view field, std::string_view text) {
  auto parsed = digest::ContentId::parse(text);
  if (!parsed) {
    return make_error(ErrorCode::kInvalidArgument,
                      "decision digest: " + std::string(field) + ": " + parsed.error().message);
  }
  if (parsed->algorithm() != digest::Algorithm::kSha256) {
    return make_error(ErrorCode::kInvalidArgument,
                      "decision digest: " + std::string(field) + " must be a sha256 content id");
  }
  return ok_status();
}

Status check_id_list(std::string_view field, const std::vector<std::string>& ids) {
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i].empty()) {
      return make_error(ErrorCode::kInvalidArgument, "decision digest: " + std::string(field) +
                                                         "[" + std::to_string(i) + "] is empty");
    }
    if (i > 0 && ids[i - 1] >= ids[i]) {
      return make_error(ErrorCode::kInvalidArgument, "decision digest: " + std::string(field) +
                                                         " must be sorted and unique; \"" + ids[i] +
                                                         "\" follows \"" + ids[i - 1] + "\"");
    }
  }
  return ok_status();
}

std::vector<std::string> sorted_unique(std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

nlohmann::json finding_document(const GateFinding& finding) {
  return nlohmann::json{{"vulnerabilityId", finding.vulnerability_id},
                        {"componentPurl", finding.component_purl},
                        {"severity", finding.severity},
                        {"status", finding.status},
                        {"waived", finding.waived},
                        {"waiverJustification", finding.waiver_justification}};
}

}  // namespace

Result<std::int64_t> effective_ttl(const TtlPolicy& policy,
                                   std::optional<std::int64_t> requested_seconds) {
  if (policy.max_ttl_seconds <= 0 || policy.default_ttl_seconds <= 0 ||
      policy.default_ttl_seconds > policy.max_ttl_seconds) {
    return make_error(ErrorCode::kInvalidArgument,
                      "ttl policy: need 0 < default (" +
                          std::to_string(policy.default_ttl_seconds) + " s) <= max (" +
                          std::to_string(policy.max_ttl_seconds) + " s)");
  }
  if (!requested_seconds) return policy.default_ttl_seconds;
  if (*requested_seconds <= 0) {
    return make_error(ErrorCode::kInvalidArgument, "ttl: requested TTL must be positive, got " +
                                                       std::to_string(*requested_seconds) + " s");
  }
  return std::min(*requested_seconds, policy.max_ttl_seconds);
}

Result<std::string> format_utc_time(std::int64_t unix_seconds) {
  if (unix_seconds < 0 || unix_seconds > kMaxUtcSeconds) {
    return make_error(ErrorCode::kInvalidArgument, "time " + std::to_string(unix_seconds) +
                                                       " is outside 1970-01-01..9999-12-31");
  }
  return format_rfc3339_utc(unix_seconds, false);
}

Result<std::int64_t> parse_utc_time(std::string_view text) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:ddZ";
  const auto fail = [&](const std::string& why) {
    return make_error(ErrorCode::kParse, "time \"" + std::string(text) + "\": " + why +
                                             " (expected YYYY-MM-DDTHH:MM:SSZ, UTC)");
  };
  if (text.size() != kShape.size()) return fail("wrong length");
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    const bool ok = kShape[i] == 'd' ? text[i] >= '0' && text[i] <= '9' : text[i] == kShape[i];
    if (!ok) return fail("unexpected character at offset " + std::to_string(i));
  }
  const auto number = [&](std::size_t offset, std::size_t width) {
    std::int64_t value = 0;
    for (std::size_t i = offset; i < offset + width; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  const UtcDateTime time{static_cast<int>(number(0, 4)),      static_cast<unsigned>(number(5, 2)),
                         static_cast<unsigned>(number(8, 2)), static_cast<int>(number(11, 2)),
                         static_cast<int>(number(14, 2)),     static_cast<int>(number(17, 2))};
  if (time.year < 1970) return fail("year before 1970");
  if (time.month < 1 || time.month > 12) return fail("no such month");
  if (!is_valid_date(time.year, time.month, time.day)) return fail("no such day");
  if (time.hour > 23 || time.minute > 59 || time.second > 59) return fail("no such time of day");
  return to_unix_seconds(time);
}

nlohmann::json verdict_document(const GateResult& result) {
  std::vector<const GateFinding*> findings;
  for (const GateFinding& finding : result.findings) findings.push_back(&finding);
  std::sort(findings.begin(), findings.end(), [](const GateFinding* a, const GateFinding* b) {
    return std::tie(a->vulnerability_id, a->component_purl, a->severity, a->status) <
           std::tie(b->vulnerability_id, b->component_purl, b->severity, b->status);
  });
  nlohmann::json finding_list = nlohmann::json::array();
  for (const GateFinding* finding : findings) finding_list.push_back(finding_document(*finding));
  return nlohmann::json{{"verdict", result.verdict == Verdict::kDeny ? "deny" : "allow"},
                        {"reasons", result.reasons},
                        {"criticalAffected", result.critical_affected},
                        {"underInvestigation", result.under_investigation},
                        {"findings", std::move(finding_list)}};
}

Result<std::string> verdict_hash(const GateResult& result) {
  auto canonical = json::canonicalize(verdict_document(result));
  if (!canonical) return canonical.error().with_context("verdict document");
  return digest::ContentId::sha256_of(as_bytes(*canonical)).to_string();
}

Result<DecisionDigest> build_decision_digest(std::string_view veri_key,
                                             const GateResult& gate_result,
                                             std::string_view proof_root, int trust_score,
                                             std::int64_t created_at_seconds,
                                             std::optional<std::int64_t> requested_ttl_seconds,
                                             const TtlPolicy& ttl_policy) {
  auto ttl = effective_ttl(ttl_policy, requested_ttl_seconds);
  if (!ttl) return ttl.error();
  auto verdict = verdict_hash(gate_result);
  if (!verdict) return verdict.error();
  DecisionDigest digest;
  digest.veri_key = std::string(veri_key);
  digest.verdict_hash = std::move(*verdict);
  digest.proof_root = std::string(proof_root);
  digest.replay_seed =
      ReplaySeed{sorted_unique(gate_result.feed_ids), sorted_unique(gate_result.rule_ids)};
  digest.trust_score = trust_score;
  digest.created_at_seconds = created_at_seconds;
  digest.expires_at_seconds = created_at_seconds + *ttl;
  if (Status status = validate_decision_digest(digest); !status) return status.error();
  return digest;
}

Status validate_decision_digest(const DecisionDigest& digest) {
  if (digest.digest_version != kDecisionDigestVersion) {
    return make_error(ErrorCode::kInvalidArgument, "decision digest: digestVersion \"" +
                                                       digest.digest_version + "\" is not \"v1\"");
  }
  const std::pair<std::string_view, const std::string*> ids[] = {
      {"veriKey", &digest.veri_key},
      {"verdictHash", &digest.verdict_hash},
      {"proofRoot", &digest.proof_root}};
  for (const auto& [field, value] : ids) {
    if (Status status = check_sha256_id(field, *value); !status) return status;
  }
  if (Status status = check_id_list("replaySeed.feedIds", digest.replay_seed.feed_ids); !status)
    return status;
  if (Status status = check_id_list("replaySeed.ruleIds", digest.replay_seed.rule_ids); !status)
    return status;
  if (digest.trust_score < 0 || digest.trust_score > 100) {
    return make_error(ErrorCode::kInvalidArgument, "decision digest: trustScore " +
                                                       std::to_string(digest.trust_score) +
                                                       " is not within 0..100");
  }
  for (const std::int64_t time : {digest.created_at_seconds, digest.expires_at_seconds}) {
    if (auto formatted = format_utc_time(time); !formatted) {
      return formatted.error().with_context("decision digest");
    }
  }
  if (digest.expires_at_seconds <= digest.created_at_seconds) {
    return make_error(ErrorCode::kInvalidArgument,
                      "decision digest: expiresAt must be after createdAt");
  }
  return ok_status();
}

Result<std::string> to_canonical_json(const DecisionDigest& digest) {
  if (Status status = validate_decision_digest(digest); !status) return status.error();
  const nlohmann::json document{
      {"digestVersion", digest.digest_version},
      {"veriKey", digest.veri_key},
      {"verdictHash", digest.verdict_hash},
      {"proofRoot", digest.proof_root},
      {"replaySeed",
       {{"feedIds", digest.replay_seed.feed_ids}, {"ruleIds", digest.replay_seed.rule_ids}}},
      {"trustScore", digest.trust_score},
      {"createdAt", format_utc_time(digest.created_at_seconds).value()},
      {"expiresAt", format_utc_time(digest.expires_at_seconds).value()},
  };
  auto canonical = json::canonicalize(document);
  if (!canonical) return canonical.error().with_context("decision digest");
  return canonical;
}

Result<DecisionDigest> parse_decision_digest(std::string_view json_text) {
  auto parsed = json::parse_strict(json_text);
  if (!parsed) return parsed.error().with_context("decision digest");
  const nlohmann::json& root = *parsed;
  try {
    if (!root.is_object()) throw ParseFailure{"decision digest: must be a JSON object"};
    reject_unknown_members(root,
                           {"digestVersion", "veriKey", "verdictHash", "proofRoot", "replaySeed",
                            "trustScore", "createdAt", "expiresAt"},
                           "decision digest");
    DecisionDigest digest;
    digest.digest_version = string_member(root, "digestVersion", "decision digest");
    if (digest.digest_version != kDecisionDigestVersion) {
      return make_error(ErrorCode::kUnsupported, "decision digest: digestVersion \"" +
                                                     digest.digest_version +
                                                     "\" (only \"v1\" is known)");
    }
    digest.veri_key = string_member(root, "veriKey", "decision digest");
    digest.verdict_hash = string_member(root, "verdictHash", "decision digest");
    digest.proof_root = string_member(root, "proofRoot", "decision digest");
    const nlohmann::json& seed = member(root, "replaySeed", "decision digest");
    if (!seed.is_object()) throw ParseFailure{"decision digest: \"replaySeed\" must be an object"};
    reject_unknown_members(seed, {"feedIds", "ruleIds"}, "decision digest replaySeed");
    digest.replay_seed.feed_ids =
        string_array_member(seed, "feedIds", "decision digest replaySeed");
    digest.replay_seed.rule_ids =
        string_array_member(seed, "ruleIds", "decision digest replaySeed");
    const nlohmann::json& score = member(root, "trustScore", "decision digest");
    if (!score.is_number_integer())
      throw ParseFailure{"decision digest: \"trustScore\" must be an integer"};
    const auto score_value = score.get<std::int64_t>();
    if (score_value < 0 || score_value > 100) {
      throw ParseFailure{"decision digest: trustScore " + std::to_string(score_value) +
                         " is not within 0..100"};
    }
    digest.trust_score = static_cast<int>(score_value);
    digest.created_at_seconds = time_member(root, "createdAt");
    digest.expires_at_seconds = time_member(root, "expiresAt");
    if (Status status = validate_decision_digest(digest); !status) {
      return make_error(ErrorCode::kParse, status.error().message);
    }
    return digest;
  } catch (const ParseFailure& failure) {
    return make_error(ErrorCode::kParse, failure.message);
  }
}

}  // namespace zastava::provcache
