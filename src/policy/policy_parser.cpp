// Compiling the policy document: strict reading of every field with its JSON
// path, the defaults merged into each scope, and the hashes computed.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "digest/content_id.hpp"
#include "json/canonical_json.hpp"
#include "policy/duration.hpp"
#include "policy/effective_scope.hpp"
#include "policy/json_reader.hpp"
#include "policy/policy_document.hpp"
#include "support/config.hpp"

namespace zastava::policy {
namespace {

using detail::element_path;
using detail::fail;
using detail::find_field;
using detail::Json;
using detail::member_path;

// The settings a scope may set and otherwise inherits from `defaults`.
constexpr std::string_view kSettingFields[] = {
    "mode",   "failurePolicy", "requireDigest", "requireSeal", "trustedKeys", "signatureThreshold",
    "facets", "quotas",        "baseline",      "provcache"};
constexpr std::string_view kScopeFields[] = {
    "name",          "source",        "namespaces",  "images",      "mode",
    "failurePolicy", "requireDigest", "requireSeal", "trustedKeys", "signatureThreshold",
    "facets",        "quotas",        "baseline",    "provcache"};
constexpr std::string_view kProvcacheFields[] = {"enabled",   "minTrustScore", "onMiss",
                                                 "ttl",       "maxTtl",        "timeWindowBucket",
                                                 "feedEpoch", "revokedSigners"};
constexpr std::size_t kMaxTextField = 1024;

// A value as written, with the path it was written at (for errors).
struct Located {
  const Json* value = nullptr;
  std::string path;

  explicit operator bool() const noexcept { return value != nullptr; }
};

// Where a scope's settings come from: the scope itself, then `defaults`.
class SettingLayers {
 public:
  SettingLayers(const Json* scope, std::string scope_path, const Json* defaults)
      : scope_(scope), scope_path_(std::move(scope_path)), defaults_(defaults) {}

  // The scope's value if it sets `name`, else the defaults', else none.
  [[nodiscard]] Located pick(std::string_view name) const {
    if (scope_ != nullptr) {
      if (const Json* value = find_field(*scope_, name)) {
        return {value, member_path(scope_path_, name)};
      }
    }
    if (defaults_ != nullptr && defaults_ != scope_) {
      if (const Json* value = find_field(*defaults_, name)) {
        return {value, member_path("defaults", name)};
      }
    }
    return {};
  }
  // Each layer's value of `name`, defaults first (for field-wise merges).
  [[nodiscard]] std::vector<Located> layers(std::string_view name) const {
    std::vector<Located> found;
    if (defaults_ != nullptr && defaults_ != scope_) {
      if (const Json* value = find_field(*defaults_, name)) {
        found.push_back({value, member_path("defaults", name)});
      }
    }
    if (scope_ != nullptr) {
      if (const Json* value = find_field(*scope_, name)) {
        found.push_back({value, member_path(scope_path_, name)});
      }
    }
    return found;
  }
  [[nodiscard]] const std::string& scope_path() const noexcept { return scope_path_; }

