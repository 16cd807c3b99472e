#include "admission/admission_review.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "json/diagnostics.hpp"

namespace zastava::admission {
namespace {

namespace ondemand = simdjson::ondemand;

// Thrown inside this file; ReviewParser::parse turns it into a kParse Error.
struct ReviewError {
  std::string message;
};

// A path names a value in error messages ("request.object.spec.containers[2]
// .image"). Where building it would allocate on the hot path, callers pass a
// lambda that builds it, called only when there is an error to report.
std::string path_text(std::string_view path) {
  return std::string(path);
}
template <std::invocable Make>
std::string path_text(const Make& make) {
  return make();
}

template <typename Path>
[[noreturn]] void fail(const Path& path, std::string_view problem) {
  throw ReviewError{"AdmissionReview: " + path_text(path) + " " + std::string(problem)};
}

template <typename Path>
[[noreturn]] void not_json(const Path& path, simdjson::error_code error) {
  std::string where = path_text(path);
  throw ReviewError{"AdmissionReview is not valid JSON" +
                    (where.empty() ? std::string() : " (in " + where + ")") + ": " +
                    simdjson::error_message(error)};
}

template <typename T, typename Path>
T get(simdjson::simdjson_result<T>&& result, const Path& path) {
  T value;
  if (const simdjson::error_code error = std::move(result).get(value)) not_json(path, error);
  return value;
}

template <typename Path>
bool is_null(ondemand::value& value, const Path& path) {
  return get(value.is_null(), path);
}

template <typename Path>
ondemand::object as_object(ondemand::value& value, const Path& path) {
  ondemand::object object;
  const simdjson::error_code error = value.get_object().get(object);
  if (error == simdjson::INCORRECT_TYPE) fail(path, "must be an object");
  if (error) not_json(path, error);
  return object;
}

template <typename Path>
std::string_view as_string(ondemand::value& value, const Path& path) {
  std::string_view text;
  const simdjson::error_code error = value.get_string().get(text);
  if (error == simdjson::INCORRECT_TYPE) fail(path, "must be a string");
  if (error) not_json(path, error);
  return text;
}

// A string member that may also be null or left out ("" then).
template <typename Path>
void read_string(ondemand::value& value, const Path& path, std::string& out,
                 std::size_t limit = kMaxStringBytes) {
  if (is_null(value, path)) {
    out.clear();
    return;
  }
  const std::string_view text = as_string(value, path);
  if (text.size() > limit) {
    fail(path, "is too long (" + std::to_string(text.size()) + " bytes; at most " +
                   std::to_string(limit) + ")");
  }
  out.assign(text);
}

template <typename Path>
void once(bool& seen, std::string_view name, const Path& path) {
  if (seen) fail(path, "has a duplicate member \"" + std::string(name) + "\"");
  seen = true;
}

// Iterates the members of an object value (null reads as empty), calling
// `on_member(raw name, value)`.
template <typename Path, typename OnMember>
void for_each_member(ondemand::value& value, const Path& path, OnMember&& on_member) {
  if (is_null(value, path)) return;
  for (auto member : as_object(value, path)) {
    ondemand::field field = get(std::move(member), path);
    on_member(field.key(), field.value());
  }
}

template <typename Path, typename OnElement>
void for_each_element(ondemand::value& value, const Path& path, OnElement&& on_element) {
  if (is_null(value, path)) return;
  ondemand::array array;
  const simdjson::error_code error = value.get_array().get(array);
  if (error == simdjson::INCORRECT_TYPE) fail(path, "must be an array");
  if (error) not_json(path, error);
  std::size_t index = 0;
  for (auto element : array) {
    ondemand::value item = get(std::move(element), path);
    on_element(item, index++);
  }
}

// {"group": .., "version": .., "kind" or "resource": ..}
std::array<std::string, 3> read_group_version(ondemand::value& value, std::string_view path,
                                              std::string_view third) {
  std::array<std::string, 3> parts;
  std::array<bool, 3> seen{};
  const std::array<std::string_view, 3> names = {"group", "version", third};
  for_each_member(value, path, [&](ondemand::raw_json_string key, ondemand::value member) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (key == names[i]) {
        once(seen[i], names[i], path);
        read_string(
            member, [&] { return std::string(path) + "." + std::string(names[i]); }, parts[i]);
        return;
      }
    }
  });
  return parts;
}

