#pragma once
// kube::Client: a small, thread-safe Kubernetes API client (the verbs
// client-go's dynamic client has, over our own Beast transport).
//
//   auto config = kube::load_default_config();
//   auto client = kube::Client::create(*config);
//   const kube::ResourceRef configmaps{"", "v1", "configmaps"};
//   auto cm = (*client)->get(configmaps.in("zastava").named("policy"));
//   (*client)->apply(configmaps.in("zastava").named("policy"), desired,
//                    {.field_manager = "zastava-operator", .force = true});
//
// Objects are nlohmann::json, as the API sends them. Every call has a
// timeout; a 401 makes the client re-read a rotating token file and retry
// once. Failures come back as Errors that keep the Status object's code and
// reason (kube/api_error.hpp: is_not_found, is_conflict, is_gone, ...).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "kube/api_error.hpp"
#include "kube/config.hpp"
#include "kube/resource.hpp"
#include "kube/token_source.hpp"
#include "kube/transport.hpp"

namespace zastava::kube {

struct ClientOptions {
  TransportOptions transport{};
  std::chrono::milliseconds timeout{30'000};  // every call but watches
  std::chrono::seconds token_reread{60};
};

struct ApplyOptions {
  std::string field_manager{};  // required by server-side apply
  bool force = false;           // take fields other managers own
};

struct DeleteOptions {
  std::string precondition_resource_version{};
  std::string precondition_uid{};
  std::string propagation_policy{};  // "Background", "Foreground", "Orphan" or empty
};

struct WatchEvent {
  enum class Type { kAdded, kModified, kDeleted, kBookmark, kError };
  Type type = Type::kAdded;
  nlohmann::json object{};
};

class Client {
 public:
  static Result<std::unique_ptr<Client>> create(ClusterConfig config, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // `ref` names the object (name set) or the collection (name empty).
  Result<nlohmann::json> get(const ResourceRef& ref, std::string_view subresource = {});
  // One page: the List object; metadata.continue is set when more remain.
  Result<nlohmann::json> list(const ResourceRef& collection, const ListOptions& options = {});
  // Every page (options.limit items each), as one List whose
  // metadata.resourceVersion is the first page's (a consistent snapshot).
  Result<nlohmann::json> list_all(const ResourceRef& collection, ListOptions options = {});
  Result<nlohmann::json> create(const ResourceRef& collection, const nlohmann::json& object);
  // PUT; a stale metadata.resourceVersion fails with 409 Conflict.
  Result<nlohmann::json> update(const ResourceRef& ref, const nlohmann::json& object);
  Result<nlohmann::json> update_status(const ResourceRef& ref, const nlohmann::json& object);
  // application/merge-patch+json (RFC 7386), on the object or a subresource.
  Result<nlohmann::json> merge_patch(const ResourceRef& ref, const nlohmann::json& patch,
                                     std::string_view subresource = {});
  // application/json-patch+json (RFC 6902): a list of operations.
  Result<nlohmann::json> json_patch(const ResourceRef& ref, const nlohmann::json& operations,
                                    std::string_view subresource = {});
  // Server-side apply (application/apply-patch+yaml; JSON is YAML): creates or
  // merges the fields `object` sets, owned by options.field_manager.
  Result<nlohmann::json> apply(const ResourceRef& ref, const nlohmann::json& object,
                               const ApplyOptions& options, std::string_view subresource = {});
  // create and merge_patch for a caller with no use for the reply: the object
  // the server sends back is not parsed. For a large object (the compiled
  // policy's ConfigMap) that parse would more than double what a write holds.
  Status create_discarding_reply(const ResourceRef& collection, const nlohmann::json& object);
  Status merge_patch_discarding_reply(const ResourceRef& ref, const nlohmann::json& patch,
                                      std::string_view subresource = {});
  // DELETE; the reply (the object, or a Status) is returned.
  Result<nlohmann::json> remove(const ResourceRef& ref, const DeleteOptions& options = {});

  // One WATCH stream: each event goes to `on_event` (return false to stop)
  // until the server ends the stream (ok), `stop` is requested (ok), or it
  // fails. An ERROR event ends the watch with its Status as the Error (410:
  // is_gone → list again). Idle for longer than timeout_seconds + 30 s fails.
  Status watch(const ResourceRef& collection, const WatchOptions& options,
               const std::function<bool(const WatchEvent&)>& on_event, std::stop_token stop = {});

  [[nodiscard]] const ClusterConfig& config() const noexcept { return config_; }
  [[nodiscard]] std::uint64_t connections_opened() const noexcept;

 private:
  Client(ClusterConfig config, ClientOptions options, std::unique_ptr<Transport> transport);
  enum class Reply { kParse, kDiscard };
  // kDiscard: a 2xx reply comes back as null, unparsed.
  Result<nlohmann::json> call(std::string_view method, const std::string& target,
                              std::string body = {}, std::string content_type = {},
                              Reply reply_use = Reply::kParse);

  ClusterConfig config_;
  ClientOptions options_;
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<TokenSource> tokens_;
};

}  // namespace zastava::kube
