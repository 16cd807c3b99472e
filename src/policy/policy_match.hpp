#pragma once
// Choosing the scope that governs one container image: the FIRST scope, in
// document order, whose namespaces match the pod's namespace (by name and
// labels) and whose images match the normalized image reference; when none
// does, the policy's defaults scope.
//
// This runs for every container of every admission, so it allocates nothing:
// namespace names are binary-searched, label requirements are binary
// searches in the sorted Labels, and image globs were compiled with the
// policy.

#include <string_view>

#include "policy/label_selector.hpp"
#include "policy/policy_document.hpp"

namespace zastava::policy {

const Scope& select_scope(const CompiledPolicy& policy, std::string_view namespace_name,
                          const Labels& namespace_labels,
                          std::string_view normalized_image) noexcept;

}  // namespace zastava::policy
