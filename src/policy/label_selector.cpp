#include "policy/label_selector.hpp"

#include <algorithm>

#include "policy/json_reader.hpp"

namespace zastava::policy {
namespace {

using detail::Json;

bool is_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_lower_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// A qualified name's name part or a label value: [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?
Status check_name(std::string_view text, std::string_view what) {
  const auto bad = [&](std::string_view why) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(what) + " \"" + std::string(text) + "\" " + std::string(why));
  };
  if (text.empty()) return bad("is empty");
  if (text.size() > 63) return bad("is longer than 63 characters");
  if (!is_alnum(text.front()) || !is_alnum(text.back())) {
    return bad("must start and end with a letter or digit");
  }
  for (const char c : text) {
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.') {
      return bad("may contain only letters, digits, '-', '_' and '.'");
    }
  }
  return ok_status();
}

// RFC 1123 subdomain: lower-case labels of [a-z0-9-] joined by '.', at most 253.
Status check_dns_subdomain(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return make_error(ErrorCode::kInvalidArgument,
                      "label key prefix \"" + std::string(text) + "\" " + std::string(why));
  };
  if (text.empty()) return bad("is empty");
  if (text.size() > 253) return bad("is longer than 253 characters");
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t dot = std::min(text.find('.', start), text.size());
    const std::string_view label = text.substr(start, dot - start);
    if (label.empty() || !is_lower_alnum(label.front()) || !is_lower_alnum(label.back())) {
      return bad("must be a lower-case DNS subdomain (e.g. example.com)");
    }
    for (const char c : label) {
      if (!is_lower_alnum(c) && c != '-') {
        return bad("must be a lower-case DNS subdomain (e.g. example.com)");
      }
    }
    start = dot + 1;
  }
  return ok_status();
}

std::vector<std::string> read_values(const Json& values, const std::string& path) {
  detail::require_array(values, path);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::string where = detail::element_path(path, i);
    std::string value = detail::read_string(values[i], where);
    if (Status status = validate_label_value(value); !status) {
      detail::fail(where, status.error().message);
    }
    out.push_back(std::move(value));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void check_key(const std::string& key, const std::string& path) {
  if (Status status = validate_label_key(key); !status) detail::fail(path, status.error().message);
}

LabelRequirement read_expression(const Json& expression, const std::string& path) {
  detail::require_object(expression, path);
  detail::reject_unknown_fields(expression, {"key", "operator", "values"}, path);
  LabelRequirement requirement;
  const Json* key = detail::find_field(expression, "key");
  if (key == nullptr) detail::fail(detail::member_path(path, "key"), "is required");
  requirement.key = detail::read_string(*key, detail::member_path(path, "key"));
  check_key(requirement.key, detail::member_path(path, "key"));

  const std::string op_path = detail::member_path(path, "operator");
  const Json* op = detail::find_field(expression, "operator");
  if (op == nullptr) detail::fail(op_path, "is required");
  requirement.op =
      detail::read_enum<SelectorOperator>(*op,
                                          {{"In", SelectorOperator::kIn},
                                           {"NotIn", SelectorOperator::kNotIn},
                                           {"Exists", SelectorOperator::kExists},
                                           {"DoesNotExist", SelectorOperator::kDoesNotExist}},
                                          op_path);

  const std::string values_path = detail::member_path(path, "values");
  const Json* values = detail::find_field(expression, "values");
  if (values != nullptr) requirement.values = read_values(*values, values_path);
  const bool wants_values =
      requirement.op == SelectorOperator::kIn || requirement.op == SelectorOperator::kNotIn;
  if (wants_values && requirement.values.empty()) {
    detail::fail(values_path, "must list at least one value for operator " +
                                  std::string(selector_operator_name(requirement.op)));
  }
  if (!wants_values && values != nullptr && !values->empty()) {
    detail::fail(values_path, "must be empty for operator " +
                                  std::string(selector_operator_name(requirement.op)));
  }
  return requirement;
}

}  // namespace

Labels::Labels(std::initializer_list<std::pair<std::string, std::string>> labels)
    : Labels(std::vector<std::pair<std::string, std::string>>(labels)) {}

Labels::Labels(const std::map<std::string, std::string, std::less<>>& labels)
    : sorted_(labels.begin(), labels.end()) {}

