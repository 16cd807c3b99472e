// ProvcachePolicy → `provcache` settings, and which one of them is active.
#include "reconcile/provcache_policy_compiler.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "digest/content_id.hpp"
#include "policy/policy_document.hpp"

namespace zastava::reconcile {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kSectionPrefix = "defaults.provcache";

struct SpecProblem {
  std::string message;
};

[[noreturn]] void invalid(const std::string& path, const std::string& problem) {
  throw SpecProblem{path + ": " + problem};
}

const Json* field(const Json& object, std::string_view name) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(name);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::string text_field(const Json* object, std::string_view name) {
  if (object == nullptr) return {};
  const Json* value = field(*object, name);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

Json value_or(const Json& spec, std::string_view name, Json fallback) {
  const Json* value = field(spec, name);
  return value != nullptr ? *value : std::move(fallback);
}

void check_secret_ref(const Json& holder, const std::string& path) {
  if (!holder.is_object()) invalid(path, "must be a mapping with connectionSecretRef");
  const Json* ref = field(holder, "connectionSecretRef");
  if (ref == nullptr || !ref->is_object()) {
    invalid(path + ".connectionSecretRef", "is required (the Secret holding the connection URL)");
  }
  const Json* name = field(*ref, "name");
  if (name == nullptr || !name->is_string() || name->get<std::string>().empty()) {
    invalid(path + ".connectionSecretRef.name", "the Secret's name is required");
  }
  if (const Json* key = field(*ref, "key")) {
    if (!key->is_string() || key->get<std::string>().empty()) {
      invalid(path + ".connectionSecretRef.key", "must be a non-empty data key");
    }
  }
}

// The store and policyHash are not part of the document (the invalidation
// side uses them) but are checked here as the CRD schema would.
void check_store_and_hash(const Json& spec) {
  if (const Json* store = field(spec, "store")) {
    if (!store->is_object()) invalid("spec.store", "must be a mapping with type");
    const Json type = value_or(*store, "type", "Embedded");
    if (type != "Embedded" && type != "Postgres") {
      invalid("spec.store.type", "must be Embedded or Postgres, not " + type.dump());
    }
    const Json* postgres = field(*store, "postgres");
    const Json* valkey = field(*store, "valkey");
    if (type == "Embedded" && (postgres != nullptr || valkey != nullptr)) {
      invalid(postgres != nullptr ? "spec.store.postgres" : "spec.store.valkey",
              "an Embedded store takes neither postgres nor valkey");
    }
    if (type == "Postgres") {
      if (postgres == nullptr) {
        invalid("spec.store.postgres", "store type Postgres needs postgres.connectionSecretRef");
      }
      check_secret_ref(*postgres, "spec.store.postgres");
      if (valkey != nullptr) check_secret_ref(*valkey, "spec.store.valkey");
    }
  }
  if (const Json* hash = field(spec, "policyHash")) {
    if (!hash->is_string()) invalid("spec.policyHash", "must be a content id like sha256:<64 hex>");
    const std::string text = hash->get<std::string>();
    if (!text.empty()) {
      if (auto id = digest::ContentId::parse(text); !id) {
        invalid("spec.policyHash",
                "must be a content id like sha256:<64 hex>: " + id.error().message);
      }
    }
  }
}

Json section_of(const Json& provcache_policy) {
  const Json* spec = field(provcache_policy, "spec");
  if (spec == nullptr) invalid("spec", "is required");
  if (!spec->is_object()) invalid("spec", "must be a mapping");
  check_store_and_hash(*spec);
  Json section = {{"enabled", value_or(*spec, "enabled", true)},
                  {"ttl", value_or(*spec, "ttl", "24h")},
                  {"maxTtl", value_or(*spec, "maxTtl", "168h")},
                  {"timeWindowBucket", value_or(*spec, "timeWindowBucket", "1h")},
                  {"minTrustScore", value_or(*spec, "minTrustScore", 60)},
                  {"onMiss", value_or(*spec, "onMiss", "evaluate")}};
  if (const Json* epoch = field(*spec, "feedEpoch")) section["feedEpoch"] = *epoch;
  if (const Json* revoked = field(*spec, "revokedSigners")) section["revokedSigners"] = *revoked;
  return section;
}

// "defaults.provcache.ttl: ..." → "spec.ttl: ...".
std::string spec_message(const std::string& message) {
  if (message.rfind(kSectionPrefix, 0) != 0) return message;
  return "spec" + message.substr(kSectionPrefix.size());
}

struct Candidate {
  std::size_t index = 0;
  std::string created;  // creationTimestamp, RFC 3339 (sorts as text)
  std::string name;
};

ResourceOutcome outcome_for(const Json& provcache_policy) {
  const Json* metadata = field(provcache_policy, "metadata");
  ResourceOutcome outcome;
  outcome.key = ResourceKey{std::string(kProvcachePolicyKind), text_field(metadata, "namespace"),
                            text_field(metadata, "name")};
  if (metadata != nullptr) {
    if (const Json* generation = field(*metadata, "generation");
        generation != nullptr && generation->is_number_integer()) {
      outcome.generation = generation->get<std::int64_t>();
    }
  }
  return outcome;
}

}  // namespace

Result<nlohmann::json> compile_provcache_policy(const nlohmann::json& provcache_policy) {
  Json section;
  try {
    section = section_of(provcache_policy);
  } catch (const SpecProblem& problem) {
    return make_error(ErrorCode::kInvalidArgument, problem.message);
  }
  const Json document = {{"apiVersion", std::string(policy::kPolicyApiVersion)},
                         {"kind", std::string(policy::kPolicyKind)},
                         {"metadata", {{"name", "provcache-policy"}}},
                         {"defaults", {{"provcache", section}}}};
  if (auto compiled = policy::compile_policy(document); !compiled) {
    return make_error(ErrorCode::kInvalidArgument, spec_message(compiled.error().message));
  }
  return section;
}

ProvcacheSelection select_provcache_policy(const std::vector<nlohmann::json>& provcache_policies,
                                           const OperatorSettings& settings) {
  ProvcacheSelection selection;
  std::vector<Json> sections(provcache_policies.size());
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < provcache_policies.size(); ++i) {
    const Json& resource = provcache_policies[i];
    ResourceOutcome outcome = outcome_for(resource);
    if (outcome.key.namespace_name != settings.operator_namespace) {
      outcome.reason = "WrongNamespace";
      outcome.message = "only ProvcachePolicies in the operator's namespace \"" +
                        settings.operator_namespace +
                        "\" apply (the provenance cache is one per cluster); this one changes "
                        "nothing";
    } else if (auto section = compile_provcache_policy(resource); !section) {
      outcome.reason = "InvalidSpec";
      outcome.message = section.error().message;
    } else {
      sections[i] = std::move(section).value();
      const Json* metadata = field(resource, "metadata");
      candidates.push_back({i, text_field(metadata, "creationTimestamp"), outcome.key.name});
    }
    selection.outcomes.push_back(std::move(outcome));
  }
  if (candidates.empty()) return selection;

  const auto oldest = std::min_element(candidates.begin(), candidates.end(),
                                       [](const Candidate& a, const Candidate& b) {
                                         // An object without a creationTimestamp (never from a real
                                         // API server) sorts last.
                                         if (a.created.empty() != b.created.empty())
                                           return b.created.empty();
                                         if (a.created != b.created) return a.created < b.created;
                                         return a.name < b.name;
                                       });
  const ResourceKey active_key = selection.outcomes[oldest->index].key;
  for (const Candidate& candidate : candidates) {
    ResourceOutcome& outcome = selection.outcomes[candidate.index];
    if (candidate.index == oldest->index) {
      outcome.included = true;
      outcome.reason = "Compiled";
      outcome.message =
          "the active ProvcachePolicy: its settings are the compiled policy's "
          "provcache defaults";
    } else {
      outcome.reason = "Superseded";
      outcome.message = active_key.describe() +
                        " is older and active; only one ProvcachePolicy applies per cluster, so "
                        "this one changes nothing";
    }
  }
  selection.provcache = std::move(sections[oldest->index]);
  return selection;
}

}  // namespace zastava::reconcile
