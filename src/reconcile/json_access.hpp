#pragma once
// Reading Kubernetes objects that may be missing any field: what the
// reconcile code uses instead of at() (which throws) or operator[] (which
// inserts, or is undefined on a const object).

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace zastava::reconcile {

// `object[key]` when it is a string, else "".
inline std::string string_at(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return {};
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// `object[key]`, or null when `object` is not an object or has no `key`.
inline const nlohmann::json& member(const nlohmann::json& object, std::string_view key) {
  static const nlohmann::json kNull;
  if (!object.is_object()) return kNull;
  const auto found = object.find(key);
  return found != object.end() ? *found : kNull;
}

}  // namespace zastava::reconcile
