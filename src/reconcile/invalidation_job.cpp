// The invalidation Job's manifest, and its state read back (see the header).
#include "reconcile/invalidation_job.hpp"

#include <cstdint>
#include <limits>
#include <string_view>

#include "reconcile/json_access.hpp"

namespace zastava::reconcile {
namespace {

constexpr std::string_view kManagedByLabel = "app.kubernetes.io/managed-by";
constexpr std::string_view kManagedBy = "zastava-operator";
constexpr std::string_view kPolicyLabel = "zastava.stellaops.io/provcache-policy";
constexpr std::string_view kPostgresEnv = "ZASTAVA_POSTGRES_URL";
constexpr std::string_view kValkeyEnv = "ZASTAVA_VALKEY_URL";
constexpr std::string_view kDefaultSecretKey = "url";  // the CRD's default
constexpr std::size_t kMaxLabelValue = 63;
// The user distroless images call "nonroot"; set so runAsNonRoot holds
// whatever USER the image declares.
constexpr std::int64_t kNonRootId = 65532;

// Kubernetes expands $(VAR) in a container's command; "$$" is a literal "$".
// Doubling every "$" keeps policy text (a feed epoch, a reason) from ever
// reading the Secrets in the environment.
std::string escape_expansion(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text) {
    if (c == '$') escaped += '$';
    escaped += c;
  }
  return escaped;
}

nlohmann::json labels_for(const std::string& policy_name) {
  nlohmann::json labels{{kManagedByLabel, kManagedBy},
                        {"app.kubernetes.io/name", "zastava"},
                        {"app.kubernetes.io/component", "invalidator"}};
  // A label value holds at most 63 characters; longer policy names are
  // found through the owner reference instead.
  if (!policy_name.empty() && policy_name.size() <= kMaxLabelValue) {
    labels[kPolicyLabel] = policy_name;
  }
  return labels;
}

// env from the store's connectionSecretRef, or null when it has none.
nlohmann::json secret_env(std::string_view env_name, const nlohmann::json& tier) {
  const nlohmann::json& ref = member(tier, "connectionSecretRef");
  const std::string secret = string_at(ref, "name");
  if (secret.empty()) return nullptr;
  std::string key = string_at(ref, "key");
  if (key.empty()) key = kDefaultSecretKey;
  return {{"name", env_name}, {"valueFrom", {{"secretKeyRef", {{"name", secret}, {"key", key}}}}}};
}

nlohmann::json container_security_context() {
  return {{"runAsNonRoot", true},
          {"runAsUser", kNonRootId},
          {"runAsGroup", kNonRootId},
          {"readOnlyRootFilesystem", true},
          {"allowPrivilegeEscalation", false},
          {"capabilities", {{"drop", {"ALL"}}}},
          {"seccompProfile", {{"type", "RuntimeDefault"}}}};
}

nlohmann::json stella_container(const nlohmann::json& store, const PlannedInvalidation& planned,
                                const OperatorSettings& settings) {
  nlohmann::json command{"stella", "prov", "invalidate", "--by",
                         std::string(provcache::to_string(planned.kind))};
  if (!planned.value.empty()) {
    command.push_back("--value");
    command.push_back(escape_expansion(planned.value));
  }
  command.push_back("--reason");
  command.push_back(escape_expansion(planned.reason));
  for (const char* argument :
       {"--actor", "zastava-operator", "--result-file", "/dev/termination-log"}) {
    command.push_back(argument);
  }
  nlohmann::json env = nlohmann::json::array();
  if (auto postgres = secret_env(kPostgresEnv, member(store, "postgres")); !postgres.is_null()) {
    env.push_back(std::move(postgres));
    command.push_back("--postgres");
    command.push_back("$(" + std::string(kPostgresEnv) + ")");
  }
  if (auto valkey = secret_env(kValkeyEnv, member(store, "valkey")); !valkey.is_null()) {
    env.push_back(std::move(valkey));
    command.push_back("--valkey");
    command.push_back("$(" + std::string(kValkeyEnv) + ")");
  }
  return {{"name", "stella"},
          {"image", settings.stella_image},
          {"imagePullPolicy", settings.image_pull_policy},
          {"command", std::move(command)},
          {"env", std::move(env)},
          {"terminationMessagePath", "/dev/termination-log"},
          {"terminationMessagePolicy", "FallbackToLogsOnError"},
          {"securityContext", container_security_context()},
          {"resources",
           {{"requests", {{"cpu", "50m"}, {"memory", "64Mi"}}},
            {"limits", {{"cpu", "500m"}, {"memory", "256Mi"}}}}}};
}

// The condition of `type` whose status is "True", or null.
const nlohmann::json* true_condition(const nlohmann::json& status, std::string_view type) {
  const nlohmann::json& conditions = member(status, "conditions");
  if (!conditions.is_array()) return nullptr;
  for (const nlohmann::json& condition : conditions) {
    if (string_at(condition, "type") == type && string_at(condition, "status") == "True") {
      return &condition;
    }
  }
  return nullptr;
}

bool belongs_to(const nlohmann::json& pod, const std::string& job_name) {
  const nlohmann::json& labels = member(member(pod, "metadata"), "labels");
  const std::string name = string_at(labels, "batch.kubernetes.io/job-name");
  return (name.empty() ? string_at(labels, "job-name") : name) == job_name;
}

// entriesAffected from a termination message holding the revocation record
// (or the shortened form `stella prov invalidate --result-file` writes).
std::optional<std::int64_t> entries_affected_in(const std::string& message) {
  const nlohmann::json record = nlohmann::json::parse(message, nullptr, false);
  const nlohmann::json& entries = member(record, "entriesAffected");
  if (entries.is_number_unsigned()) {
    const auto value = entries.get<std::uint64_t>();
    if (value <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return static_cast<std::int64_t>(value);
  } else if (entries.is_number_integer() && entries.get<std::int64_t>() >= 0) {
    return entries.get<std::int64_t>();
  }
  return std::nullopt;
}

// The first terminated container's record among the Job's Pods (a successful
// exit first: a failed attempt's message is its log tail).
std::optional<std::int64_t> entries_from_pods(const std::string& job_name,
                                              const std::vector<nlohmann::json>& pods) {
  std::optional<std::int64_t> from_failed;
  for (const nlohmann::json& pod : pods) {
    if (!belongs_to(pod, job_name)) continue;
    const nlohmann::json& statuses = member(member(pod, "status"), "containerStatuses");
    if (!statuses.is_array()) continue;
    for (const nlohmann::json& container : statuses) {
      const nlohmann::json& terminated = member(member(container, "state"), "terminated");
      const auto entries = entries_affected_in(string_at(terminated, "message"));
      if (!entries) continue;
      const nlohmann::json& exit_code = member(terminated, "exitCode");
      if (exit_code.is_number_integer() && exit_code.get<std::int64_t>() == 0) return entries;
      if (!from_failed) from_failed = entries;
    }
  }
  return from_failed;
}

}  // namespace

nlohmann::json invalidation_job(const nlohmann::json& provcache_policy,
                                const PlannedInvalidation& invalidation,
                                const OperatorSettings& settings) {
  const nlohmann::json& metadata = member(provcache_policy, "metadata");
  const std::string policy_name = string_at(metadata, "name");
  const nlohmann::json labels = labels_for(policy_name);
  const nlohmann::json& store = member(member(provcache_policy, "spec"), "store");

  nlohmann::json pod_spec{
      {"restartPolicy", "Never"},
      {"serviceAccountName", settings.job_service_account},
      {"automountServiceAccountToken", false},
      {"securityContext",
       {{"runAsNonRoot", true}, {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
      {"containers", nlohmann::json::array({stella_container(store, invalidation, settings)})}};

  return {
      {"apiVersion", "batch/v1"},
      {"kind", "Job"},
      {"metadata",
       {{"name", invalidation.job_name},
        {"namespace", string_at(metadata, "namespace")},
        {"labels", labels},
        {"annotations",
         {{"zastava.stellaops.io/invalidation-target", invalidation.target},
          {"zastava.stellaops.io/invalidation-reason", invalidation.reason}}},
        {"ownerReferences", nlohmann::json::array({{{"apiVersion", "zastava.stellaops.io/v1alpha1"},
                                                    {"kind", "ProvcachePolicy"},
                                                    {"name", policy_name},
                                                    {"uid", string_at(metadata, "uid")},
                                                    {"controller", true},
                                                    {"blockOwnerDeletion", true}}})}}},
      {"spec",
       {{"backoffLimit", settings.job_backoff_limit},
        {"activeDeadlineSeconds", settings.job_active_deadline_seconds},
        {"ttlSecondsAfterFinished", settings.job_ttl_seconds_after_finished},
        {"template", {{"metadata", {{"labels", labels}}}, {"spec", std::move(pod_spec)}}}}}};
}

JobObservation observe_job(const nlohmann::json& job, const std::vector<nlohmann::json>& pods) {
  const nlohmann::json& status = member(job, "status");
  JobObservation observed;
  observed.start_time = string_at(status, "startTime");
  observed.completion_time = string_at(status, "completionTime");
  observed.entries_affected = entries_from_pods(string_at(member(job, "metadata"), "name"), pods);

  if (true_condition(status, "Complete") != nullptr) {
    observed.state = "Succeeded";
  } else if (const nlohmann::json* failed = true_condition(status, "Failed")) {
    observed.state = "Failed";
    const std::string reason = string_at(*failed, "reason");
    const std::string message = string_at(*failed, "message");
    observed.message = reason.empty()    ? message
                       : message.empty() ? reason
                                         : reason + ": " + message;
    // A failed Job has no completionTime: it ended when the condition flipped.
    if (observed.completion_time.empty()) {
      observed.completion_time = string_at(*failed, "lastTransitionTime");
    }
  } else {
    const nlohmann::json& active = member(status, "active");
    const bool running = (active.is_number_integer() && active.get<std::int64_t>() > 0) ||
                         !observed.start_time.empty();
    observed.state = running ? "Running" : "Pending";
  }
  return observed;
}

}  // namespace zastava::reconcile
