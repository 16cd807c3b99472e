#include "admission/admission_request.hpp"

#include <algorithm>

namespace zastava::admission {

std::string_view api_version_string(ReviewVersion version) noexcept {
  return version == ReviewVersion::kV1 ? "admission.k8s.io/v1" : "admission.k8s.io/v1beta1";
}

std::string_view to_string(Operation operation) noexcept {
  switch (operation) {
    case Operation::kCreate:
      return "CREATE";
    case Operation::kUpdate:
      return "UPDATE";
    case Operation::kDelete:
      return "DELETE";
    case Operation::kConnect:
      return "CONNECT";
  }
  return "UNKNOWN";
}

std::string_view to_string(WorkloadKind kind) noexcept {
  switch (kind) {
    case WorkloadKind::kPod:
      return "Pod";
    case WorkloadKind::kDeployment:
      return "Deployment";
    case WorkloadKind::kReplicaSet:
      return "ReplicaSet";
    case WorkloadKind::kStatefulSet:
      return "StatefulSet";
    case WorkloadKind::kDaemonSet:
      return "DaemonSet";
    case WorkloadKind::kJob:
      return "Job";
    case WorkloadKind::kCronJob:
      return "CronJob";
    case WorkloadKind::kReplicationController:
      return "ReplicationController";
  }
  return "Unknown";
}

std::string_view to_string(ContainerList list) noexcept {
  switch (list) {
    case ContainerList::kContainers:
      return "containers";
    case ContainerList::kInitContainers:
      return "initContainers";
    case ContainerList::kEphemeralContainers:
      return "ephemeralContainers";
  }
  return "unknown";
}

std::vector<const Container*> Workload::changed_containers() const {
  std::vector<const Container*> changed;
  for (const Container& container : containers) {
    if (container.image_changed) changed.push_back(&container);
  }
  return changed;
}

bool AdmissionRequest::needs_image_checks() const noexcept {
  return workload && std::any_of(workload->containers.begin(), workload->containers.end(),
                                 [](const Container& c) { return c.image_changed; });
}

void mark_image_changes(std::vector<Container>& containers,
                        const std::vector<Container>& old_containers) {
  // Pods have a handful of containers: a linear search beats building a map.
  for (Container& container : containers) {
    const auto old =
        std::find_if(old_containers.begin(), old_containers.end(), [&](const Container& candidate) {
          return candidate.list == container.list && candidate.name == container.name;
        });
    container.image_changed = old == old_containers.end() || old->image != container.image;
  }
}

}  // namespace zastava::admission
