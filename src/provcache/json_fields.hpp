#pragma once
// Strict reading of a JSON object's members, shared by the provcache record
// parsers (entries, manifests, invalidations, revocations) and the embedded
// store's log. A reader names where it is ("provcache entry") so every error
// says which field was wrong:
//
//   const JsonFields fields(root, "provcache entry");
//   fields.allow_only({"decision", "feedEpoch", ...});
//   entry.feed_epoch = fields.string("feedEpoch");
//
// Errors are thrown as FieldError; the module boundary catches it and
// returns kParse. Only for .cpp files: it includes nlohmann/json.hpp.

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "provcache/decision_digest.hpp"

namespace zastava::provcache {

struct FieldError {
  std::string message;
};

class JsonFields {
 public:
  JsonFields(const nlohmann::json& object, std::string where)
      : object_(object), where_(std::move(where)) {
    if (!object_.is_object()) fail("must be a JSON object");
  }

  [[noreturn]] void fail(const std::string& why) const { throw FieldError{where_ + ": " + why}; }

  void allow_only(std::initializer_list<std::string_view> known) const {
    for (const auto& [key, value] : object_.items()) {
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        fail("unknown member \"" + key + "\"");
      }
    }
  }

  [[nodiscard]] bool has(const char* name) const { return object_.contains(name); }

  [[nodiscard]] const nlohmann::json& value(const char* name) const {
    const auto it = object_.find(name);
    if (it == object_.end()) fail(std::string("missing \"") + name + "\"");
    return *it;
  }

  [[nodiscard]] std::string string(const char* name) const {
    const nlohmann::json& member = value(name);
    if (!member.is_string()) fail(std::string("\"") + name + "\" must be a string");
    return member.get<std::string>();
  }

  // The string, or "" when the member is absent.
  [[nodiscard]] std::string optional_string(const char* name) const {
    return has(name) ? string(name) : std::string();
  }

  [[nodiscard]] std::uint64_t unsigned_integer(const char* name) const {
    const nlohmann::json& member = value(name);
    if (!member.is_number_unsigned() &&
        !(member.is_number_integer() && member.get<std::int64_t>() >= 0)) {
      fail(std::string("\"") + name + "\" must be a non-negative integer");
    }
    return member.get<std::uint64_t>();
  }

  [[nodiscard]] const nlohmann::json& object(const char* name) const {
    const nlohmann::json& member = value(name);
    if (!member.is_object()) fail(std::string("\"") + name + "\" must be an object");
    return member;
  }

  [[nodiscard]] const nlohmann::json& array(const char* name) const {
    const nlohmann::json& member = value(name);
    if (!member.is_array()) fail(std::string("\"") + name + "\" must be an array");
    return member;
  }

  // An RFC 3339 UTC time in DecisionDigest's format, as Unix seconds.
  [[nodiscard]] std::int64_t time(const char* name) const {
    auto parsed = parse_utc_time(string(name));
    if (!parsed) fail(std::string("\"") + name + "\": " + parsed.error().message);
    return *parsed;
  }

 private:
  const nlohmann::json& object_;
  std::string where_;
};

}  // namespace zastava::provcache
