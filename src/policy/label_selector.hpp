#pragma once
// Kubernetes label selectors (metav1.LabelSelector), with exactly the API
// server's semantics, for choosing a policy scope by namespace labels.
//
// A selector is the AND of its requirements: every matchLabels entry k: v is
// the requirement "k In (v)", followed by each matchExpressions entry:
//   In            the key is present and its value is one of values
//   NotIn         the key is absent, or its value is none of values
//   Exists        the key is present (any value)
//   DoesNotExist  the key is absent
// In and NotIn need at least one value; Exists and DoesNotExist take none.
// The empty selector ({}) matches every set of labels, the empty set included.
// Keys and values are checked as the API server checks them: a key is
// [prefix/]name, the prefix a DNS subdomain of at most 253 characters, the
// name at most 63 of [A-Za-z0-9._-] starting and ending alphanumeric; a
// value is empty or a name.
//
// Matching never allocates: label sets are sorted once, and every requirement
// is a binary search.

#include <initializer_list>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"

namespace zastava::policy {

// An object's labels, e.g. a namespace's, sorted by key for lookups.
class Labels {
 public:
  Labels() = default;
  Labels(std::initializer_list<std::pair<std::string, std::string>> labels);
  explicit Labels(const std::map<std::string, std::string, std::less<>>& labels);
  explicit Labels(std::vector<std::pair<std::string, std::string>> labels);  // later keys win

  // The value of `key`, or nullptr when the key is absent.
  [[nodiscard]] const std::string* find(std::string_view key) const noexcept;
  [[nodiscard]] std::size_t size() const noexcept { return sorted_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> sorted_;
};

enum class SelectorOperator { kIn, kNotIn, kExists, kDoesNotExist };
std::string_view selector_operator_name(SelectorOperator op) noexcept;  // "In", ...

struct LabelRequirement {
  std::string key;
  SelectorOperator op = SelectorOperator::kExists;
  std::vector<std::string> values;  // sorted and unique

  [[nodiscard]] bool matches(const Labels& labels) const noexcept;
};

class LabelSelector {
 public:
  // The empty selector: matches everything.
  LabelSelector() = default;

  // {matchLabels: {k: v}, matchExpressions: [{key, operator, values}]}, strictly:
  // unknown fields, bad keys or values, an unknown operator or values that
  // do not fit it are kInvalidArgument naming the path below `path`
  // ("<path>.matchExpressions[1].values: ...").
  static Result<LabelSelector> parse(const nlohmann::json& selector, std::string_view path = "");

  [[nodiscard]] bool matches(const Labels& labels) const noexcept;
  [[nodiscard]] bool empty() const noexcept { return requirements_.empty(); }
  // matchLabels first (in key order), then matchExpressions in document order.
  [[nodiscard]] const std::vector<LabelRequirement>& requirements() const noexcept {
    return requirements_;
  }

 private:
  explicit LabelSelector(std::vector<LabelRequirement> requirements)
      : requirements_(std::move(requirements)) {}
  std::vector<LabelRequirement> requirements_;
};

// The API server's checks, kInvalidArgument saying what is wrong.
Status validate_label_key(std::string_view key);
Status validate_label_value(std::string_view value);
// A namespace name: a DNS-1123 label (at most 63 of [a-z0-9-], alphanumeric at both ends).
Status validate_namespace_name(std::string_view name);

}  // namespace zastava::policy
