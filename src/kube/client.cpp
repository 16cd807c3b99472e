#include "kube/client.hpp"

#include <utility>

namespace zastava::kube {
namespace {

using nlohmann::json;

// Watches may be quiet for their whole timeoutSeconds; the stream fails only
// when idle beyond that plus this grace.
constexpr std::chrono::seconds kWatchIdleGrace{30};

std::string with_query(std::string path, const std::string& query) {
  return query.empty() ? path : path + "?" + query;
}

Result<json> parse_object(const std::string& body, std::string_view what) {
  if (body.empty()) return json::object();
  auto parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return make_error(ErrorCode::kParse, "reply to " + std::string(what) + " is not JSON");
  }
  return parsed;
}

std::optional<WatchEvent::Type> event_type(const std::string& name) {
  if (name == "ADDED") return WatchEvent::Type::kAdded;
  if (name == "MODIFIED") return WatchEvent::Type::kModified;
  if (name == "DELETED") return WatchEvent::Type::kDeleted;
  if (name == "BOOKMARK") return WatchEvent::Type::kBookmark;
  if (name == "ERROR") return WatchEvent::Type::kError;
  return std::nullopt;
}

}  // namespace

Client::Client(ClusterConfig config, ClientOptions options, std::unique_ptr<Transport> transport)
    : config_(std::move(config)),
      options_(options),
      transport_(std::move(transport)),
      tokens_(std::make_unique<TokenSource>(config_.token, config_.token_file,
                                            options_.token_reread)) {}

Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::create(ClusterConfig config, ClientOptions options) {
  auto transport = Transport::create(config, options.transport);
  if (!transport) return transport.error();
  return std::unique_ptr<Client>(new Client(std::move(config), options, std::move(*transport)));
}

std::uint64_t Client::connections_opened() const noexcept {
  return transport_->connections_opened();
}

Result<json> Client::call(std::string_view method, const std::string& target, std::string body,
                          std::string content_type, Reply reply_use) {
  const std::string what = std::string(method) + " " + target;
  for (int attempt = 0;; ++attempt) {
    auto authorization = tokens_->authorization();
    if (!authorization) return authorization.error();
    HttpCall http_call{method,          target, body, content_type, std::move(*authorization),
                       options_.timeout};
    auto reply = transport_->request(http_call);
    if (!reply) return reply.error().with_context(what);
    if (reply->status == 401 && attempt == 0 && tokens_->invalidate()) continue;  // rotated token
    if (reply->status < 200 || reply->status >= 300) {
      return api_error(api_status_from_reply(reply->status, reply->body), what);
    }
    if (reply_use == Reply::kDiscard) return json();
    return parse_object(reply->body, what);
  }
}

Result<json> Client::get(const ResourceRef& ref, std::string_view subresource) {
  return call("GET", ref.path(subresource));
}

Result<json> Client::list(const ResourceRef& collection, const ListOptions& options) {
  return call("GET", with_query(collection.named("").path(), list_query(options)));
}

Result<json> Client::list_all(const ResourceRef& collection, ListOptions options) {
  auto first = list(collection, options);
  if (!first) return first;
  json all = std::move(*first);
  if (!all["items"].is_array()) all["items"] = json::array();
  for (;;) {
    const auto& metadata = all["metadata"];
    const std::string next = metadata.value("continue", "");
    if (next.empty()) break;
    options.continue_token = next;
    options.resource_version.clear();  // the token carries it
    auto page = list(collection, options);
    if (!page) return page;
    for (auto& item : (*page)["items"]) all["items"].push_back(std::move(item));
    all["metadata"]["continue"] = (*page)["metadata"].value("continue", "");
  }
  all["metadata"].erase("continue");
  all["metadata"].erase("remainingItemCount");
  return all;
}

Result<json> Client::create(const ResourceRef& collection, const json& object) {
  return call("POST", collection.named("").path(), object.dump(), "application/json");
}

