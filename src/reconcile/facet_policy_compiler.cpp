// FacetPolicy → scope: the CRD's defaults filled in, trusted keys resolved
// from Secrets, and the result checked by the policy compiler itself, its
// error paths translated back to the resource's spec fields.
#include "reconcile/facet_policy_compiler.hpp"

#include <string>
#include <string_view>
#include <utility>

#include "policy/policy_document.hpp"

namespace zastava::reconcile {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kDefaultSecretKey = "public.pem";
constexpr std::string_view kScopePrefix = "scopes[0]";

// Thrown inside this file only; turned into an Error at the boundary.
struct SpecProblem {
  ErrorCode code = ErrorCode::kInvalidArgument;
  std::string message;
};

[[noreturn]] void invalid(const std::string& path, const std::string& problem) {
  throw SpecProblem{ErrorCode::kInvalidArgument, path + ": " + problem};
}

// The member `name`, or nullptr when absent or null (as the policy reader).
const Json* field(const Json& object, std::string_view name) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(name);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::string text_field(const Json& object, std::string_view name) {
  const Json* value = field(object, name);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

// The spec value, or the CRD schema's default when it is absent.
Json value_or(const Json& spec, std::string_view name, Json fallback) {
  const Json* value = field(spec, name);
  return value != nullptr ? *value : std::move(fallback);
}

Json namespaces_of(const Json& spec, const std::string& namespace_name,
                   const OperatorSettings& settings) {
  Json namespaces = Json::object();
  if (namespace_name != settings.operator_namespace) {
    namespaces["names"] = Json::array({namespace_name});
  }
  if (const Json* selector = field(spec, "namespaceSelector")) namespaces["selector"] = *selector;
  return namespaces;
}

Json facets_of(const Json& spec) {
  const Json* facets = field(spec, "facets");
  if (facets == nullptr) return "defaults";
  if (!facets->is_object()) {
    invalid("spec.facets", "must be a mapping with useDefaults: true or definitions");
  }
  bool use_defaults = false;
  if (const Json* flag = field(*facets, "useDefaults")) {
    if (!flag->is_boolean()) invalid("spec.facets.useDefaults", "must be true or false");
    use_defaults = flag->get<bool>();
  }
  const Json* definitions = field(*facets, "definitions");
  if (definitions != nullptr && !definitions->is_array()) {
    invalid("spec.facets.definitions", "must be a list of facet definitions");
  }
  const bool has_definitions = definitions != nullptr && !definitions->empty();
  if (use_defaults == has_definitions) {
    invalid("spec.facets", use_defaults
                               ? "set exactly one of useDefaults (true) or definitions, not both"
                               : "set exactly one of useDefaults (true) or definitions");
  }
  return use_defaults ? Json("defaults") : *definitions;
}

Json baseline_of(const Json& spec) {
  Json baseline = value_or(spec, "baseline", Json{{"rule", "latestApproved"}});
  if (baseline.is_object() && field(baseline, "rule") == nullptr)
    baseline["rule"] = "latestApproved";
  return baseline;
}

std::string read_key_secret(const Json& secret_ref, const std::string& path,
                            const std::string& namespace_name, const SecretReader& read_secret) {
  if (!secret_ref.is_object()) invalid(path, "must be a mapping with name (and key)");
  const Json* name = field(secret_ref, "name");
  if (name == nullptr || !name->is_string() || name->get<std::string>().empty()) {
    invalid(path + ".name", "the Secret's name is required");
  }
  std::string key(kDefaultSecretKey);
  if (const Json* given = field(secret_ref, "key")) {
    if (!given->is_string() || given->get<std::string>().empty()) {
      invalid(path + ".key", "must be a non-empty data key");
    }
    key = given->get<std::string>();
  }
  if (!read_secret) {
    throw SpecProblem{ErrorCode::kNotFound, path + ": Secrets cannot be read here"};
  }
  auto value = read_secret(namespace_name, name->get<std::string>(), key);
  if (!value) {
    const Error& error = value.error();
    const std::string where =
        "Secret " + namespace_name + "/" + name->get<std::string>() + " (key \"" + key + "\")";
    if (error.code == ErrorCode::kNotFound) {
      throw SpecProblem{ErrorCode::kNotFound, path + ": " + where + ": " + error.message};
    }
    throw SpecProblem{error.code, "reading " + where + " for " + path + ": " + error.message};
  }
  return std::move(value).value();
}

Json trusted_keys_of(const Json& spec, const std::string& namespace_name,
                     const SecretReader& read_secret) {
  Json keys = Json::array();
  const Json* items = field(spec, "trustedKeys");
  if (items == nullptr) return keys;
  if (!items->is_array()) invalid("spec.trustedKeys", "must be a list of {pem} or {secretRef}");
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::string path = "spec.trustedKeys[" + std::to_string(i) + "]";
    const Json& item = (*items)[i];
    if (!item.is_object()) invalid(path, "must be a mapping with pem or secretRef");
    const Json* pem = field(item, "pem");
    const Json* secret_ref = field(item, "secretRef");
    if ((pem == nullptr) == (secret_ref == nullptr)) {
      invalid(path, "set exactly one of pem or secretRef");
    }
    if (pem != nullptr) {
      if (!pem->is_string()) invalid(path + ".pem", "must be a PEM public key (text)");
      keys.push_back(*pem);
    } else {
      keys.push_back(
          read_key_secret(*secret_ref, path + ".secretRef", namespace_name, read_secret));
    }
  }
  return keys;
}

Json build_scope(const Json& facet_policy, const OperatorSettings& settings,
                 const SecretReader& read_secret) {
  const Json* metadata = field(facet_policy, "metadata");
  const std::string namespace_name = metadata != nullptr ? text_field(*metadata, "namespace") : "";
  const std::string name = metadata != nullptr ? text_field(*metadata, "name") : "";
  if (name.empty()) invalid("metadata.name", "is required");
  if (namespace_name.empty())
    invalid("metadata.namespace", "is required (FacetPolicy is namespaced)");
  const Json* spec = field(facet_policy, "spec");
  if (spec == nullptr) invalid("spec", "is required");
  if (!spec->is_object()) invalid("spec", "must be a mapping");

  Json scope = Json::object();
  scope["name"] = namespace_name + "/" + name;
  scope["source"] = {
      {"kind", std::string(kFacetPolicyKind)}, {"namespace", namespace_name}, {"name", name}};
  scope["namespaces"] = namespaces_of(*spec, namespace_name, settings);
  if (const Json* images = field(*spec, "images")) scope["images"] = *images;
  scope["mode"] = value_or(*spec, "mode", "Enforce");
  scope["failurePolicy"] = value_or(*spec, "failurePolicy", "Fail");
  scope["requireDigest"] = value_or(*spec, "requireDigest", true);
  scope["requireSeal"] = value_or(*spec, "requireSeal", true);
  scope["signatureThreshold"] = value_or(*spec, "signatureThreshold", 1);
  scope["facets"] = facets_of(*spec);
  if (const Json* quotas = field(*spec, "quotas")) scope["quotas"] = *quotas;
  scope["baseline"] = baseline_of(*spec);
  scope["trustedKeys"] = trusted_keys_of(*spec, namespace_name, read_secret);
  return scope;
}

// "scopes[0].facets[2].includeGlobs" → "spec.facets.definitions[2].includeGlobs".
std::string spec_path(std::string_view rest) {
  const auto starts = [&](std::string_view prefix) {
    return rest.substr(0, prefix.size()) == prefix &&
           (rest.size() == prefix.size() || rest[prefix.size()] == '.' ||
            rest[prefix.size()] == '[');
  };
  const auto after = [&](std::string_view prefix) { return rest.substr(prefix.size()); };
  if (rest.empty()) return "spec";
  if (starts(".namespaces.selector")) {
    return "spec.namespaceSelector" + std::string(after(".namespaces.selector"));
  }
  if (starts(".namespaces.names")) return "metadata.namespace";
  if (starts(".namespaces")) return "spec.namespaceSelector";
  if (starts(".name") || starts(".source")) return "metadata.name";
  if (starts(".facets")) {
    const std::string_view tail = after(".facets");
    if (!tail.empty() && tail.front() == '[') return "spec.facets.definitions" + std::string(tail);
    return "spec.facets" + std::string(tail);
  }
  return "spec" + std::string(rest);
}

// Rewrites every "scopes[0]..." path in a compile error into spec terms.
std::string spec_message(std::string_view message) {
  std::string out;
  std::size_t at = 0;
  while (true) {
    const std::size_t found = message.find(kScopePrefix, at);
    if (found == std::string_view::npos) break;
    out.append(message.substr(at, found - at));
    std::size_t end = found + kScopePrefix.size();
    while (end < message.size() &&
           std::string_view(": ,()\"'").find(message[end]) == std::string_view::npos) {
      ++end;
    }
    out +=
        spec_path(message.substr(found + kScopePrefix.size(), end - found - kScopePrefix.size()));
    at = end;
  }
  out.append(message.substr(at));
  return out;
}

Json one_scope_document(const Json& scope, const Json& defaults, const OperatorSettings& settings) {
  return Json{{"apiVersion", std::string(policy::kPolicyApiVersion)},
              {"kind", std::string(policy::kPolicyKind)},
              {"metadata", {{"name", settings.policy_name}}},
              {"defaults", defaults},
              {"scopes", Json::array({scope})}};
}

}  // namespace