Labels::Labels(std::vector<std::pair<std::string, std::string>> labels)
    : sorted_(std::move(labels)) {
  // Stable, so that among equal keys the last one given stays last; keep it.
  std::stable_sort(sorted_.begin(), sorted_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<std::string, std::string>> unique;
  unique.reserve(sorted_.size());
  for (auto& label : sorted_) {
    if (!unique.empty() && unique.back().first == label.first) {
      unique.back().second = std::move(label.second);
    } else {
      unique.push_back(std::move(label));
    }
  }
  sorted_ = std::move(unique);
}

const std::string* Labels::find(std::string_view key) const noexcept {
  const auto it =
      std::lower_bound(sorted_.begin(), sorted_.end(), key,
                       [](const auto& label, std::string_view k) { return label.first < k; });
  if (it == sorted_.end() || it->first != key) return nullptr;
  return &it->second;
}

std::string_view selector_operator_name(SelectorOperator op) noexcept {
  switch (op) {
    case SelectorOperator::kIn:
      return "In";
    case SelectorOperator::kNotIn:
      return "NotIn";
    case SelectorOperator::kExists:
      return "Exists";
    case SelectorOperator::kDoesNotExist:
      return "DoesNotExist";
  }
  return "?";
}

bool LabelRequirement::matches(const Labels& labels) const noexcept {
  const std::string* value = labels.find(key);
  const auto listed = [&] { return std::binary_search(values.begin(), values.end(), *value); };
  switch (op) {
    case SelectorOperator::kIn:
      return value != nullptr && listed();
    case SelectorOperator::kNotIn:
      return value == nullptr || !listed();
    case SelectorOperator::kExists:
      return value != nullptr;
    case SelectorOperator::kDoesNotExist:
      return value == nullptr;
  }
  return false;
}

bool LabelSelector::matches(const Labels& labels) const noexcept {
  return std::all_of(requirements_.begin(), requirements_.end(),
                     [&](const LabelRequirement& r) { return r.matches(labels); });
}

Result<LabelSelector> LabelSelector::parse(const nlohmann::json& selector, std::string_view path) {
  try {
    detail::require_object(selector, path);
    detail::reject_unknown_fields(selector, {"matchLabels", "matchExpressions"}, path);
    std::vector<LabelRequirement> requirements;
    if (const Json* labels = detail::find_field(selector, "matchLabels")) {
      const std::string labels_path = detail::member_path(path, "matchLabels");
      detail::require_object(*labels, labels_path);
      for (const auto& [key, value] : labels->items()) {  // nlohmann keeps keys sorted
        const std::string where = detail::member_path(labels_path, key);
        check_key(key, where);
        std::string text = detail::read_string(value, where);
        if (Status status = validate_label_value(text); !status) {
          detail::fail(where, status.error().message);
        }
        requirements.push_back({key, SelectorOperator::kIn, {std::move(text)}});
      }
    }
    if (const Json* expressions = detail::find_field(selector, "matchExpressions")) {
      const std::string expressions_path = detail::member_path(path, "matchExpressions");
      detail::require_array(*expressions, expressions_path);
      for (std::size_t i = 0; i < expressions->size(); ++i) {
        requirements.push_back(
            read_expression((*expressions)[i], detail::element_path(expressions_path, i)));
      }
    }
    return LabelSelector(std::move(requirements));
  } catch (const detail::FieldError& e) {
    return make_error(ErrorCode::kInvalidArgument, e.message());
  }
}

Status validate_label_key(std::string_view key) {
  const std::size_t slash = key.find('/');
  if (slash == std::string_view::npos) return check_name(key, "label key");
  if (Status prefix = check_dns_subdomain(key.substr(0, slash)); !prefix) return prefix;
  return check_name(key.substr(slash + 1), "label key name");
}

Status validate_label_value(std::string_view value) {
  if (value.empty()) return ok_status();
  return check_name(value, "label value");
}

Status validate_namespace_name(std::string_view name) {
  const auto bad = [&](std::string_view why) {
    return make_error(ErrorCode::kInvalidArgument,
                      "namespace name \"" + std::string(name) + "\" " + std::string(why));
  };
  if (name.empty()) return bad("is empty");
  if (name.size() > 63) return bad("is longer than 63 characters");
  if (!is_lower_alnum(name.front()) || !is_lower_alnum(name.back())) {
    return bad("must start and end with a lower-case letter or digit");
  }
  for (const char c : name) {
    if (!is_lower_alnum(c) && c != '-') return bad("may contain only a-z, 0-9 and '-'");
  }
  return ok_status();
}

}  // namespace zastava::policy
