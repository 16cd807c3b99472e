#include "policy/policy_match.hpp"

namespace zastava::policy {

const Scope& select_scope(const CompiledPolicy& policy, std::string_view namespace_name,
                          const Labels& namespace_labels,
                          std::string_view normalized_image) noexcept {
  for (const Scope& scope : policy.scopes) {
    if (scope.namespaces.matches(namespace_name, namespace_labels) &&
        scope.matches_image(normalized_image)) {
      return scope;
    }
  }
  return policy.defaults;
}

}  // namespace zastava::policy
