#pragma once
// What compiling one FacetPolicy or ProvcachePolicy came to: part of the
// compiled policy, or left out and why. The status reconciler turns it into
// the resource's conditions (reconcile/policy_status.hpp).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace zastava::reconcile {

inline constexpr std::string_view kFacetPolicyKind = "FacetPolicy";
inline constexpr std::string_view kProvcachePolicyKind = "ProvcachePolicy";

struct ResourceKey {
  std::string kind;  // kFacetPolicyKind or kProvcachePolicyKind
  std::string namespace_name;
  std::string name;

  // "FacetPolicy payments/strict", for logs and messages.
  [[nodiscard]] std::string describe() const;
  // "payments/strict", the informer's key.
  [[nodiscard]] std::string object_key() const;
  auto operator<=>(const ResourceKey&) const = default;
};

struct ResourceOutcome {
  ResourceKey key;
  std::int64_t generation = 0;  // metadata.generation compiled
  bool included = false;        // part of the compiled policy
  // CamelCase, for the Ready condition: Compiled, InvalidSpec, SecretNotFound,
  // Superseded, WrongNamespace, ...
  std::string reason;
  std::string message;                     // for people; names the field when invalid
  std::string scope_name;                  // FacetPolicy: "<namespace>/<name>"
  std::optional<std::size_t> facet_count;  // FacetPolicy: facets defined
};

// Reads a Secret's data value (base64-decoded) for a trusted key or a store
// URL: kNotFound when the Secret or its key is missing.
using SecretReader = std::function<Result<std::string>(
    std::string_view namespace_name, std::string_view name, std::string_view key)>;

}  // namespace zastava::reconcile
