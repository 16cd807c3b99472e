// PolicyController: informer caches → assemble_policy → the ConfigMap and
// each policy's status (see policy_controller.hpp for the key scheme).
#include "policy_controller.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include "base/base64.hpp"
#include "base/bytes.hpp"
#include "base/utc_time.hpp"
#include "kube/api_error.hpp"
#include "reconcile/conditions.hpp"
#include "reconcile/policy_assembly.hpp"
#include "reconcile/policy_status.hpp"

namespace zastava::operator_app {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kPolicyGroup = "zastava.stellaops.io";
constexpr std::string_view kPolicyVersion = "v1alpha1";
constexpr std::string_view kManagedByLabel = "app.kubernetes.io/managed-by";
constexpr std::string_view kManagedBy = "zastava-operator";

const kube::ResourceRef& config_maps_ref() {
  static const kube::ResourceRef ref{"", "v1", "configmaps"};
  return ref;
}

const kube::ResourceRef& secrets_ref() {
  static const kube::ResourceRef ref{"", "v1", "secrets"};
  return ref;
}

kube::ResourceRef policies_ref(std::string_view kind) {
  return {std::string(kPolicyGroup), std::string(kPolicyVersion),
          kind == reconcile::kFacetPolicyKind ? "facetpolicies" : "provcachepolicies"};
}

const Json* member(const Json& object, std::string_view name) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

std::string metadata_text(const Json& object, std::string_view name) {
  const Json* metadata = member(object, "metadata");
  const Json* value = metadata != nullptr ? member(*metadata, name) : nullptr;
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

std::int64_t generation_of(const Json& object) {
  const Json* metadata = member(object, "metadata");
  const Json* value = metadata != nullptr ? member(*metadata, "generation") : nullptr;
  return value != nullptr && value->is_number_integer() ? value->get<std::int64_t>() : 0;
}

std::string content_hash_of(const Json& config_map) {
  const Json* metadata = member(config_map, "metadata");
  const Json* annotations = metadata != nullptr ? member(*metadata, "annotations") : nullptr;
  const Json* hash =
      annotations != nullptr ? member(*annotations, kContentHashAnnotation) : nullptr;
  return hash != nullptr && hash->is_string() ? hash->get<std::string>() : std::string();
}

// "FacetPolicy/payments/strict" for an outcome's key.
std::string status_key_of(const reconcile::ResourceKey& key) {
  return key.kind + "/" + key.namespace_name + "/" + key.name;
}

std::optional<reconcile::ResourceKey> parse_status_key(std::string_view key) {
  const std::size_t first = key.find('/');
  if (first == std::string_view::npos) return std::nullopt;
  const std::size_t second = key.find('/', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  reconcile::ResourceKey parsed{std::string(key.substr(0, first)),
                                std::string(key.substr(first + 1, second - first - 1)),
                                std::string(key.substr(second + 1))};
  if (parsed.kind != reconcile::kFacetPolicyKind &&
      parsed.kind != reconcile::kProvcachePolicyKind) {
    return std::nullopt;
  }
  return parsed;
}

// Spec changes (and creation, deletion) need a compile; status and metadata
// changes (the controller's own status writes among them) do not.
bool needs_compile(const controller::ObjectChange& change) {
  if (change.type != controller::ObjectChange::Type::kUpdated) return true;
  if (!change.object || !change.old_object) return true;
  const std::int64_t generation = generation_of(*change.object);
  if (generation != generation_of(*change.old_object)) return true;
  if (generation != 0) return false;
  const Json* spec = member(*change.object, "spec");
  const Json* old_spec = member(*change.old_object, "spec");
  return (spec == nullptr) != (old_spec == nullptr) || (spec != nullptr && *spec != *old_spec);
}

std::string now_rfc3339() {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return format_rfc3339_utc(seconds.count(), false);
}

Json current_status(const Json& object) {
  const Json* status = member(object, "status");
  return status != nullptr && status->is_object() ? *status : Json::object();
}

// The part of `desired` this controller writes: a ProvcachePolicy's
// invalidation fields belong to the invalidation controller.
Json status_patch_of(const Json& desired) {
  Json patch = desired;
  patch.erase("invalidations");
  patch.erase("appliedPolicyHash");
  return patch;
}

// The fields this controller owns, as they are now.
bool status_up_to_date(const Json& current, const Json& desired) {
  const Json owned = status_patch_of(desired);
  for (const auto& [name, value] : owned.items()) {
    const Json* present = member(current, name);
    if (present == nullptr || *present != value) return false;
  }
  return true;
}

// Reads Secrets once per compile: many policies may name the same one.
class SecretCache {
 public:
  explicit SecretCache(kube::Client& client) : client_(client) {}

  Result<std::string> read(std::string_view ns, std::string_view name, std::string_view key) {
    const std::string id = std::string(ns) + "/" + std::string(name);
    auto it = secrets_.find(id);
    if (it == secrets_.end()) it = secrets_.emplace(id, fetch(ns, name)).first;
    if (!it->second) return it->second.error();
    const Json* data = member(*it->second, "data");
    const Json* value = data != nullptr ? member(*data, key) : nullptr;
    if (value == nullptr || !value->is_string()) {
      return make_error(ErrorCode::kNotFound, "no such data key");
    }
    auto bytes = encoding::base64_decode_any(value->get<std::string>());
    if (!bytes) {
      return make_error(ErrorCode::kNotFound, "the value is not base64: " + bytes.error().message);
    }
    return std::string(as_string(*bytes));
  }

 private:
  Result<Json> fetch(std::string_view ns, std::string_view name) {
    auto secret = client_.get(secrets_ref().in(std::string(ns)).named(std::string(name)));
    if (secret) return secret;
    if (kube::is_not_found(secret.error())) {
      return make_error(ErrorCode::kNotFound, "does not exist");
    }
    if (secret.error().code == ErrorCode::kVerification) {
      return make_error(ErrorCode::kNotFound,
                        "the operator may not read it (forbidden: check the operator's RBAC)");
    }
    return secret.error();
  }

  kube::Client& client_;
  std::map<std::string, Result<Json>, std::less<>> secrets_;
};

}  // namespace

PolicyController::PolicyController(kube::Client& client, PolicyInformers informers,
                                   const reconcile::OperatorSettings& settings,
                                   kube::EventRecorder& events)
    : client_(client), informers_(informers), settings_(settings), events_(events) {}

void PolicyController::enqueue_changes_into(controller::WorkQueue& queue) {
  const auto on_policy_change = [this, &queue](std::string_view kind,
                                               const controller::ObjectChange& change) {
    if (needs_compile(change)) {
      ++spec_changes_;
      queue.add(kCompileKey);
      return;
    }
    // Someone else touched the status: put ours back if it differs.
    const std::string key = std::string(kind) + "/" + change.key;
    std::lock_guard lock(mutex_);
    if (outcomes_.contains(key)) queue.add(key);
  };
  informers_.facet_policies.on_change([on_policy_change](const controller::ObjectChange& change) {
    on_policy_change(reconcile::kFacetPolicyKind, change);
  });
  informers_.provcache_policies.on_change(
      [on_policy_change](const controller::ObjectChange& change) {
        on_policy_change(reconcile::kProvcachePolicyKind, change);
      });
  informers_.config_maps.on_change([this, &queue](const controller::ObjectChange& change) {
    if (change.key != settings_.operator_namespace + "/" + settings_.config_map_name) return;
    if (!is_own_config_map_write(change)) queue.add(kCompileKey);
  });
}

bool PolicyController::is_own_config_map_write(const controller::ObjectChange& change) const {
  if (change.type == controller::ObjectChange::Type::kDeleted || !change.object) return false;
  const Json* data = member(*change.object, "data");
  if (data == nullptr || member(*data, settings_.config_map_key) == nullptr) return false;
  std::lock_guard lock(mutex_);
  return !content_hash_.empty() && content_hash_of(*change.object) == content_hash_;
}

Status PolicyController::reconcile(std::string_view key, controller::WorkQueue& queue) {
  if (key == kCompileKey) return compile(queue);
  return write_status(key);
}

std::string PolicyController::current_content_hash() const {
  std::lock_guard lock(mutex_);
  return content_hash_;
}

PolicyControllerStats PolicyController::stats() const noexcept {
  return {compiles_.load(), config_map_writes_.load(), status_writes_.load(),
          events_recorded_.load()};
}

namespace {

// What assembling needs of a cached policy: its identity and spec. Leaving
// status and the rest of metadata behind keeps the copies a compile works
// on small.
Json compile_input_of(Json object) {
  Json metadata = Json::object();
  if (const auto found = object.find("metadata"); found != object.end() && found->is_object()) {
    for (const char* field : {"namespace", "name", "uid", "generation", "creationTimestamp"}) {
      if (const auto value = found->find(field); value != found->end()) {
        metadata[field] = std::move(*value);
      }
    }
  }
  Json input = {{"apiVersion", object.value("apiVersion", "")},
                {"kind", object.value("kind", "")},
                {"metadata", std::move(metadata)}};
  if (const auto spec = object.find("spec"); spec != object.end()) input["spec"] = std::move(*spec);
  return input;
}

std::vector<Json> compile_inputs(const controller::Informer& informer) {
  std::vector<Json> inputs;
  inputs.reserve(informer.size());
  informer.for_each(
      [&inputs](Json object) { inputs.push_back(compile_input_of(std::move(object))); });
  return inputs;
}

}  // namespace

Status PolicyController::compile(controller::WorkQueue& queue) {
  if (!informers_.facet_policies.has_synced() || !informers_.provcache_policies.has_synced() ||
      !informers_.config_maps.has_synced()) {
    return make_error(ErrorCode::kIo, "the policy informers have not synced yet");
  }
  ++compiles_;
  const std::uint64_t changes_before = spec_changes_.load();
  auto assembled = assemble();
  if (!assembled) {
    spdlog::error("compiling the policy failed, the ConfigMap keeps the last good one: {}",
                  assembled.error().message);
    return assembled.error();
  }
  // Only the text is written: the document goes before the write holds its
  // request and reply (peak memory with 1,000s of policies).
  Json().swap(assembled->document);
  if (Status applied = apply_config_map(std::move(assembled->text), assembled->content_hash);
      !applied) {
    return applied;
  }
  {
    std::lock_guard lock(mutex_);
    outcomes_.clear();
    for (reconcile::ResourceOutcome& outcome : assembled->outcomes) {
      outcomes_.emplace(status_key_of(outcome.key), std::move(outcome));
    }
  }
  if (spec_changes_.load() == changes_before) queue_status_changes(queue);
  return ok_status();
}

Result<reconcile::AssembledPolicy> PolicyController::assemble() {
  std::vector<Json> facet_policies = compile_inputs(informers_.facet_policies);
  const std::vector<Json> provcache_policies = compile_inputs(informers_.provcache_policies);
  SecretCache secrets(client_);
  return reconcile::assemble_policy(
      std::move(facet_policies), provcache_policies, settings_,
      [&secrets](std::string_view ns, std::string_view name, std::string_view key) {
        return secrets.read(ns, name, key);
      });
}

Status PolicyController::apply_config_map(std::string text, const std::string& content_hash) {
  const std::string& ns = settings_.operator_namespace;
  const kube::ResourceRef ref = config_maps_ref().in(ns).named(settings_.config_map_name);
  const auto remember = [&] {
    std::lock_guard lock(mutex_);
    content_hash_ = content_hash;
  };
  // The cache first; when it disagrees (it may lag our own last write), the
  // API server decides.
  controller::ObjectPtr cached = informers_.config_maps.get(ns + "/" + settings_.config_map_name);
  if (cached && content_hash_of(*cached) == content_hash) {
    remember();
    return ok_status();
  }
  bool exists = false;
  if (auto current = client_.get(ref); current) {
    if (content_hash_of(*current) == content_hash) {
      remember();
      return ok_status();
    }
    exists = true;
  } else if (!kube::is_not_found(current.error())) {
    return current.error().with_context("reading ConfigMap " + ns + "/" +
                                        settings_.config_map_name);
  }
  const std::size_t text_size = text.size();
  // The text is moved into the request, never copied: it is the largest
  // thing the operator holds. The same object serves as the merge patch.
  const Json config_map = {
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata",
       {{"name", settings_.config_map_name},
        {"namespace", ns},
        {"labels", {{std::string(kManagedByLabel), std::string(kManagedBy)}}},
        {"annotations", {{std::string(kContentHashAnnotation), content_hash}}}}},
      {"data", {{settings_.config_map_key, std::move(text)}}}};
  Status written = make_error(ErrorCode::kInternal, "not written");
  if (!exists) written = client_.create_discarding_reply(config_maps_ref().in(ns), config_map);
  if (exists || (!written && kube::is_already_exists(written.error()))) {
    written = client_.merge_patch_discarding_reply(ref, config_map);
  }
  if (!written) {
    return written.error().with_context("writing ConfigMap " + ns + "/" +
                                        settings_.config_map_name);
  }
  ++config_map_writes_;
  remember();
  spdlog::info("compiled policy written to ConfigMap {}/{} ({}, {} bytes)", ns,
               settings_.config_map_name, content_hash, text_size);
  return ok_status();
}

void PolicyController::queue_status_changes(controller::WorkQueue& queue) {
  std::vector<std::pair<std::string, reconcile::ResourceOutcome>> outcomes;
  {
    std::lock_guard lock(mutex_);  // not held while reading the informers
    outcomes.assign(outcomes_.begin(), outcomes_.end());
  }
  const std::string now = now_rfc3339();
  for (const auto& [key, outcome] : outcomes) {
    controller::Informer& informer = outcome.key.kind == reconcile::kFacetPolicyKind
                                         ? informers_.facet_policies
                                         : informers_.provcache_policies;
    const controller::ObjectPtr object = informer.get(outcome.key.object_key());
    if (!object) continue;
    const Json status = current_status(*object);
    if (!status_up_to_date(status, reconcile::desired_policy_status(status, outcome, now))) {
      queue.add(key);
    }
  }
}

Status PolicyController::write_status(std::string_view key) {
  const std::optional<reconcile::ResourceKey> resource = parse_status_key(key);
  if (!resource) {
    spdlog::warn("policy controller: ignoring unknown key {}", key);
    return ok_status();
  }
  std::optional<reconcile::ResourceOutcome> outcome;
  {
    std::lock_guard lock(mutex_);
    if (const auto it = outcomes_.find(key); it != outcomes_.end()) outcome = it->second;
  }
  if (!outcome) return ok_status();  // deleted, or not compiled yet
  controller::Informer& informer = resource->kind == reconcile::kFacetPolicyKind
                                       ? informers_.facet_policies
                                       : informers_.provcache_policies;
  const controller::ObjectPtr object = informer.get(resource->object_key());
  if (!object) return ok_status();
  // A newer spec is waiting for its compile, which queues this key again.
  if (generation_of(*object) != outcome->generation) return ok_status();

  const Json current = current_status(*object);
  const Json desired = reconcile::desired_policy_status(current, *outcome, now_rfc3339());
  if (status_up_to_date(current, desired)) return ok_status();
  auto written = client_.merge_patch(
      policies_ref(resource->kind).in(resource->namespace_name).named(resource->name),
      {{"status", status_patch_of(desired)}}, "status");
  if (!written) {
    if (kube::is_not_found(written.error())) return ok_status();
    return written.error().with_context("writing the status of " + resource->describe());
  }
  ++status_writes_;

  const Json current_conditions = current.value("conditions", Json::array());
  const Json* was = reconcile::find_condition(current_conditions, "Ready");
  const Json* now = reconcile::find_condition(desired["conditions"], "Ready");
  const bool ready = outcome->included;
  const bool was_ready = was != nullptr && was->value("status", "") == "True";
  const bool was_not_ready = was != nullptr && was->value("status", "") == "False";
  const bool message_changed =
      was == nullptr || now == nullptr || was->value("message", "") != now->value("message", "");
  if ((ready && !was_ready) || (!ready && (!was_not_ready || message_changed))) {
    kube::EventSpec event{
        .regarding = {.api_version = std::string(kPolicyGroup) + "/" + std::string(kPolicyVersion),
                      .kind = resource->kind,
                      .namespace_ = resource->namespace_name,
                      .name = resource->name,
                      .uid = metadata_text(*object, "uid")},
        .type = ready ? "Normal" : "Warning",
        .reason = ready ? "PolicyCompiled" : "PolicyInvalid",
        .action = "Compile",
        .note = outcome->message};
    if (events_.record(std::move(event))) ++events_recorded_;
  }
  return ok_status();
}

}  // namespace zastava::operator_app
