#include "kube/resource.hpp"

#include <utility>

namespace zastava::kube {
namespace {

void add_if(std::vector<std::pair<std::string, std::string>>& out, const char* name,
            const std::string& value) {
  if (!value.empty()) out.emplace_back(name, value);
}

}  // namespace

ResourceRef ResourceRef::in(std::string ns) const {
  ResourceRef copy = *this;
  copy.namespace_ = std::move(ns);
  return copy;
}

ResourceRef ResourceRef::named(std::string object_name) const {
  ResourceRef copy = *this;
  copy.name = std::move(object_name);
  return copy;
}

std::string ResourceRef::api_version() const {
  return group.empty() ? version : group + "/" + version;
}

std::string ResourceRef::path(std::string_view subresource) const {
  std::string out = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (!namespace_.empty()) out += "/namespaces/" + percent_encode(namespace_);
  out += "/" + resource;
  if (!name.empty()) {
    out += "/" + percent_encode(name);
    if (!subresource.empty()) out += "/" + std::string(subresource);
  }
  return out;
}

std::string ResourceRef::describe() const {
  std::string out = resource + (group.empty() ? "" : "." + group) + "/" + version;
  if (!namespace_.empty() || !name.empty()) out += " ";
  if (!namespace_.empty()) out += namespace_ + (name.empty() ? "" : "/");
  return out + name;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                            (byte >= '0' && byte <= '9') || byte == '-' || byte == '.' ||
                            byte == '_' || byte == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0F];
    }
  }
  return out;
}

std::string encode_query(const std::vector<std::pair<std::string, std::string>>& parameters) {
  std::string out;
  for (const auto& [name, value] : parameters) {
    if (!out.empty()) out += '&';
    out += percent_encode(name) + "=" + percent_encode(value);
  }
  return out;
}

std::string list_query(const ListOptions& options) {
  std::vector<std::pair<std::string, std::string>> parameters;
  add_if(parameters, "labelSelector", options.label_selector);
  add_if(parameters, "fieldSelector", options.field_selector);
  if (options.limit != 0) parameters.emplace_back("limit", std::to_string(options.limit));
  add_if(parameters, "continue", options.continue_token);
  add_if(parameters, "resourceVersion", options.resource_version);
  if (options.timeout_seconds != 0) {
    parameters.emplace_back("timeoutSeconds", std::to_string(options.timeout_seconds));
  }
  return encode_query(parameters);
}

std::string watch_query(const WatchOptions& options) {
  std::vector<std::pair<std::string, std::string>> parameters{{"watch", "true"}};
  add_if(parameters, "labelSelector", options.label_selector);
  add_if(parameters, "fieldSelector", options.field_selector);
  add_if(parameters, "resourceVersion", options.resource_version);
  if (options.allow_bookmarks) parameters.emplace_back("allowWatchBookmarks", "true");
  if (options.timeout_seconds != 0) {
    parameters.emplace_back("timeoutSeconds", std::to_string(options.timeout_seconds));
  }
  return encode_query(parameters);
}

}  // namespace zastava::kube