Result<nlohmann::json> build_facet_scope(const nlohmann::json& facet_policy,
                                         const OperatorSettings& settings,
                                         const SecretReader& read_secret) {
  try {
    return build_scope(facet_policy, settings, read_secret);
  } catch (const SpecProblem& problem) {
    return make_error(problem.code, problem.message);
  }
}

Result<CompiledScope> validate_facet_scope(const nlohmann::json& scope,
                                           const nlohmann::json& defaults,
                                           const OperatorSettings& settings) {
  auto compiled = policy::compile_policy(one_scope_document(scope, defaults, settings));
  if (!compiled) {
    const std::string& message = compiled.error().message;
    if (message.rfind(kScopePrefix, 0) == 0) {
      return make_error(ErrorCode::kInvalidArgument, spec_message(message));
    }
    return make_error(ErrorCode::kInvalidArgument,
                      "the operator's defaults do not compile: " + message);
  }
  const auto& facets = compiled->scopes.front().facets;
  return CompiledScope{scope, facets ? facets->definitions().size() : 0};
}

Result<CompiledScope> compile_facet_policy(const nlohmann::json& facet_policy,
                                           const OperatorSettings& settings,
                                           const SecretReader& read_secret) {
  auto scope = build_facet_scope(facet_policy, settings, read_secret);
  if (!scope) return scope.error();
  return validate_facet_scope(*scope, settings.defaults, settings);
}

}  // namespace zastava::reconcile
