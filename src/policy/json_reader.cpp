#include "policy/json_reader.hpp"

#include <algorithm>

namespace zastava::policy::detail {

void fail(std::string path, std::string problem) {
  throw FieldError{std::move(path), std::move(problem)};
}

std::string member_path(std::string_view base, std::string_view field) {
  if (base.empty()) return std::string(field);
  std::string path(base);
  path += '.';
  path += field;
  return path;
}

std::string element_path(std::string_view base, std::size_t index) {
  return std::string(base) + "[" + std::to_string(index) + "]";
}

std::string describe_type(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object:
      return "a mapping";
    case Json::value_t::array:
      return "a list";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::null:
      return "null";
    default:
      return "a number";
  }
}

const Json& require_object(const Json& value, std::string_view path) {
  if (!value.is_object()) fail(std::string(path), "must be a mapping, not " + describe_type(value));
  return value;
}

const Json& require_array(const Json& value, std::string_view path) {
  if (!value.is_array()) fail(std::string(path), "must be a list, not " + describe_type(value));
  return value;
}

void reject_unknown_fields(const Json& object, std::span<const std::string_view> known,
                           std::string_view path) {
  for (const auto& [name, value] : object.items()) {
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    std::string list;
    for (const std::string_view field : known) {
      list += (list.empty() ? "" : ", ") + std::string(field);
    }
    fail(member_path(path, name), "unknown field (known fields here: " + list + ")");
  }
}

const Json* find_field(const Json& object, std::string_view name) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string read_string(const Json& value, std::string_view path) {
  if (!value.is_string()) fail(std::string(path), "must be a string, not " + describe_type(value));
  return value.get<std::string>();
}

std::string read_nonempty_string(const Json& value, std::string_view path) {
  std::string text = read_string(value, path);
  if (text.empty()) fail(std::string(path), "must not be empty");
  return text;
}

bool read_bool(const Json& value, std::string_view path) {
  if (!value.is_boolean()) {
    fail(std::string(path), "must be true or false, not " + describe_type(value));
  }
  return value.get<bool>();
}

std::int64_t read_integer(const Json& value, std::int64_t min, std::int64_t max,
                          std::string_view path) {
  const auto out_of_range = [&] {
    fail(std::string(path), "must be a whole number in " + std::to_string(min) + ".." +
                                std::to_string(max) + ", not " + value.dump());
  };
  if (value.is_number_unsigned()) {
    const auto number = value.get<std::uint64_t>();
    if (number > static_cast<std::uint64_t>(max) ||
        (min > 0 && number < static_cast<std::uint64_t>(min))) {
      out_of_range();
    }
    return static_cast<std::int64_t>(number);
  }
  if (value.is_number_integer()) {
    const auto number = value.get<std::int64_t>();
    if (number < min || number > max) out_of_range();
    return number;
  }
  if (value.is_number_float()) out_of_range();
  fail(std::string(path), "must be a whole number, not " + describe_type(value));
}

}  // namespace zastava::policy::detail