 private:
  const Json* scope_;
  std::string scope_path_;
  const Json* defaults_;
};

std::string read_bounded_text(const Json& value, const std::string& path) {
  std::string text = detail::read_string(value, path);
  if (text.size() > kMaxTextField) fail(path, "is longer than 1024 bytes");
  return text;
}

std::int64_t read_duration(const Json& value, const std::string& path, bool allow_zero) {
  const std::string text = detail::read_string(value, path);
  auto seconds = parse_duration_seconds(text);
  if (!seconds) fail(path, seconds.error().message);
  if (!allow_zero && *seconds == 0) fail(path, "must be longer than 0s");
  return *seconds;
}

std::string read_content_id(const Json& value, const std::string& path) {
  const std::string text = detail::read_string(value, path);
  auto id = digest::ContentId::parse(text);
  if (!id) fail(path, "must be a content id like sha256:<64 hex>: " + id.error().message);
  return text;
}

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (c == '-')) return false;
    if (!dash && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// ---- metadata, source, selectors ---------------------------------------------------------

PolicyMetadata read_metadata(const Json& document) {
  const Json* metadata = find_field(document, "metadata");
  if (metadata == nullptr) fail("metadata", "is required (at least metadata.name)");
  detail::require_object(*metadata, "metadata");
  detail::reject_unknown_fields(*metadata, {"name", "version", "generatedBy"}, "metadata");
  PolicyMetadata out;
  const Json* name = find_field(*metadata, "name");
  if (name == nullptr) fail("metadata.name", "is required");
  out.name = detail::read_nonempty_string(*name, "metadata.name");
  if (out.name.size() > kMaxTextField) fail("metadata.name", "is longer than 1024 bytes");
  if (const Json* version = find_field(*metadata, "version")) {
    out.version = read_bounded_text(*version, "metadata.version");
  }
  if (const Json* by = find_field(*metadata, "generatedBy")) {
    out.generated_by = read_bounded_text(*by, "metadata.generatedBy");
  }
  return out;
}

SourceRef read_source(const Json& value, const std::string& path) {
  detail::require_object(value, path);
  detail::reject_unknown_fields(value, {"kind", "namespace", "name"}, path);
  SourceRef source;
  const Json* kind = find_field(value, "kind");
  if (kind == nullptr) fail(member_path(path, "kind"), "is required");
  source.kind = detail::read_nonempty_string(*kind, member_path(path, "kind"));
  const Json* name = find_field(value, "name");
  if (name == nullptr) fail(member_path(path, "name"), "is required");
  source.name = detail::read_nonempty_string(*name, member_path(path, "name"));
  if (const Json* ns = find_field(value, "namespace")) {
    source.namespace_name = detail::read_string(*ns, member_path(path, "namespace"));
    if (!source.namespace_name.empty()) {
      if (Status status = validate_namespace_name(source.namespace_name); !status) {
        fail(member_path(path, "namespace"), status.error().message);
      }
    }
  }
  return source;
}

NamespaceMatch read_namespaces(const Json& value, const std::string& path) {
  detail::require_object(value, path);
  detail::reject_unknown_fields(value, {"names", "selector"}, path);
  NamespaceMatch match;
  if (const Json* names = find_field(value, "names")) {
    const std::string names_path = member_path(path, "names");
    detail::require_array(*names, names_path);
    for (std::size_t i = 0; i < names->size(); ++i) {
      const std::string where = element_path(names_path, i);
      std::string name = detail::read_string((*names)[i], where);
      if (Status status = validate_namespace_name(name); !status) {
        fail(where, status.error().message);
      }
      match.names.push_back(std::move(name));
    }
    std::sort(match.names.begin(), match.names.end());
    match.names.erase(std::unique(match.names.begin(), match.names.end()), match.names.end());
  }
  if (const Json* selector = find_field(value, "selector")) {
    auto parsed = LabelSelector::parse(*selector, member_path(path, "selector"));
    if (!parsed) throw detail::FieldError{"", parsed.error().message};
    match.selector = std::move(parsed).value();
  }
  return match;
}

std::vector<ImageGlob> read_images(const Json& value, const std::string& path) {
  detail::require_array(value, path);
  std::vector<ImageGlob> images;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string where = element_path(path, i);
    auto glob = ImageGlob::compile(detail::read_string(value[i], where));
    if (!glob) fail(where, glob.error().message);
    images.push_back(std::move(glob).value());
  }
  return images;
}

// ---- facets and quotas -------------------------------------------------------------------

// facet::FacetSet reads the seed's spelling; its messages name "facets[0]"
// of the one-definition document we hand it: keep only the problem.
std::string facet_problem(const std::string& message) {
  for (const std::string_view marker :
       {std::string_view("(facets[0]): "), std::string_view("facets[0]: ")}) {
    const std::size_t at = message.find(marker);
    if (at != std::string::npos) return message.substr(at + marker.size());
  }
  return message;
}

Result<facet::FacetSet> facet_set_of(const Json& definitions) {
  return facet::FacetSet::from_yaml(Json{{"facets", definitions}}.dump());
}

// One definition checked by the facet module's own reader.
void check_definition(const Json& definition, const std::string& path) {
  auto set = facet_set_of(Json::array({definition}));
  if (!set) fail(path, facet_problem(set.error().message));
}

// The definitions named by a `facets` value: "defaults" or a list.
Json read_definitions(const Located& facets, const Json& builtin) {
  if (!facets) return builtin;
  if (facets.value->is_string()) {
    if (facets.value->get<std::string>() != "defaults") {
      fail(facets.path, "must be \"defaults\" or a list of facet definitions, not \"" +
                            facets.value->get<std::string>() + "\"");
    }
    return builtin;
  }
  if (!facets.value->is_array()) {
    fail(facets.path, "must be \"defaults\" or a list of facet definitions, not " +
                          detail::describe_type(*facets.value));
  }
  if (facets.value->empty()) fail(facets.path, "must define at least one facet");
  Json definitions = Json::array();
  for (std::size_t i = 0; i < facets.value->size(); ++i) {
    const std::string where = element_path(facets.path, i);
    const Json& definition = (*facets.value)[i];
    check_definition(definition, where);
    const std::string id = definition.at("facetId").get<std::string>();
    for (const Json& earlier : definitions) {
      if (earlier.at("facetId") == id) {
        fail(member_path(where, "facetId"), "duplicate facet id \"" + id + "\"");
      }
    }
    definitions.push_back(definition);
  }
  return definitions;
}

std::string defined_ids(const Json& definitions) {
  std::string list;
  for (const Json& definition : definitions) {
    list += (list.empty() ? "" : ", ") + definition.at("facetId").get<std::string>();
  }
  return list;
}

// What one compile has already checked or parsed, so a thousand scopes
// sharing the same keys and quotas pay for them once (OpenSSL's PEM decoder
// and the facet reader are by far the slowest steps of a compile). Lives
// for one compile_policy call.
struct CompileMemo {
  std::map<std::string, crypto::PublicKey, std::less<>> keys_by_pem;
  std::set<std::string, std::less<>> valid_definitions;  // dump() of definitions that read
};

// Applies `quotas` ({facetId: {quota fields}}) over the definitions' quotas.
// The defaults' overrides of facets a scope does not define are skipped;
// the scope's own must name a defined facet.
void apply_quota_layer(Json& definitions, const Located& quotas, bool inherited,
                       CompileMemo& memo) {
  detail::require_object(*quotas.value, quotas.path);
  for (const auto& [id, fields] : quotas.value->items()) {
    const std::string where = member_path(quotas.path, id);
    auto it = std::find_if(definitions.begin(), definitions.end(),
                           [&id = id](const Json& d) { return d.at("facetId") == id; });
    if (it == definitions.end()) {
      if (inherited) continue;
      fail(where,
           "no facet \"" + id + "\" is defined here (defined: " + defined_ids(definitions) + ")");
    }
    detail::require_object(fields, where);
    Json merged = *it;
    if (!merged.contains("quota") || merged["quota"].is_null()) merged["quota"] = Json::object();
    for (const auto& [field, value] : fields.items()) merged["quota"][field] = value;
    std::string key = merged.dump();
    if (!memo.valid_definitions.contains(key)) {
      if (auto set = facet_set_of(Json::array({merged})); !set) {
        std::string problem = facet_problem(set.error().message);
        if (problem.rfind("quota.", 0) == 0) problem = problem.substr(6);
        if (problem.rfind("quota: ", 0) == 0) problem = problem.substr(7);
        fail(where, problem);
      }
      memo.valid_definitions.insert(std::move(key));
    }
    *it = std::move(merged);
  }
}

// Compiled facet sets shared between scopes with the same definitions.
class FacetSetCache {
 public:
  std::shared_ptr<const facet::FacetSet> get(const Json& definitions, const std::string& path) {
    const std::string key = definitions.dump();
    if (auto it = sets_.find(key); it != sets_.end()) return it->second;
    auto set = facet_set_of(definitions);
    if (!set) fail(path, facet_problem(set.error().message));
    auto shared = std::make_shared<const facet::FacetSet>(std::move(set).value());
    sets_.emplace(key, shared);
    return shared;
  }