GroupVersionKind read_gvk(ondemand::value& value, std::string_view path) {
  auto [group, version, kind] = read_group_version(value, path, "kind");
  return {std::move(group), std::move(version), std::move(kind)};
}

Operation parse_operation(std::string_view text) {
  if (text == "CREATE") return Operation::kCreate;
  if (text == "UPDATE") return Operation::kUpdate;
  if (text == "DELETE") return Operation::kDelete;
  if (text == "CONNECT") return Operation::kConnect;
  fail("request.operation",
       "\"" + json::printable(text) + "\" is not CREATE, UPDATE, DELETE or CONNECT");
}

// --- the admitted object ---------------------------------------------------

enum class Slot { kObject, kOldObject };

// Where a pod spec sits in the object; which one counts depends on the kind.
enum class SpecLocation : std::size_t { kPod = 0, kTemplate = 1, kJobTemplate = 2 };
constexpr std::size_t kSpecLocations = 3;

constexpr std::array<std::array<std::string_view, kSpecLocations>, 2> kSpecPaths = {{
    {"request.object.spec", "request.object.spec.template.spec",
     "request.object.spec.jobTemplate.spec.template.spec"},
    {"request.oldObject.spec", "request.oldObject.spec.template.spec",
     "request.oldObject.spec.jobTemplate.spec.template.spec"},
}};

std::string_view spec_path(Slot slot, SpecLocation location) {
  return kSpecPaths[static_cast<std::size_t>(slot)][static_cast<std::size_t>(location)];
}

struct ObjectData {
  bool present = false;
  std::string name;
  std::string generate_name;
  std::string namespace_name;
  StringPairs labels;
  StringPairs annotations;
  std::array<std::vector<Container>, kSpecLocations> containers;
  std::array<bool, kSpecLocations> has_pod_spec{};
  std::size_t container_count = 0;
};

void read_string_map(ondemand::value& value, std::string_view path, StringPairs& out) {
  if (is_null(value, path)) return;
  for (auto member : as_object(value, path)) {
    ondemand::field field = get(std::move(member), path);
    if (out.size() == kMaxMetadataEntries) {
      fail(path, "has more than " + std::to_string(kMaxMetadataEntries) + " entries");
    }
    std::string key(get(field.unescaped_key(), path));
    std::string text;
    read_string(
        field.value(), [&] { return std::string(path) + "[\"" + json::printable(key) + "\"]"; },
        text, kMaxReviewBytes);
    out.emplace_back(std::move(key), std::move(text));
  }
}

void read_metadata(ondemand::value& value, ObjectData& out) {
  constexpr std::string_view kPath = "request.object.metadata";
  bool name = false, generate_name = false, ns = false, labels = false, annotations = false;
  for_each_member(value, kPath, [&](ondemand::raw_json_string key, ondemand::value member) {
    if (key == "name") {
      once(name, "name", kPath);
      read_string(member, "request.object.metadata.name", out.name);
    } else if (key == "generateName") {
      once(generate_name, "generateName", kPath);
      read_string(member, "request.object.metadata.generateName", out.generate_name);
    } else if (key == "namespace") {
      once(ns, "namespace", kPath);
      read_string(member, "request.object.metadata.namespace", out.namespace_name);
    } else if (key == "labels") {
      once(labels, "labels", kPath);
      read_string_map(member, "request.object.metadata.labels", out.labels);
    } else if (key == "annotations") {
      once(annotations, "annotations", kPath);
      read_string_map(member, "request.object.metadata.annotations", out.annotations);
    }
  });
}

// Names a container in error messages: "request.object.spec.containers[2]".
std::string container_path(Slot slot, SpecLocation location, ContainerList list,
                           std::size_t index) {
  return std::string(spec_path(slot, location)) + "." + std::string(to_string(list)) + "[" +
         std::to_string(index) + "]";
}

