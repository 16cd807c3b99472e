// Every policy resource → the compiled document. The common case (every
// FacetPolicy valid) costs one compile of the whole document. When it fails,
// the error names the bad scope: it is compiled alone (for a message in its
// resource's terms), left out, and the rest compiled again; past a few bad
// ones, every scope is compiled alone instead.
#include "reconcile/policy_assembly.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.hpp"
#include "digest/content_id.hpp"
#include "json/canonical_json.hpp"
#include "policy/policy_document.hpp"
#include "reconcile/facet_policy_compiler.hpp"
#include "reconcile/provcache_policy_compiler.hpp"

namespace zastava::reconcile {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kGeneratedBy = "zastava-operator";
// Up to this many bad scopes are found from the whole document's errors, one
// compile each; beyond, every scope is compiled alone (one compile each).
constexpr std::size_t kMaxScopesRemovedOneByOne = 8;

// A FacetPolicy whose scope was built, waiting to be validated.
struct Candidate {
  bool cluster = false;  // in the operator's namespace: sorted first
  std::size_t outcome = 0;
  Json scope;
};

std::string text_at(const Json& object, std::string_view section, std::string_view name) {
  const auto outer = object.find(section);
  if (outer == object.end() || !outer->is_object()) return {};
  const auto inner = outer->find(name);
  return inner != outer->end() && inner->is_string() ? inner->get<std::string>() : std::string();
}

ResourceOutcome facet_outcome_for(const Json& facet_policy) {
  ResourceOutcome outcome;
  outcome.key =
      ResourceKey{std::string(kFacetPolicyKind), text_at(facet_policy, "metadata", "namespace"),
                  text_at(facet_policy, "metadata", "name")};
  if (const auto metadata = facet_policy.find("metadata");
      metadata != facet_policy.end() && metadata->is_object()) {
    if (const auto generation = metadata->find("generation");
        generation != metadata->end() && generation->is_number_integer()) {
      outcome.generation = generation->get<std::int64_t>();
    }
  }
  return outcome;
}

Json document_of(const OperatorSettings& settings, const Json& defaults, Json scopes) {
  return Json{{"apiVersion", std::string(policy::kPolicyApiVersion)},
              {"kind", std::string(policy::kPolicyKind)},
              {"metadata",
               {{"name", settings.policy_name},
                {"version", ""},
                {"generatedBy", std::string(kGeneratedBy)}}},
              {"defaults", defaults},
              {"scopes", std::move(scopes)}};
}

// The index of the scope a compile error is about: "scopes[12].mode: ..." → 12.
std::optional<std::size_t> failing_scope(std::string_view message) {
  constexpr std::string_view kPrefix = "scopes[";
  if (message.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::size_t index = 0;
  std::size_t at = kPrefix.size();
  for (; at < message.size() && message[at] >= '0' && message[at] <= '9'; ++at) {
    index = index * 10 + static_cast<std::size_t>(message[at] - '0');
  }
  if (at == kPrefix.size() || at >= message.size() || message[at] != ']') return std::nullopt;
  return index;
}

// Moves the candidates' scopes into one array (the document's `scopes`);
// candidates[i] then stands for scopes[i].
Json take_scopes(std::vector<Candidate>& candidates) {
  Json scopes = Json::array();
  scopes.get_ref<Json::array_t&>().reserve(candidates.size());
  for (Candidate& candidate : candidates) scopes.push_back(std::move(candidate.scope));
  return scopes;
}

// The facet count of each compiled scope, so the compiled policy itself can
// be freed before the document is serialised.
Result<std::vector<std::size_t>> facet_counts_of(const Json& document) {
  auto compiled = policy::compile_policy(document);
  if (!compiled) return compiled.error();
  std::vector<std::size_t> counts;
  counts.reserve(compiled->scopes.size());
  for (const policy::Scope& scope : compiled->scopes) {
    counts.push_back(scope.facets ? scope.facets->definitions().size() : 0);
  }
  return counts;
}

void mark_compiled(ResourceOutcome& outcome, const OperatorSettings& settings,
                   std::size_t facet_count) {
  outcome.included = true;
  outcome.reason = "Compiled";
  outcome.scope_name = outcome.key.object_key();
  outcome.facet_count = facet_count;
  const bool cluster = outcome.key.namespace_name == settings.operator_namespace;
  outcome.message = "compiled into scope " + outcome.scope_name + " (" +
                    std::to_string(facet_count) + " facets; " +
                    (cluster ? "a cluster policy: every namespace its namespaceSelector matches"
                             : "covers namespace " + outcome.key.namespace_name + " only") +
                    ")";
}

void mark_left_out(ResourceOutcome& outcome, const Error& error) {
  outcome.included = false;
  outcome.reason = error.code == ErrorCode::kNotFound ? "SecretNotFound" : "InvalidSpec";
  outcome.message = error.message;
}

// The defaults section: the operator's, with the active ProvcachePolicy's
// settings merged field by field into `provcache`.
Result<Json> defaults_with(const OperatorSettings& settings, const std::optional<Json>& provcache) {
  Json defaults = settings.defaults.is_null() ? Json::object() : settings.defaults;
  if (!defaults.is_object()) {
    return make_error(ErrorCode::kInvalidArgument, "the operator's defaults must be a mapping");
  }
  if (provcache) {
    Json& section = defaults["provcache"];
    if (!section.is_object()) section = Json::object();
    for (const auto& [name, value] : provcache->items()) section[name] = value;
  }
  return defaults;
}

Result<std::string> content_hash_of(const Json& document) {
  auto canonical = json::canonicalize(document);
  if (!canonical) return canonical.error();
  return digest::ContentId::sha256_of(as_bytes(*canonical)).to_string();
}

}  // namespace

Result<AssembledPolicy> assemble_policy(std::vector<nlohmann::json> facet_policies,
                                        const std::vector<nlohmann::json>& provcache_policies,
                                        const OperatorSettings& settings,
                                        const SecretReader& read_secret) {
  ProvcacheSelection selection = select_provcache_policy(provcache_policies, settings);
  auto defaults = defaults_with(settings, selection.provcache);
  if (!defaults) return defaults.error();
  if (auto base = policy::compile_policy(document_of(settings, *defaults, Json::array())); !base) {
    return base.error().with_context("the operator's defaults do not compile");
  }

  std::vector<ResourceOutcome> outcomes;
  outcomes.reserve(facet_policies.size() + selection.outcomes.size());
  std::vector<Candidate> candidates;
  candidates.reserve(facet_policies.size());
  for (Json& facet_policy : facet_policies) {
    ResourceOutcome outcome = facet_outcome_for(facet_policy);
    auto scope = build_facet_scope(facet_policy, settings, read_secret);
    facet_policy = nullptr;  // its scope replaces it: never both for every policy
    if (!scope) {
      const ErrorCode code = scope.error().code;
      if (code != ErrorCode::kInvalidArgument && code != ErrorCode::kNotFound) {
        return scope.error().with_context(outcome.key.describe());  // transient: retry later
      }
      mark_left_out(outcome, scope.error());
    } else {
      const bool cluster = outcome.key.namespace_name == settings.operator_namespace;
      candidates.push_back({cluster, outcomes.size(), std::move(scope).value()});
    }
    outcomes.push_back(std::move(outcome));
  }
  std::sort(candidates.begin(), candidates.end(),
            [&outcomes](const Candidate& a, const Candidate& b) {
              if (a.cluster != b.cluster) return a.cluster;
              return outcomes[a.outcome].key < outcomes[b.outcome].key;
            });

  Json document = document_of(settings, *defaults, take_scopes(candidates));
  Json& scopes = document["scopes"];
  const auto drop = [&](std::size_t index) {
    candidates.erase(candidates.begin() + static_cast<std::ptrdiff_t>(index));
    scopes.erase(index);
  };
  auto counts = facet_counts_of(document);
  // A few bad scopes: the error names each in turn (one compile per bad one).
  for (std::size_t removed = 0; !counts && removed < kMaxScopesRemovedOneByOne; ++removed) {
    const std::optional<std::size_t> index = failing_scope(counts.error().message);
    if (!index || *index >= candidates.size()) break;
    auto alone = validate_facet_scope(scopes[*index], *defaults, settings);
    mark_left_out(
        outcomes[candidates[*index].outcome],
        alone ? make_error(ErrorCode::kInvalidArgument, counts.error().message) : alone.error());
    drop(*index);
    counts = facet_counts_of(document);
  }
  // Many: each scope compiled alone.
  if (!counts) {
    for (std::size_t i = candidates.size(); i-- > 0;) {
      if (auto alone = validate_facet_scope(scopes[i], *defaults, settings); !alone) {
        mark_left_out(outcomes[candidates[i].outcome], alone.error());
        drop(i);
      }
    }
    counts = facet_counts_of(document);
    if (!counts) return counts.error().with_context("the compiled policy does not compile");
  }
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    mark_compiled(outcomes[candidates[i].outcome], settings, (*counts)[i]);
  }

  auto hash = content_hash_of(document);
  if (!hash) return hash.error();
  document["metadata"]["version"] = *hash;
  auto text = json::canonicalize(document);
  if (!text) return text.error();

  for (ResourceOutcome& outcome : selection.outcomes) outcomes.push_back(std::move(outcome));
  std::sort(outcomes.begin(), outcomes.end(),
            [](const ResourceOutcome& a, const ResourceOutcome& b) { return a.key < b.key; });
  return AssembledPolicy{std::move(document), std::move(text).value(), std::move(hash).value(),
                         std::move(outcomes)};
}

}  // namespace zastava::reconcile
