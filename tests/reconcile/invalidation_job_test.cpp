// invalidation_job (the batch/v1 manifest) and observe_job (its state, and
// entriesAffected from the Pods' termination messages).
#include "reconcile/invalidation_job.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zastava::reconcile {
namespace {

const std::string kSigner = "sha256:" + std::string(64, 'a');

nlohmann::json policy_with(nlohmann::json store) {
  return {{"apiVersion", "zastava.stellaops.io/v1alpha1"},
          {"kind", "ProvcachePolicy"},
          {"metadata", {{"namespace", "zastava-system"}, {"name", "cache"}, {"uid", "uid-42"}}},
          {"spec", {{"store", std::move(store)}}}};
}

nlohmann::json postgres_store() {
  return {{"type", "Postgres"},
          {"postgres", {{"connectionSecretRef", {{"name", "pg-secret"}}}}},
          {"valkey", {{"connectionSecretRef", {{"name", "vk-secret"}, {"key", "redis"}}}}}};
}

PlannedInvalidation signer_revoked() {
  return {provcache::InvalidationKind::kSignerSetHash,
          kSigner,
          "SignerRevoked",
          "signer:" + kSigner,
          "zastava-inv-0123456789abcdef",
          true};
}

TEST(InvalidationJob, ManifestIsAnOwnedBatchV1Job) {
  OperatorSettings settings;
  settings.stella_image = "registry.example/stella:1.2.3";
  settings.job_service_account = "invalidator";
  settings.job_backoff_limit = 2;
  settings.job_active_deadline_seconds = 300;
  settings.job_ttl_seconds_after_finished = 1800;
  const nlohmann::json job =
      invalidation_job(policy_with(postgres_store()), signer_revoked(), settings);

  EXPECT_EQ(job["apiVersion"], "batch/v1");
  EXPECT_EQ(job["kind"], "Job");
  EXPECT_EQ(job["metadata"]["name"], "zastava-inv-0123456789abcdef");
  EXPECT_EQ(job["metadata"]["namespace"], "zastava-system");
  EXPECT_EQ(job["metadata"]["labels"]["app.kubernetes.io/managed-by"], "zastava-operator");
  EXPECT_EQ(job["metadata"]["labels"]["zastava.stellaops.io/provcache-policy"], "cache");
  ASSERT_EQ(job["metadata"]["ownerReferences"].size(), 1u);
  const nlohmann::json& owner = job["metadata"]["ownerReferences"][0];
  EXPECT_EQ(owner["apiVersion"], "zastava.stellaops.io/v1alpha1");
  EXPECT_EQ(owner["kind"], "ProvcachePolicy");
  EXPECT_EQ(owner["name"], "cache");
  EXPECT_EQ(owner["uid"], "uid-42");
  EXPECT_EQ(owner["controller"], true);
  EXPECT_EQ(owner["blockOwnerDeletion"], true);

  const nlohmann::json& spec = job["spec"];
  EXPECT_EQ(spec["backoffLimit"], 2);
  EXPECT_EQ(spec["activeDeadlineSeconds"], 300);
  EXPECT_EQ(spec["ttlSecondsAfterFinished"], 1800);
  EXPECT_EQ(spec["template"]["metadata"]["labels"]["app.kubernetes.io/managed-by"],
            "zastava-operator");
  const nlohmann::json& pod = spec["template"]["spec"];
  EXPECT_EQ(pod["restartPolicy"], "Never");
  EXPECT_EQ(pod["serviceAccountName"], "invalidator");
  ASSERT_EQ(pod["containers"].size(), 1u);
  const nlohmann::json& container = pod["containers"][0];
  EXPECT_EQ(container["name"], "stella");
  EXPECT_EQ(container["image"], "registry.example/stella:1.2.3");
  const nlohmann::json expected_command = {"stella",
                                           "prov",
                                           "invalidate",
                                           "--by",
                                           "signer_set_hash",
                                           "--value",
                                           kSigner,
                                           "--reason",
                                           "SignerRevoked",
                                           "--actor",
                                           "zastava-operator",
                                           "--result-file",
                                           "/dev/termination-log",
                                           "--postgres",
                                           "$(ZASTAVA_POSTGRES_URL)",
                                           "--valkey",
                                           "$(ZASTAVA_VALKEY_URL)"};
  EXPECT_EQ(container["command"], expected_command);
  const nlohmann::json expected_env = {
      {{"name", "ZASTAVA_POSTGRES_URL"},
       {"valueFrom", {{"secretKeyRef", {{"name", "pg-secret"}, {"key", "url"}}}}}},
      {{"name", "ZASTAVA_VALKEY_URL"},
       {"valueFrom", {{"secretKeyRef", {{"name", "vk-secret"}, {"key", "redis"}}}}}}};
  EXPECT_EQ(container["env"], expected_env);
  EXPECT_EQ(container["terminationMessagePath"], "/dev/termination-log");
  EXPECT_EQ(container["terminationMessagePolicy"], "FallbackToLogsOnError");

  const nlohmann::json& security = container["securityContext"];
  EXPECT_EQ(security["runAsNonRoot"], true);
  EXPECT_EQ(security["readOnlyRootFilesystem"], true);
  EXPECT_EQ(security["allowPrivilegeEscalation"], false);
  EXPECT_EQ(security["capabilities"]["drop"], nlohmann::json({"ALL"}));
  EXPECT_EQ(security["seccompProfile"]["type"], "RuntimeDefault");
  EXPECT_TRUE(container["resources"]["requests"].contains("cpu"));
  EXPECT_TRUE(container["resources"]["requests"].contains("memory"));
  EXPECT_TRUE(container["resources"]["limits"].contains("memory"));
}

TEST(InvalidationJob, ExpiredTakesNoValueAndPostgresAloneNoValkey) {
  nlohmann::json store = postgres_store();
  store.erase("valkey");
  const PlannedInvalidation sweep{provcache::InvalidationKind::kExpired,
                                  "",
                                  "TtlSweep",
                                  "expired:2026-11-22T10:00:00Z",
                                  "zastava-inv-00",
                                  true};
  const nlohmann::json job = invalidation_job(policy_with(store), sweep, OperatorSettings{});
  const nlohmann::json& container = job["spec"]["template"]["spec"]["containers"][0];
  const nlohmann::json expected_command = {"stella",
                                           "prov",
                                           "invalidate",
                                           "--by",
                                           "expired",
                                           "--reason",
                                           "TtlSweep",
                                           "--actor",
                                           "zastava-operator",
                                           "--result-file",
                                           "/dev/termination-log",
                                           "--postgres",
                                           "$(ZASTAVA_POSTGRES_URL)"};
  EXPECT_EQ(container["command"], expected_command);
  EXPECT_EQ(container["env"].size(), 1u);
  EXPECT_EQ(container["image"], OperatorSettings{}.stella_image);
}

TEST(InvalidationJob, PolicyTextCannotExpandTheSecrets) {
  PlannedInvalidation epoch{provcache::InvalidationKind::kFeedEpoch,
                            "$(ZASTAVA_POSTGRES_URL)",
                            "FeedEpochAdvanced",
                            "feedEpoch:<x",
                            "zastava-inv-01",
                            true};
  const nlohmann::json job = invalidation_job(policy_with(postgres_store()), epoch, {});
  const nlohmann::json& command = job["spec"]["template"]["spec"]["containers"][0]["command"];
  EXPECT_EQ(command[6], "$$(ZASTAVA_POSTGRES_URL)");
}

TEST(InvalidationJob, LongPolicyNamesAreLeftOutOfTheLabels) {
  nlohmann::json policy = policy_with(postgres_store());
  policy["metadata"]["name"] = std::string(64, 'p');
  const nlohmann::json job = invalidation_job(policy, signer_revoked(), {});
  EXPECT_FALSE(job["metadata"]["labels"].contains("zastava.stellaops.io/provcache-policy"));
  EXPECT_EQ(job["metadata"]["ownerReferences"][0]["name"], std::string(64, 'p'));
}

// ---------------------------------------------------------------- observe_job

nlohmann::json job_with_status(nlohmann::json status) {
  return {{"metadata", {{"name", "zastava-inv-1"}, {"namespace", "zastava-system"}}},
          {"status", std::move(status)}};
}

nlohmann::json pod(const std::string& job_name, int exit_code, const std::string& message) {
  return {{"metadata", {{"name", job_name + "-abcde"}, {"labels", {{"job-name", job_name}}}}},
          {"status",
           {{"containerStatuses",
             {{{"name", "stella"},
               {"state", {{"terminated", {{"exitCode", exit_code}, {"message", message}}}}}}}}}}};
}

const std::string kRecord =
    R"({"actor":"zastava-operator","createdAt":"2026-11-22T10:00:05Z","entriesAffected":17,)"
    R"("reason":"SignerRevoked","revocationId":"1b4e28ba-2fa1-4d2b-9a5e-3a6a2f1c0b7d",)"
    R"("revocationType":"signer_set_hash","targetHash":"sha256:aa"})";

TEST(ObserveJob, NoStatusIsPending) {
  const JobObservation observed = observe_job(job_with_status(nullptr), {});
  EXPECT_EQ(observed.state, "Pending");
  EXPECT_EQ(observed.start_time, "");
  EXPECT_FALSE(observed.entries_affected);
}

TEST(ObserveJob, ActiveOrStartedIsRunning) {
  EXPECT_EQ(observe_job(job_with_status({{"active", 1}}), {}).state, "Running");
  const JobObservation started =
      observe_job(job_with_status({{"startTime", "2026-11-22T10:00:00Z"}}), {});
  EXPECT_EQ(started.state, "Running");
  EXPECT_EQ(started.start_time, "2026-11-22T10:00:00Z");
}

TEST(ObserveJob, CompleteIsSucceededWithTheRecordsEntries) {
  const nlohmann::json job =
      job_with_status({{"startTime", "2026-11-22T10:00:00Z"},
                       {"completionTime", "2026-11-22T10:00:09Z"},
                       {"succeeded", 1},
                       {"conditions", {{{"type", "Complete"}, {"status", "True"}}}}});
  const std::vector<nlohmann::json> pods{pod("other-job", 0, R"({"entriesAffected":99})"),
                                         pod("zastava-inv-1", 1, "panic: boom"),
                                         pod("zastava-inv-1", 0, kRecord)};
  const JobObservation observed = observe_job(job, pods);
  EXPECT_EQ(observed.state, "Succeeded");
  EXPECT_EQ(observed.start_time, "2026-11-22T10:00:00Z");
  EXPECT_EQ(observed.completion_time, "2026-11-22T10:00:09Z");
  ASSERT_TRUE(observed.entries_affected);
  EXPECT_EQ(*observed.entries_affected, 17);
  EXPECT_EQ(observed.message, "");
}

TEST(ObserveJob, ConditionsMustBeTrue) {
  const nlohmann::json job = job_with_status(
      {{"active", 1}, {"conditions", {{{"type", "Complete"}, {"status", "False"}}}}});
  EXPECT_EQ(observe_job(job, {}).state, "Running");
}

TEST(ObserveJob, FailedCarriesTheConditionsReasonAndMessage) {
  const nlohmann::json job =
      job_with_status({{"startTime", "2026-11-22T10:00:00Z"},
                       {"failed", 4},
                       {"conditions",
                        {{{"type", "Failed"},
                          {"status", "True"},
                          {"reason", "BackoffLimitExceeded"},
                          {"message", "Job has reached the specified backoff limit"},
                          {"lastTransitionTime", "2026-11-22T10:05:00Z"}}}}});
  const JobObservation observed =
      observe_job(job, {pod("zastava-inv-1", 1, "cannot connect to PostgreSQL")});
  EXPECT_EQ(observed.state, "Failed");
  EXPECT_EQ(observed.message, "BackoffLimitExceeded: Job has reached the specified backoff limit");
  EXPECT_EQ(observed.completion_time, "2026-11-22T10:05:00Z");
  EXPECT_FALSE(observed.entries_affected);
}

TEST(ObserveJob, ShortenedRecordAndNewJobNameLabelCount) {
  nlohmann::json shortened = pod("zastava-inv-1", 0, R"({"entriesAffected":0,"revocationId":"x"})");
  shortened["metadata"]["labels"] = {{"batch.kubernetes.io/job-name", "zastava-inv-1"}};
  const JobObservation observed = observe_job(
      job_with_status({{"conditions", {{{"type", "Complete"}, {"status", "True"}}}}}), {shortened});
  ASSERT_TRUE(observed.entries_affected);
  EXPECT_EQ(*observed.entries_affected, 0);
}

TEST(ObserveJob, MalformedMessagesGiveNoCount) {
  const nlohmann::json done =
      job_with_status({{"conditions", {{{"type", "Complete"}, {"status", "True"}}}}});
  EXPECT_FALSE(observe_job(done, {pod("zastava-inv-1", 0, "{not json")}).entries_affected);
  EXPECT_FALSE(
      observe_job(done, {pod("zastava-inv-1", 0, R"({"entriesAffected":-3})")}).entries_affected);
  EXPECT_FALSE(
      observe_job(done, {pod("zastava-inv-1", 0, R"({"entriesAffected":"3"})")}).entries_affected);
}

}  // namespace
}  // namespace zastava::reconcile
