#include "decision/namespace_labels.hpp"

#include <utility>

namespace zastava::decision {

policy::Labels NamespaceLabelTable::labels(std::string_view namespace_name) const {
  std::shared_lock lock(mutex_);
  const auto it = table_.find(namespace_name);
  return it == table_.end() ? policy::Labels{} : it->second;
}

void NamespaceLabelTable::set(std::string namespace_name, policy::Labels labels) {
  std::unique_lock lock(mutex_);
  table_.insert_or_assign(std::move(namespace_name), std::move(labels));
}

void NamespaceLabelTable::erase(std::string_view namespace_name) {
  std::unique_lock lock(mutex_);
  if (const auto it = table_.find(namespace_name); it != table_.end()) table_.erase(it);
}

}  // namespace zastava::decision