 private:
  std::map<std::string, std::shared_ptr<const facet::FacetSet>, std::less<>> sets_;
};

// ---- keys, baseline, provcache -----------------------------------------------------------

crypto::PublicKey read_public_key(const std::string& pem, const std::string& where,
                                  CompileMemo& memo) {
  if (auto it = memo.keys_by_pem.find(pem); it != memo.keys_by_pem.end()) return it->second;
  auto key = crypto::PublicKey::from_pem(pem);
  if (!key) fail(where, "not a PEM public key: " + key.error().message);
  memo.keys_by_pem.emplace(pem, *key);
  return std::move(key).value();
}

std::vector<crypto::PublicKey> read_trusted_keys(const Located& keys, CompileMemo& memo) {
  std::vector<crypto::PublicKey> out;
  if (!keys) return out;
  detail::require_array(*keys.value, keys.path);
  for (std::size_t i = 0; i < keys.value->size(); ++i) {
    const std::string where = element_path(keys.path, i);
    const std::string pem = detail::read_string((*keys.value)[i], where);
    crypto::PublicKey key = read_public_key(pem, where, memo);
    for (std::size_t j = 0; j < out.size(); ++j) {
      if (out[j].keyid() == key.keyid()) {
        fail(where, "the same key as " + element_path(keys.path, j) + " (" + key.keyid() + ")");
      }
    }
    out.push_back(std::move(key));
  }
  return out;
}

Baseline read_baseline(const Located& located) {
  Baseline baseline;
  if (!located) return baseline;
  const std::string& path = located.path;
  const Json& value = detail::require_object(*located.value, path);
  detail::reject_unknown_fields(value, {"rule", "pinnedSealId", "pinnedImageDigest"}, path);
  const Json* rule = find_field(value, "rule");
  if (rule == nullptr) fail(member_path(path, "rule"), "is required");
  baseline.rule = detail::read_enum<BaselineRule>(
      *rule, {{"latestApproved", BaselineRule::kLatestApproved}, {"pinned", BaselineRule::kPinned}},
      member_path(path, "rule"));
  const Json* seal = find_field(value, "pinnedSealId");
  const Json* image = find_field(value, "pinnedImageDigest");
  if (baseline.rule == BaselineRule::kLatestApproved) {
    if (seal != nullptr || image != nullptr) {
      fail(member_path(path, seal != nullptr ? "pinnedSealId" : "pinnedImageDigest"),
           "is only allowed with rule: pinned");
    }
    return baseline;
  }
  if (seal == nullptr && image == nullptr) {
    fail(path, "rule pinned needs pinnedSealId or pinnedImageDigest");
  }
  if (seal != nullptr) {
    const std::string where = member_path(path, "pinnedSealId");
    baseline.pinned_seal_id = detail::read_string(*seal, where);
    if (!is_uuid(baseline.pinned_seal_id)) fail(where, "must be a seal id (a lower-case UUID)");
  }
  if (image != nullptr) {
    baseline.pinned_image_digest = read_content_id(*image, member_path(path, "pinnedImageDigest"));
  }
  return baseline;
}

std::vector<RevokedSigner> read_revoked_signers(const Json& value, const std::string& path) {
  detail::require_array(value, path);
  std::vector<RevokedSigner> signers;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string where = element_path(path, i);
    detail::require_object(value[i], where);
    detail::reject_unknown_fields(value[i], {"signerSetHash", "reason"}, where);
    RevokedSigner signer;
    const Json* hash = find_field(value[i], "signerSetHash");
    if (hash == nullptr) fail(member_path(where, "signerSetHash"), "is required");
    signer.signer_set_hash = read_content_id(*hash, member_path(where, "signerSetHash"));
    if (const Json* reason = find_field(value[i], "reason")) {
      signer.reason = read_bounded_text(*reason, member_path(where, "reason"));
    }
    signers.push_back(std::move(signer));
  }
  std::sort(signers.begin(), signers.end(), [](const RevokedSigner& a, const RevokedSigner& b) {
    return a.signer_set_hash < b.signer_set_hash;
  });
  signers.erase(std::unique(signers.begin(), signers.end(),
                            [](const RevokedSigner& a, const RevokedSigner& b) {
                              return a.signer_set_hash == b.signer_set_hash;
                            }),
                signers.end());
  return signers;
}

