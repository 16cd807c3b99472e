// ResourceKey's two spellings: one for people, one for the informer cache.
#include "reconcile/resource_outcome.hpp"

namespace zastava::reconcile {

std::string ResourceKey::describe() const {
  return kind + " " + object_key();
}

std::string ResourceKey::object_key() const {
  return namespace_name.empty() ? name : namespace_name + "/" + name;
}

}  // namespace zastava::reconcile