Container read_container(ondemand::value& value, Slot slot, SpecLocation location,
                         ContainerList list, std::size_t index) {
  Container container;
  container.list = list;
  bool name = false, image = false, pull_policy = false;
  const auto where = [&] { return container_path(slot, location, list, index); };
  if (is_null(value, where)) fail(where, "must be an object");
  for (auto member : as_object(value, where)) {
    ondemand::field field = get(std::move(member), where);
    const ondemand::raw_json_string key = field.key();
    if (key == "name") {
      once(name, "name", where);
      read_string(
          field.value(), [&] { return where() + ".name"; }, container.name);
    } else if (key == "image") {
      once(image, "image", where);
      read_string(
          field.value(), [&] { return where() + ".image"; }, container.image, kMaxImageBytes);
    } else if (key == "imagePullPolicy") {
      once(pull_policy, "imagePullPolicy", where);
      read_string(
          field.value(), [&] { return where() + ".imagePullPolicy"; }, container.image_pull_policy);
    }
  }
  if (container.name.empty()) fail(where(), name ? "has an empty name" : "has no name");
  if (container.image.empty()) {
    fail(where(), "(\"" + json::printable(container.name) + "\") " +
                      (image ? "has an empty image" : "has no image"));
  }
  return container;
}

void read_containers(ondemand::value& value, Slot slot, SpecLocation location, ContainerList list,
                     ObjectData& out) {
  auto& containers = out.containers[static_cast<std::size_t>(location)];
  const std::string_view path = spec_path(slot, location);
  const auto list_path = [&] { return std::string(path) + "." + std::string(to_string(list)); };
  for_each_element(value, list_path, [&](ondemand::value& element, std::size_t index) {
    if (++out.container_count > kMaxContainersPerObject) {
      fail(path, "has more than " + std::to_string(kMaxContainersPerObject) + " containers");
    }
    containers.push_back(read_container(element, slot, location, list, index));
  });
}

void read_template(ondemand::value& value, Slot slot, SpecLocation location, ObjectData& out);

// A pod spec; the object's own spec also holds a pod template (workloads) or
// a job template (CronJobs) instead.
void read_spec(ondemand::value& value, Slot slot, SpecLocation location, ObjectData& out) {
  const std::string_view path = spec_path(slot, location);
  std::array<bool, 3> lists{};
  bool template_seen = false, job_template_seen = false;
  const bool object_spec = location == SpecLocation::kPod;
  out.has_pod_spec[static_cast<std::size_t>(location)] = true;
  for_each_member(value, path, [&](ondemand::raw_json_string key, ondemand::value member) {
    if (key == "containers") {
      once(lists[0], "containers", path);
      read_containers(member, slot, location, ContainerList::kContainers, out);
    } else if (key == "initContainers") {
      once(lists[1], "initContainers", path);
      read_containers(member, slot, location, ContainerList::kInitContainers, out);
    } else if (key == "ephemeralContainers") {
      once(lists[2], "ephemeralContainers", path);
      read_containers(member, slot, location, ContainerList::kEphemeralContainers, out);
    } else if (object_spec && key == "template") {
      once(template_seen, "template", path);
      read_template(member, slot, SpecLocation::kTemplate, out);
    } else if (object_spec && key == "jobTemplate") {
      once(job_template_seen, "jobTemplate", path);
      // jobTemplate.spec is a Job spec, whose template holds the pod spec.
      const auto job_path = [&] { return std::string(path) + ".jobTemplate"; };
      for_each_member(
          member, job_path, [&](ondemand::raw_json_string job_key, ondemand::value job) {
            if (job_key != "spec") return;
            const auto job_spec_path = [&] { return job_path() + ".spec"; };
            for_each_member(job, job_spec_path,
                            [&](ondemand::raw_json_string spec_key, ondemand::value spec) {
                              if (spec_key == "template") {
                                read_template(spec, slot, SpecLocation::kJobTemplate, out);
                              }
                            });
          });
    }
  });
}

void read_template(ondemand::value& value, Slot slot, SpecLocation location, ObjectData& out) {
  constexpr std::string_view kSpecSuffix = ".spec";
  std::string_view path = spec_path(slot, location);  // "<template path>.spec"
  path.remove_suffix(kSpecSuffix.size());
  bool spec_seen = false;
  for_each_member(value, path, [&](ondemand::raw_json_string key, ondemand::value member) {
    if (key != "spec") return;
    once(spec_seen, "spec", path);
    read_spec(member, slot, location, out);
  });
}

void read_object(ondemand::value& value, Slot slot, ObjectData& out) {
  const std::string_view path = slot == Slot::kObject ? "request.object" : "request.oldObject";
  if (is_null(value, path)) return;
  out.present = true;
  bool metadata = false, spec = false;
  for_each_member(value, path, [&](ondemand::raw_json_string key, ondemand::value member) {
    if (key == "metadata" && slot == Slot::kObject) {
      once(metadata, "metadata", path);
      read_metadata(member, out);
    } else if (key == "spec") {
      once(spec, "spec", path);
      read_spec(member, slot, SpecLocation::kPod, out);
    }
  });
}

