#pragma once
// What the webhook needs to know about one admission: the AdmissionReview
// request kube-apiserver sent (who asks to do what to which object) and the
// workload being admitted, reduced to what image checks look at: its kind,
// namespace, name, labels and annotations, and every container with its image.
//
// A workload is a Pod or anything that stamps out Pods from a template:
//
//   kind                               where the pod spec is
//   Pod                                spec
//   Deployment, ReplicaSet, StatefulSet,
//   DaemonSet, Job, ReplicationController spec.template.spec
//   CronJob                            spec.jobTemplate.spec.template.spec
//
// Everything else (ConfigMaps, Services, pod status updates, DELETE, ...) is
// "not handled": the webhook allows it without looking further.
//
// On UPDATE only containers whose image is new or changed need checks
// (compared with oldObject by container list and name); an UPDATE that changes
// no image needs none. Adding an ephemeral container (kubectl debug) is an
// UPDATE of the Pod's `ephemeralcontainers` subresource whose object carries
// the new ephemeralContainers entry.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zastava::admission {

// The AdmissionReview version kube-apiserver sent; the response answers in it.
enum class ReviewVersion { kV1, kV1beta1 };
std::string_view api_version_string(ReviewVersion version) noexcept;  // "admission.k8s.io/v1"

enum class Operation { kCreate, kUpdate, kDelete, kConnect };
std::string_view to_string(Operation operation) noexcept;  // "CREATE", ...

enum class WorkloadKind {
  kPod,
  kDeployment,
  kReplicaSet,
  kStatefulSet,
  kDaemonSet,
  kJob,
  kCronJob,
  kReplicationController,
};
std::string_view to_string(WorkloadKind kind) noexcept;  // "Pod", "Deployment", ...

enum class ContainerList { kContainers, kInitContainers, kEphemeralContainers };
std::string_view to_string(ContainerList list) noexcept;  // "containers", "initContainers", ...

struct GroupVersionKind {
  std::string group;  // "" for the core group
  std::string version;
  std::string kind;
  friend bool operator==(const GroupVersionKind&, const GroupVersionKind&) = default;
};

struct GroupVersionResource {
  std::string group;
  std::string version;
  std::string resource;
  friend bool operator==(const GroupVersionResource&, const GroupVersionResource&) = default;
};

struct UserInfo {
  std::string username;
  std::string uid;
  std::vector<std::string> groups;
};

using StringPairs = std::vector<std::pair<std::string, std::string>>;

struct Container {
  ContainerList list = ContainerList::kContainers;
  std::string name;
  std::string image;              // as written in the spec, not normalized
  std::string image_pull_policy;  // "" when the spec leaves it out
  bool image_changed = true;      // CREATE: always; UPDATE: new container or new image
};

struct Workload {
  WorkloadKind kind = WorkloadKind::kPod;
  std::string namespace_name;      // request.namespace, else metadata.namespace
  std::string name;                // metadata.name, else metadata.generateName
  bool name_is_generated = false;  // `name` is a generateName prefix ("web-5d8f9c-")
  StringPairs labels;              // of the object itself, in document order
  StringPairs annotations;
  // Every container of the pod spec: containers, then initContainers, then
  // ephemeralContainers, each list in document order.
  std::vector<Container> containers;

  // The containers whose image needs checking (see Container::image_changed).
  [[nodiscard]] std::vector<const Container*> changed_containers() const;
};

struct AdmissionRequest {
  ReviewVersion version = ReviewVersion::kV1;
  std::string uid;
  GroupVersionKind kind;
  GroupVersionResource resource;
  std::string sub_resource;
  std::optional<GroupVersionKind> request_kind;  // when the apiserver converted the object
  std::string namespace_name;
  std::string name;
  Operation operation = Operation::kCreate;
  UserInfo user_info;
  bool dry_run = false;

  // The admitted workload, or nullopt when the request is not handled (then
  // not_handled_reason says why, e.g. "kind ConfigMap is not a workload").
  std::optional<Workload> workload;
  std::string not_handled_reason;

  [[nodiscard]] bool handled() const noexcept { return workload.has_value(); }
  // Handled, and at least one container's image is new or changed.
  [[nodiscard]] bool needs_image_checks() const noexcept;
};

// Marks each of `containers` (of the new object) image_changed unless
// `old_containers` holds one of the same list and name with the same image.
void mark_image_changes(std::vector<Container>& containers,
                        const std::vector<Container>& old_containers);

}  // namespace zastava::admission
