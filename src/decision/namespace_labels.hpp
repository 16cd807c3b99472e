#pragma once
// Where the admission pipeline gets a namespace's labels (policy scopes can
// select namespaces by label). The webhook fills it from the Kubernetes API
// (a watch on namespaces) when it can; a namespace it does not know has no
// labels, so only scopes that select by name (or select everything) match it.
// Lookups happen on the admission hot path: implementations answer from
// memory and must be thread-safe.

#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "policy/label_selector.hpp"

namespace zastava::decision {

class NamespaceLabels {
 public:
  virtual ~NamespaceLabels() = default;
  // The namespace's labels; empty when unknown.
  [[nodiscard]] virtual policy::Labels labels(std::string_view namespace_name) const = 0;
};

// A table kept in memory and replaced as namespaces change (tests, and the
// webhook's namespace watch). Thread-safe.
class NamespaceLabelTable final : public NamespaceLabels {
 public:
  [[nodiscard]] policy::Labels labels(std::string_view namespace_name) const override;
  void set(std::string namespace_name, policy::Labels labels);
  void erase(std::string_view namespace_name);

 private:
  mutable std::shared_mutex mutex_;
  std::map<std::string, policy::Labels, std::less<>> table_;
};

}  // namespace zastava::decision