// --- the kinds of workload ------------------------------------------------

struct KindEntry {
  std::string_view kind;
  std::string_view group;
  WorkloadKind workload;
  SpecLocation location;
};

// "extensions" served Deployments, ReplicaSets and DaemonSets before apps/v1.
constexpr std::array<KindEntry, 11> kWorkloadKinds = {{
    {"Pod", "", WorkloadKind::kPod, SpecLocation::kPod},
    {"Deployment", "apps", WorkloadKind::kDeployment, SpecLocation::kTemplate},
    {"Deployment", "extensions", WorkloadKind::kDeployment, SpecLocation::kTemplate},
    {"ReplicaSet", "apps", WorkloadKind::kReplicaSet, SpecLocation::kTemplate},
    {"ReplicaSet", "extensions", WorkloadKind::kReplicaSet, SpecLocation::kTemplate},
    {"StatefulSet", "apps", WorkloadKind::kStatefulSet, SpecLocation::kTemplate},
    {"DaemonSet", "apps", WorkloadKind::kDaemonSet, SpecLocation::kTemplate},
    {"DaemonSet", "extensions", WorkloadKind::kDaemonSet, SpecLocation::kTemplate},
    {"Job", "batch", WorkloadKind::kJob, SpecLocation::kTemplate},
    {"CronJob", "batch", WorkloadKind::kCronJob, SpecLocation::kJobTemplate},
    {"ReplicationController", "", WorkloadKind::kReplicationController, SpecLocation::kTemplate},
}};

const KindEntry* find_workload_kind(const GroupVersionKind& kind) {
  for (const KindEntry& entry : kWorkloadKinds) {
    if (entry.kind == kind.kind && entry.group == kind.group) return &entry;
  }
  return nullptr;
}

// --- the request -----------------------------------------------------------

struct RequestData {
  AdmissionRequest request;
  bool has_uid = false;
  bool has_kind = false;
  bool has_operation = false;
  ObjectData object;
  ObjectData old_object;
};

void read_user_info(ondemand::value& value, UserInfo& out) {
  constexpr std::string_view kPath = "request.userInfo";
  bool username = false, uid = false, groups = false;
  for_each_member(value, kPath, [&](ondemand::raw_json_string key, ondemand::value member) {
    if (key == "username") {
      once(username, "username", kPath);
      read_string(member, "request.userInfo.username", out.username);
    } else if (key == "uid") {
      once(uid, "uid", kPath);
      read_string(member, "request.userInfo.uid", out.uid);
    } else if (key == "groups") {
      once(groups, "groups", kPath);
      for_each_element(member, "request.userInfo.groups", [&](ondemand::value& group, std::size_t) {
        if (out.groups.size() == kMaxMetadataEntries) {
          fail("request.userInfo.groups",
               "has more than " + std::to_string(kMaxMetadataEntries) + " entries");
        }
        read_string(group, "request.userInfo.groups[]", out.groups.emplace_back());
      });
    }
  });
}

// kube-apiserver sends request.kind before the objects: when it names a kind
// that is not a workload, the objects are skipped unread (a custom resource's
// "containers" need not look like a Pod's). Sent in another order, the
// objects are read, and must then be well-formed wherever they hold a pod spec.
bool may_be_workload(const RequestData& data) {
  return !data.has_kind || find_workload_kind(data.request.kind) != nullptr;
}