// Field-wise: each provcache field from the scope, else from the defaults.
ProvcacheSettings read_provcache(const SettingLayers& layers) {
  std::map<std::string, Located, std::less<>> fields;
  for (const Located& layer : layers.layers("provcache")) {
    detail::require_object(*layer.value, layer.path);
    detail::reject_unknown_fields(*layer.value, kProvcacheFields, layer.path);
    for (const auto& [name, value] : layer.value->items()) {
      if (!value.is_null()) fields[name] = Located{&value, member_path(layer.path, name)};
    }
  }
  ProvcacheSettings prov;
  const auto field = [&](std::string_view name) -> const Located* {
    const auto it = fields.find(name);
    return it == fields.end() ? nullptr : &it->second;
  };
  if (const Located* f = field("enabled")) prov.enabled = detail::read_bool(*f->value, f->path);
  if (const Located* f = field("minTrustScore")) {
    prov.min_trust_score = static_cast<int>(detail::read_integer(*f->value, 0, 100, f->path));
  }
  if (const Located* f = field("onMiss")) {
    prov.on_miss = detail::read_enum<OnMiss>(
        *f->value,
        {{"deny", OnMiss::kDeny}, {"warn", OnMiss::kWarn}, {"evaluate", OnMiss::kEvaluate}},
        f->path);
  }
  if (const Located* f = field("ttl")) {
    prov.ttl.default_ttl_seconds = read_duration(*f->value, f->path, false);
  }
  if (const Located* f = field("maxTtl")) {
    prov.ttl.max_ttl_seconds = read_duration(*f->value, f->path, false);
  }
  if (prov.ttl.default_ttl_seconds > prov.ttl.max_ttl_seconds) {
    const Located* f = field("ttl") != nullptr ? field("ttl") : field("maxTtl");
    fail(f->path, "ttl " + format_duration(prov.ttl.default_ttl_seconds) +
                      " is longer than maxTtl " + format_duration(prov.ttl.max_ttl_seconds));
  }
  if (const Located* f = field("timeWindowBucket")) {
    prov.time_window_bucket_seconds = read_duration(*f->value, f->path, false);
  }
  if (const Located* f = field("feedEpoch")) {
    prov.feed_epoch = read_bounded_text(*f->value, f->path);
  }
  if (const Located* f = field("revokedSigners")) {
    prov.revoked_signers = read_revoked_signers(*f->value, f->path);
  }
  return prov;
}

