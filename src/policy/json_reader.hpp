#pragma once
// Strict readers for the policy document's JSON tree, used inside the policy
// module only. Every problem is thrown as a FieldError carrying the JSON path
// of the offending value ("scopes[2].provcache.minTrustScore") and the
// problem in words; the module's public functions turn it into an Error
// "<path>: <problem>" at the boundary.
//
// Conventions shared by every field of the document:
//   - unknown fields are errors (a typo must not silently weaken a policy);
//   - a field set to null reads as absent (YAML's `field:` with no value);
//   - numbers are checked for their type and range, never coerced from text.

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace zastava::policy::detail {

using Json = nlohmann::json;

struct FieldError {
  std::string path;
  std::string problem;

  [[nodiscard]] std::string message() const {
    return path.empty() ? problem : path + ": " + problem;
  }
};

[[noreturn]] void fail(std::string path, std::string problem);

// "a" + "b" -> "a.b"; "" + "b" -> "b".
std::string member_path(std::string_view base, std::string_view field);
// "a" + 2 -> "a[2]".
std::string element_path(std::string_view base, std::size_t index);

// The type name a person expects: "a string", "a list", "a mapping", ...
std::string describe_type(const Json& value);

const Json& require_object(const Json& value, std::string_view path);
const Json& require_array(const Json& value, std::string_view path);
void reject_unknown_fields(const Json& object, std::span<const std::string_view> known,
                           std::string_view path);
inline void reject_unknown_fields(const Json& object, std::initializer_list<std::string_view> known,
                                  std::string_view path) {
  reject_unknown_fields(object, std::span<const std::string_view>(known.begin(), known.size()),
                        path);
}

// The member `name` of `object`, or nullptr when it is absent or null.
const Json* find_field(const Json& object, std::string_view name);

std::string read_string(const Json& value, std::string_view path);
std::string read_nonempty_string(const Json& value, std::string_view path);
bool read_bool(const Json& value, std::string_view path);
std::int64_t read_integer(const Json& value, std::int64_t min, std::int64_t max,
                          std::string_view path);

// One of `names` (exact spelling, case-sensitive), as its enumerator.
template <typename Enum>
Enum read_enum(const Json& value, std::initializer_list<std::pair<std::string_view, Enum>> names,
               std::string_view path) {
  const std::string text = read_string(value, path);
  std::string list;
  for (const auto& [name, enumerator] : names) {
    if (name == text) return enumerator;
    list += (list.empty() ? "" : ", ") + std::string(name);
  }
  fail(std::string(path), "must be one of " + list + ", not \"" + text + "\"");
}

}  // namespace zastava::policy::detail