void read_request(ondemand::value& value, RequestData& data) {
  constexpr std::string_view kPath = "request";
  AdmissionRequest& request = data.request;
  bool resource = false, sub_resource = false, request_kind = false, name = false, ns = false;
  bool user_info = false, object = false, old_object = false, dry_run = false;
  if (is_null(value, kPath)) fail(kPath, "is null");
  for_each_member(value, kPath, [&](ondemand::raw_json_string key, ondemand::value member) {
    if (key == "uid") {
      once(data.has_uid, "uid", kPath);
      read_string(member, "request.uid", request.uid);
    } else if (key == "kind") {
      once(data.has_kind, "kind", kPath);
      request.kind = read_gvk(member, "request.kind");
    } else if (key == "resource") {
      once(resource, "resource", kPath);
      auto [group, version, plural] = read_group_version(member, "request.resource", "resource");
      request.resource = {std::move(group), std::move(version), std::move(plural)};
    } else if (key == "subResource") {
      once(sub_resource, "subResource", kPath);
      read_string(member, "request.subResource", request.sub_resource);
    } else if (key == "requestKind") {
      once(request_kind, "requestKind", kPath);
      if (!is_null(member, "request.requestKind")) {
        request.request_kind = read_gvk(member, "request.requestKind");
      }
    } else if (key == "name") {
      once(name, "name", kPath);
      read_string(member, "request.name", request.name);
    } else if (key == "namespace") {
      once(ns, "namespace", kPath);
      read_string(member, "request.namespace", request.namespace_name);
    } else if (key == "operation") {
      once(data.has_operation, "operation", kPath);
      request.operation = parse_operation(as_string(member, "request.operation"));
    } else if (key == "userInfo") {
      once(user_info, "userInfo", kPath);
      read_user_info(member, request.user_info);
    } else if (key == "object") {
      once(object, "object", kPath);
      if (may_be_workload(data)) read_object(member, Slot::kObject, data.object);
    } else if (key == "oldObject") {
      once(old_object, "oldObject", kPath);
      if (may_be_workload(data)) read_object(member, Slot::kOldObject, data.old_object);
    } else if (key == "dryRun") {
      once(dry_run, "dryRun", kPath);
      if (!is_null(member, "request.dryRun")) {
        bool flag = false;
        const simdjson::error_code error = member.get_bool().get(flag);
        if (error == simdjson::INCORRECT_TYPE) fail("request.dryRun", "must be a boolean");
        if (error) not_json("request.dryRun", error);
        request.dry_run = flag;
      }
    }
  });
  if (!data.has_uid) fail("request.uid", "is missing");
  if (request.uid.empty()) fail("request.uid", "is empty");
  if (!data.has_kind) fail("request.kind", "is missing");
  if (!data.has_operation) fail("request.operation", "is missing");
}

// --- deciding what the request is about ------------------------------------

std::string describe_kind(const GroupVersionKind& kind) {
  std::string text = kind.group.empty() ? std::string() : kind.group + "/";
  return text.append(kind.version).append(" ").append(kind.kind);
}

// Sets request.workload, or request.not_handled_reason.
void decide(RequestData& data) {
  AdmissionRequest& request = data.request;
  if (request.operation == Operation::kDelete || request.operation == Operation::kConnect) {
    request.not_handled_reason =
        std::string(to_string(request.operation)) + " requests admit no new images";
    return;
  }
  const KindEntry* entry = find_workload_kind(request.kind);
  if (entry == nullptr) {
    request.not_handled_reason = "kind " + describe_kind(request.kind) + " is not a workload";
    return;
  }
  const bool ephemeral = request.sub_resource == "ephemeralcontainers";
  if (!request.sub_resource.empty() && !(ephemeral && entry->workload == WorkloadKind::kPod)) {
    request.not_handled_reason = "subresource " + json::printable(request.sub_resource) + " of " +
                                 std::string(to_string(entry->workload)) + " admits no new images";
    return;
  }
  if (!data.object.present) fail("request.object", "is missing");
  const auto location = static_cast<std::size_t>(entry->location);
  if (!data.object.has_pod_spec[location] || data.object.containers[location].empty()) {
    fail(spec_path(Slot::kObject, entry->location),
         "has no containers (" + std::string(to_string(entry->workload)) + ")");
  }

  Workload workload;
  workload.kind = entry->workload;
  ObjectData& object = data.object;
  workload.namespace_name =
      request.namespace_name.empty() ? std::move(object.namespace_name) : request.namespace_name;
  workload.name_is_generated = object.name.empty() && !object.generate_name.empty();
  workload.name =
      workload.name_is_generated ? std::move(object.generate_name) : std::move(object.name);
  workload.labels = std::move(object.labels);
  workload.annotations = std::move(object.annotations);
  workload.containers = std::move(object.containers[location]);
  std::stable_sort(workload.containers.begin(), workload.containers.end(),
                   [](const Container& a, const Container& b) { return a.list < b.list; });
  if (request.operation == Operation::kUpdate && data.old_object.present) {
    mark_image_changes(workload.containers, data.old_object.containers[location]);
  }
  request.workload = std::move(workload);
}