// ---- scopes ------------------------------------------------------------------------------

struct CompileContext {
  Json builtin_facets;
  FacetSetCache facet_sets;
  CompileMemo memo;
};

// The settings of one scope (or of `defaults` itself, when scope == defaults).
void read_settings(Scope& scope, const SettingLayers& layers, CompileContext& context) {
  if (Located f = layers.pick("mode")) {
    scope.mode = detail::read_enum<Mode>(
        *f.value, {{"Enforce", Mode::kEnforce}, {"Warn", Mode::kWarn}, {"Audit", Mode::kAudit}},
        f.path);
  }
  if (Located f = layers.pick("failurePolicy")) {
    scope.failure_policy = detail::read_enum<FailurePolicy>(
        *f.value, {{"Fail", FailurePolicy::kFail}, {"Ignore", FailurePolicy::kIgnore}}, f.path);
  }
  if (Located f = layers.pick("requireDigest")) {
    scope.require_digest = detail::read_bool(*f.value, f.path);
  }
  if (Located f = layers.pick("requireSeal"))
    scope.require_seal = detail::read_bool(*f.value, f.path);

  const Located keys = layers.pick("trustedKeys");
  scope.trusted_keys = read_trusted_keys(keys, context.memo);
  scope.trust_set = dsse::TrustSet(scope.trusted_keys);
  if (Located f = layers.pick("signatureThreshold")) {
    scope.signature_threshold =
        static_cast<std::size_t>(detail::read_integer(*f.value, 1, 1000, f.path));
    if (!scope.trusted_keys.empty() && scope.signature_threshold > scope.trusted_keys.size()) {
      const bool threshold_in_scope = f.path.rfind(layers.scope_path() + ".", 0) == 0;
      fail(threshold_in_scope || !keys ? f.path : keys.path,
           "signatureThreshold " + std::to_string(scope.signature_threshold) +
               " is more than the " + std::to_string(scope.trusted_keys.size()) +
               " trusted key(s)");
    }
  }

  const Located facets = layers.pick("facets");
  Json definitions = read_definitions(facets, context.builtin_facets);
  const std::vector<Located> quota_layers = layers.layers("quotas");
  for (const Located& quotas : quota_layers) {
    // The defaults' overrides, seen from a scope with its own definitions.
    const bool inherited =
        quotas.path.rfind("defaults.", 0) == 0 && layers.scope_path() != "defaults";
    apply_quota_layer(definitions, quotas, inherited, context.memo);
  }
  scope.facets = context.facet_sets.get(
      definitions, facets ? facets.path : member_path(layers.scope_path(), "facets"));

  scope.baseline = read_baseline(layers.pick("baseline"));
  scope.provcache = read_provcache(layers);
}