Status Client::create_discarding_reply(const ResourceRef& collection, const json& object) {
  auto reply =
      call("POST", collection.named("").path(), object.dump(), "application/json", Reply::kDiscard);
  return reply ? ok_status() : Status(reply.error());
}

Status Client::merge_patch_discarding_reply(const ResourceRef& ref, const json& patch,
                                            std::string_view subresource) {
  auto reply = call("PATCH", ref.path(subresource), patch.dump(), "application/merge-patch+json",
                    Reply::kDiscard);
  return reply ? ok_status() : Status(reply.error());
}

Result<json> Client::update(const ResourceRef& ref, const json& object) {
  return call("PUT", ref.path(), object.dump(), "application/json");
}

Result<json> Client::update_status(const ResourceRef& ref, const json& object) {
  return call("PUT", ref.path("status"), object.dump(), "application/json");
}

Result<json> Client::merge_patch(const ResourceRef& ref, const json& patch,
                                 std::string_view subresource) {
  return call("PATCH", ref.path(subresource), patch.dump(), "application/merge-patch+json");
}

Result<json> Client::json_patch(const ResourceRef& ref, const json& operations,
                                std::string_view subresource) {
  return call("PATCH", ref.path(subresource), operations.dump(), "application/json-patch+json");
}

Result<json> Client::apply(const ResourceRef& ref, const json& object, const ApplyOptions& options,
                           std::string_view subresource) {
  if (options.field_manager.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "server-side apply needs a field manager");
  }
  std::vector<std::pair<std::string, std::string>> query{{"fieldManager", options.field_manager}};
  if (options.force) query.emplace_back("force", "true");
  return call("PATCH", with_query(ref.path(subresource), encode_query(query)), object.dump(),
              "application/apply-patch+yaml");
}

Result<json> Client::remove(const ResourceRef& ref, const DeleteOptions& options) {
  json body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (!options.precondition_resource_version.empty()) {
    body["preconditions"]["resourceVersion"] = options.precondition_resource_version;
  }
  if (!options.precondition_uid.empty()) body["preconditions"]["uid"] = options.precondition_uid;
  if (!options.propagation_policy.empty()) body["propagationPolicy"] = options.propagation_policy;
  return call("DELETE", ref.path(), body.dump(), "application/json");
}

Status Client::watch(const ResourceRef& collection, const WatchOptions& options,
                     const std::function<bool(const WatchEvent&)>& on_event, std::stop_token stop) {
  const std::string target = with_query(collection.named("").path(), watch_query(options));
  const std::string what = "WATCH " + target;
  const auto idle = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::seconds(options.timeout_seconds == 0 ? 1800 : options.timeout_seconds) +
      kWatchIdleGrace);
  for (int attempt = 0;; ++attempt) {
    auto authorization = tokens_->authorization();
    if (!authorization) return authorization.error();
    std::optional<Error> failure;
    const auto on_line = [&](std::string_view line) {
      auto parsed = json::parse(line, nullptr, /*allow_exceptions=*/false);
      const auto type = parsed.is_object() ? event_type(parsed.value("type", "")) : std::nullopt;
      if (!type || !parsed.contains("object")) {
        failure = make_error(ErrorCode::kParse, what + ": malformed watch event");
        return false;
      }
      if (*type == WatchEvent::Type::kError) {
        const json& object = parsed["object"];
        failure = api_error(api_status_from_reply(object.value("code", 500u), object.dump()), what);
        return false;
      }
      return on_event(WatchEvent{*type, std::move(parsed["object"])});
    };
    auto reply = transport_->stream_lines(
        HttpCall{"GET", target, {}, {}, std::move(*authorization), idle}, on_line, stop);
    if (!reply) return reply.error().with_context(what);
    if (reply->status == 401 && attempt == 0 && tokens_->invalidate()) continue;
    if (reply->status != 200 && reply->status != 0) {
      return api_error(api_status_from_reply(reply->status, reply->body), what);
    }
    if (failure) return *failure;
    return ok_status();
  }
}

}  // namespace zastava::kube