ReviewVersion parse_api_version(std::string_view text) {
  if (text == "admission.k8s.io/v1") return ReviewVersion::kV1;
  if (text == "admission.k8s.io/v1beta1") return ReviewVersion::kV1beta1;
  fail("apiVersion",
       "\"" + json::printable(text) + "\" is not admission.k8s.io/v1 or admission.k8s.io/v1beta1");
}

AdmissionRequest read_review(ondemand::document& document) {
  ondemand::object root;
  if (const simdjson::error_code error = document.get_object().get(root)) {
    // simdjson calls any first byte other than '{' a type error; only a
    // byte that starts a JSON value makes the document "not an object".
    ondemand::json_type type;
    if (error == simdjson::INCORRECT_TYPE && !document.type().get(type)) {
      throw ReviewError{"AdmissionReview must be a JSON object"};
    }
    not_json("", error == simdjson::INCORRECT_TYPE ? simdjson::TAPE_ERROR : error);
  }
  RequestData data;
  bool has_api_version = false, has_kind = false, has_request = false;
  for (auto member : root) {
    ondemand::field field = get(std::move(member), "");
    const ondemand::raw_json_string key = field.key();
    if (key == "apiVersion") {
      once(has_api_version, "apiVersion", "the document");
      data.request.version = parse_api_version(as_string(field.value(), "apiVersion"));
    } else if (key == "kind") {
      once(has_kind, "kind", "the document");
      const std::string_view kind = as_string(field.value(), "kind");
      if (kind != "AdmissionReview") {
        fail("kind", "\"" + json::printable(kind) + "\" is not AdmissionReview");
      }
    } else if (key == "request") {
      once(has_request, "request", "the document");
      read_request(field.value(), data);
    }
  }
  // simdjson 3.0 has no document::at_end(); current_location() is
  // OUT_OF_BOUNDS exactly when the whole document has been read.
  if (document.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    throw ReviewError{"AdmissionReview is not valid JSON: content after the top-level object"};
  }
  if (!has_api_version) fail("apiVersion", "is missing");
  if (!has_kind) fail("kind", "is missing");
  if (!has_request) fail("request", "is missing");
  decide(data);
  return std::move(data.request);
}

}  // namespace

struct ReviewParser::Impl {
  ondemand::parser parser;
  // The body copied with simdjson's padding after it (simdjson reads up to
  // SIMDJSON_PADDING bytes past the end); kept between documents.
  std::unique_ptr<char[]> buffer;
  std::size_t capacity = 0;

  std::string_view pad(std::string_view body) {
    if (body.size() + simdjson::SIMDJSON_PADDING > capacity) {
      capacity = body.size() + body.size() / 2 + simdjson::SIMDJSON_PADDING;
      buffer = std::make_unique<char[]>(capacity);
    }
    std::memcpy(buffer.get(), body.data(), body.size());
    std::memset(buffer.get() + body.size(), 0, simdjson::SIMDJSON_PADDING);
    return {buffer.get(), body.size()};
  }
};

ReviewParser::ReviewParser() : impl_(std::make_unique<Impl>()) {}
ReviewParser::~ReviewParser() = default;
ReviewParser::ReviewParser(ReviewParser&&) noexcept = default;
ReviewParser& ReviewParser::operator=(ReviewParser&&) noexcept = default;

Result<AdmissionRequest> ReviewParser::parse(std::string_view body) {
  if (body.empty()) return make_error(ErrorCode::kParse, "AdmissionReview: the body is empty");
  if (body.size() > kMaxReviewBytes) {
    return make_error(ErrorCode::kParse, "AdmissionReview is too large (" +
                                             std::to_string(body.size()) + " bytes; at most " +
                                             std::to_string(kMaxReviewBytes) + ")");
  }
  try {
    const std::string_view padded = impl_->pad(body);
    ondemand::document document;
    if (const simdjson::error_code error =
            impl_->parser
                .iterate(padded.data(), padded.size(), padded.size() + simdjson::SIMDJSON_PADDING)
                .get(document)) {
      not_json("", error);
    }
    return read_review(document);
  } catch (const ReviewError& e) {
    return make_error(ErrorCode::kParse, e.message);
  }
}

Result<AdmissionRequest> parse_admission_review(std::string_view body) {
  ReviewParser parser;
  return parser.parse(body);
}

}  // namespace zastava::admission
