#pragma once
// How the API names things: a resource is addressed by {group, version,
// resource (the plural), namespace, name}, and its REST path follows from it:
// the core group lives under /api/v1, every other group under
// /apis/<group>/<version>; namespaced resources add namespaces/<ns>/.
//
//   ResourceRef pods{"", "v1", "pods"};
//   pods.in("default").named("web-0").path()       // /api/v1/namespaces/default/pods/web-0
//   ResourceRef leases{"coordination.k8s.io", "v1", "leases"};
//   leases.in("kube-system").path()                //
//   /apis/coordination.k8s.io/v1/namespaces/kube-system/leases
//
// An empty namespace means a cluster-scoped resource, or "all namespaces"
// for a list or watch.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zastava::kube {

struct ResourceRef {
  std::string group{};     // "" for the core group
  std::string version{};   // "v1"
  std::string resource{};  // the plural: "pods", "events", "facetpolicies"
  std::string namespace_{};
  std::string name{};

  [[nodiscard]] ResourceRef in(std::string ns) const;
  [[nodiscard]] ResourceRef named(std::string object_name) const;
  // "v1" or "group/version", for an object's apiVersion.
  [[nodiscard]] std::string api_version() const;
  // The collection's path, or the object's when name is set; `subresource`
  // ("status") is appended to an object's path.
  [[nodiscard]] std::string path(std::string_view subresource = {}) const;
  // "pods.v1 default/web-0", for messages.
  [[nodiscard]] std::string describe() const;
};

// Query parameters, percent-encoded: a target is path + "?" + encode_query(...).
std::string percent_encode(std::string_view text);
std::string encode_query(const std::vector<std::pair<std::string, std::string>>& parameters);

struct ListOptions {
  std::string label_selector{};
  std::string field_selector{};
  std::uint32_t limit = 0;  // 0: everything in one page
  std::string continue_token{};
  std::string resource_version{};     // "" most recent; "0" any (cache)
  std::uint32_t timeout_seconds = 0;  // server-side; 0 = the server's default
};

struct WatchOptions {
  std::string label_selector{};
  std::string field_selector{};
  std::string resource_version{};  // start after this; "" = synthetic ADDED for what exists
  bool allow_bookmarks = true;
  std::uint32_t timeout_seconds = 300;  // the server ends the stream after this
};

// The query string a LIST or WATCH sends.
std::string list_query(const ListOptions& options);
std::string watch_query(const WatchOptions& options);

}  // namespace zastava::kube