Scope read_scope(const Json& value, const std::string& path, const Json* defaults,
                 CompileContext& context) {
  detail::require_object(value, path);
  detail::reject_unknown_fields(value, kScopeFields, path);
  Scope scope;
  const Json* name = find_field(value, "name");
  if (name == nullptr) fail(member_path(path, "name"), "is required");
  scope.name = detail::read_nonempty_string(*name, member_path(path, "name"));
  if (scope.name.size() > 253) fail(member_path(path, "name"), "is longer than 253 bytes");
  if (scope.name == kDefaultScopeName) {
    fail(member_path(path, "name"), "\"defaults\" is the name of the defaults scope");
  }
  if (const Json* source = find_field(value, "source")) {
    scope.source = read_source(*source, member_path(path, "source"));
  }
  if (const Json* namespaces = find_field(value, "namespaces")) {
    scope.namespaces = read_namespaces(*namespaces, member_path(path, "namespaces"));
  }
  if (const Json* images = find_field(value, "images")) {
    scope.images = read_images(*images, member_path(path, "images"));
  }
  read_settings(scope, SettingLayers(&value, path, defaults), context);
  return scope;
}

void check_hashes(Scope& scope, const std::string& path) {
  if (Status status = compute_scope_hashes(scope); !status) fail(path, status.error().message);
}

void add_warnings(CompiledPolicy& policy) {
  const Scope* catch_all = nullptr;
  std::size_t catch_all_index = 0;
  for (std::size_t i = 0; i < policy.scopes.size(); ++i) {
    const Scope& scope = policy.scopes[i];
    if (catch_all != nullptr) {
      policy.warnings.push_back("scopes[" + std::to_string(i) + "] (\"" + scope.name +
                                "\") never applies: scopes[" + std::to_string(catch_all_index) +
                                "] (\"" + catch_all->name +
                                "\") before it matches every namespace and image");
    } else if (scope.is_catch_all()) {
      catch_all = &scope;
      catch_all_index = i;
    }
  }
  const auto check_keys = [&](const Scope& scope) {
    if (scope.require_seal && scope.trusted_keys.empty()) {
      policy.warnings.push_back(
          "scope \"" + scope.name +
          "\" requires seals but trusts no keys: no seal can verify, so every image it covers "
          "fails the seal check (add trustedKeys)");
    }
  };
  check_keys(policy.defaults);
  for (const Scope& scope : policy.scopes) check_keys(scope);
}

CompiledPolicy read_policy(const Json& document) {
  detail::require_object(document, "");
  detail::reject_unknown_fields(document, {"apiVersion", "kind", "metadata", "defaults", "scopes"},
                                "");
  const Json* api_version = find_field(document, "apiVersion");
  if (api_version == nullptr) fail("apiVersion", "is required");
  if (detail::read_string(*api_version, "apiVersion") != kPolicyApiVersion) {
    fail("apiVersion",
         "must be \"" + std::string(kPolicyApiVersion) + "\", not " + api_version->dump());
  }
  const Json* kind = find_field(document, "kind");
  if (kind == nullptr) fail("kind", "is required");
  if (detail::read_string(*kind, "kind") != kPolicyKind) {
    fail("kind", "must be \"" + std::string(kPolicyKind) + "\", not " + kind->dump());
  }

  CompiledPolicy policy;
  policy.metadata = read_metadata(document);
  CompileContext context{facet_definitions_json(facet::FacetSet::defaults()), {}, {}};

  const Json* defaults = find_field(document, "defaults");
  if (defaults != nullptr) {
    detail::require_object(*defaults, "defaults");
    detail::reject_unknown_fields(*defaults, kSettingFields, "defaults");
  }
  policy.defaults.name = std::string(kDefaultScopeName);
  read_settings(policy.defaults, SettingLayers(defaults, "defaults", defaults), context);
  check_hashes(policy.defaults, "defaults");

  if (const Json* scopes = find_field(document, "scopes")) {
    detail::require_array(*scopes, "scopes");
    for (std::size_t i = 0; i < scopes->size(); ++i) {
      const std::string path = element_path("scopes", i);
      Scope scope = read_scope((*scopes)[i], path, defaults, context);
      for (std::size_t j = 0; j < policy.scopes.size(); ++j) {
        if (policy.scopes[j].name == scope.name) {
          fail(member_path(path, "name"), "duplicate scope name \"" + scope.name +
                                              "\" (also scopes[" + std::to_string(j) + "])");
        }
      }
      check_hashes(scope, path);
      policy.scopes.push_back(std::move(scope));
    }
  }

  auto canonical = json::canonicalize(document);
  if (!canonical) fail("", canonical.error().message);
  policy.content_hash = digest::ContentId::sha256_of(as_bytes(*canonical)).to_string();
  add_warnings(policy);
  return policy;
}

}  // namespace

bool NamespaceMatch::matches(std::string_view namespace_name,
                             const Labels& namespace_labels) const noexcept {
  if (!names.empty() && !std::binary_search(names.begin(), names.end(), namespace_name)) {
    return false;
  }
  return selector.matches(namespace_labels);
}

bool Scope::matches_image(std::string_view normalized_reference) const noexcept {
  if (images.empty()) return true;
  return std::any_of(images.begin(), images.end(),
                     [&](const ImageGlob& glob) { return glob.matches(normalized_reference); });
}

const Scope* CompiledPolicy::find_scope(std::string_view name) const noexcept {
  if (name == defaults.name) return &defaults;
  for (const Scope& scope : scopes) {
    if (scope.name == name) return &scope;
  }
  return nullptr;
}

Result<CompiledPolicy> compile_policy(const nlohmann::json& document) {
  try {
    return read_policy(document);
  } catch (const detail::FieldError& e) {
    return make_error(ErrorCode::kInvalidArgument, e.message());
  }
}

Result<CompiledPolicy> compile_policy_text(std::string_view text) {
  auto document = support::parse_yaml(text);
  if (!document) return document.error().with_context("policy");
  return compile_policy(*document);
}

Result<nlohmann::json> read_policy_document(std::string_view text,
                                            const std::filesystem::path& path) {
  auto document =
      path.extension() == ".json" ? json::parse_strict(text) : support::parse_yaml(text);
  if (!document) return document.error().with_context(path.string());
  return document;
}

Result<CompiledPolicy> compile_policy_file_contents(std::string_view text,
                                                    const std::filesystem::path& path) {
  auto document = read_policy_document(text, path);
  if (!document) return document.error();
  auto policy = compile_policy(*document);
  if (!policy) return policy.error().with_context(path.string());
  return policy;
}

Result<CompiledPolicy> load_policy_file(const std::filesystem::path& path) {
  auto text = support::read_file(path);
  if (!text) return text.error();
  return compile_policy_file_contents(*text, path);
}

}  // namespace zastava::policy
