// InvalidationController against the API server double, with real informers
// and a work queue drained by a worker thread, as the operator runs it. The
// test plays Kubernetes' Job controller: it writes the Jobs' status and
// creates their Pods with the termination message `stella prov invalidate
// --result-file /dev/termination-log` leaves.
#include "invalidation_controller.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/utc_time.hpp"
#include "kube_test_support.hpp"
#include "reconcile/invalidation_plan.hpp"

namespace zastava::operator_app {
namespace {

using kube::eventually;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kNamespace = "zastava-system";
constexpr const char* kPolicyKey = "zastava-system/cache";
const kube::ResourceRef kPolicies{"zastava.stellaops.io", "v1alpha1", "provcachepolicies", "", ""};
const kube::ResourceRef kJobs{"batch", "v1", "jobs", "", ""};
const kube::ResourceRef kPods{"", "v1", "pods", "", ""};
const kube::ResourceRef kSecrets{"", "v1", "secrets", "", ""};
const kube::WatcherOptions kFast{
    .watch_timeout_seconds = 30, .initial_backoff = 50ms, .max_backoff = 500ms};
constexpr const char* kManagedBySelector = "app.kubernetes.io/managed-by=zastava-operator";

const std::string kSignerA = "sha256:" + std::string(64, 'a');
const std::string kHashOld = "sha256:" + std::string(64, 'c');
const std::string kHashNew = "sha256:" + std::string(64, 'd');

// The operator's invalidation side: informers, queue, worker, controller.
class RunningController {
 public:
  RunningController(kube::Client& client, std::shared_ptr<kube::Client> event_client,
                    const reconcile::OperatorSettings& settings)
      : policies_(client, kPolicies, kFast),
        jobs_(client, kJobs.in(kNamespace),
              kube::WatcherOptions{.label_selector = kManagedBySelector,
                                   .watch_timeout_seconds = 30,
                                   .initial_backoff = 50ms,
                                   .max_backoff = 500ms}),
        pods_(client, kPods.in(kNamespace),
              kube::WatcherOptions{.label_selector = kManagedBySelector,
                                   .watch_timeout_seconds = 30,
                                   .initial_backoff = 50ms,
                                   .max_backoff = 500ms}),
        events_(std::make_unique<kube::ClientEventSink>(std::move(event_client)),
                {.reporting_controller = "zastava.stellaops.io/operator",
                 .reporting_instance = "test"}),
        controller_(client, {policies_, jobs_, pods_}, settings, events_) {
    controller_.enqueue_changes_into(queue_);
    policies_.start();
    jobs_.start();
    pods_.start();
    std::stop_source never;
    synced_ = policies_.wait_for_sync(never.get_token()) &&
              jobs_.wait_for_sync(never.get_token()) && pods_.wait_for_sync(never.get_token());
    worker_ = std::jthread([this](std::stop_token stop) { work(std::move(stop)); });
  }
  ~RunningController() {
    queue_.shut_down();
    worker_.request_stop();
    worker_.join();
    events_.wait_idle(5s);
    pods_.stop();
    jobs_.stop();
    policies_.stop();
  }
  RunningController(const RunningController&) = delete;
  RunningController& operator=(const RunningController&) = delete;

  [[nodiscard]] bool synced() const { return synced_; }
  [[nodiscard]] int reconciled() const { return reconciled_.load(); }
  [[nodiscard]] int failed() const { return failed_.load(); }
  InvalidationController& controller() { return controller_; }
  bool flush_events() { return events_.wait_idle(10s); }

 private:
  void work(std::stop_token stop) {
    while (auto key = queue_.get(stop)) {
      const Result<ReconcileResult> done = controller_.reconcile(*key);
      if (done) {
        queue_.forget(*key);
        ++reconciled_;
      } else {
        ADD_FAILURE() << "reconcile " << *key << ": " << done.error().describe();
        ++failed_;
        queue_.add_rate_limited(*key);
      }
      queue_.done(*key);
    }
  }

  controller::Informer policies_;
  controller::Informer jobs_;
  controller::Informer pods_;
  kube::EventRecorder events_;
  controller::WorkQueue queue_;
  InvalidationController controller_;
  bool synced_ = false;
  std::atomic<int> reconciled_{0};
  std::atomic<int> failed_{0};
  std::jthread worker_;
};

class InvalidationControllerTest : public kube::SharedFakeKubeApiTest {
 protected:
  void SetUp() override {
    SharedFakeKubeApiTest::SetUp();
    settings_.operator_namespace = kNamespace;
    settings_.stella_image = "registry.example/stella:test";
    settings_.ttl_sweep_interval = std::chrono::seconds(0);  // sweeps: their own test
    ASSERT_TRUE(
        client_
            ->create(kSecrets.in(kNamespace), {{"metadata", {{"name", "pg"}}},
                                               {"data", {{"url", "cG9zdGdyZXNxbDovL3BnL2Ri"}}}})
            .ok());
  }

  std::unique_ptr<RunningController> start_controller() {
    auto running = std::make_unique<RunningController>(*client_, client_, settings_);
    EXPECT_TRUE(running->synced());
    return running;
  }

  static json postgres_policy(json extra_spec) {
    json spec = {
        {"store",
         {{"type", "Postgres"}, {"postgres", {{"connectionSecretRef", {{"name", "pg"}}}}}}}};
    spec.update(extra_spec);
    return {{"apiVersion", "zastava.stellaops.io/v1alpha1"},
            {"kind", "ProvcachePolicy"},
            {"metadata", {{"name", "cache"}}},
            {"spec", std::move(spec)}};
  }

  void create_policy(const json& policy) {
    auto created = client_->create(kPolicies.in(kNamespace), policy);
    ASSERT_TRUE(created.ok()) << created.error().describe();
  }

  void patch_spec(const json& spec_patch) {
    auto patched =
        client_->merge_patch(kPolicies.in(kNamespace).named("cache"), {{"spec", spec_patch}});
    ASSERT_TRUE(patched.ok()) << patched.error().describe();
  }

  std::vector<json> jobs() {
    auto list = client_->list(kJobs.in(kNamespace));
    EXPECT_TRUE(list.ok());
    return list ? (*list)["items"].get<std::vector<json>>() : std::vector<json>{};
  }

  json policy_status() {
    auto policy = client_->get(kPolicies.in(kNamespace).named("cache"));
    EXPECT_TRUE(policy.ok());
    return policy ? policy->value("status", json::object()) : json::object();
  }

  // The status record with this jobName once `predicate` holds for it.
  std::optional<json> wait_for_record(const std::string& job_name,
                                      const std::function<bool(const json&)>& predicate) {
    std::optional<json> found;
    eventually([&] {
      const json status = policy_status();
      for (const json& record : status.value("invalidations", json::array())) {
        if (record.value("jobName", "") == job_name && predicate(record)) {
          found = record;
          return true;
        }
      }
      return false;
    });
    return found;
  }

  // Plays the Job controller: the Job's status, then its Pod whose container
  // ended with `exit_code` and termination message `message`.
  void finish_job(const std::string& job_name, const json& job_status, int exit_code,
                  const std::string& message) {
    auto patched = client_->merge_patch(kJobs.in(kNamespace).named(job_name),
                                        {{"status", job_status}}, "status");
    ASSERT_TRUE(patched.ok()) << patched.error().describe();
    const json pod = {
        {"metadata",
         {{"name", job_name + "-x7k2p"},
          {"labels",
           {{"job-name", job_name}, {"app.kubernetes.io/managed-by", "zastava-operator"}}}}},
        {"spec", {{"containers", {{{"name", "stella"}, {"image", "stella"}}}}}}};
    ASSERT_TRUE(client_->create(kPods.in(kNamespace), pod).ok());
    const json pod_status = {{"phase", exit_code == 0 ? "Succeeded" : "Failed"},
                             {"containerStatuses",
                              {{{"name", "stella"},
                                {"state",
                                 {{"terminated",
                                   {{"exitCode", exit_code},
                                    {"reason", exit_code == 0 ? "Completed" : "Error"},
                                    {"message", message}}}}}}}}};
    auto pod_patched = client_->merge_patch(kPods.in(kNamespace).named(job_name + "-x7k2p"),
                                            {{"status", pod_status}}, "status");
    ASSERT_TRUE(pod_patched.ok()) << pod_patched.error().describe();
  }

  // Events the operator wrote with this reason.
  std::vector<json> events_with_reason(const std::string& reason) {
    std::vector<json> found;
    const json all = api_->test_call("GET", "/_test/events");
    for (const json& event : all["items"]) {
      if (event.value("reason", "") == reason) found.push_back(event);
    }
    return found;
  }

  static std::string job_name_for(provcache::InvalidationKind kind, const std::string& value) {
    return reconcile::invalidation_job_name(kNamespace, "cache", {kind, value, {}, {}});
  }

  static json command_of(const json& job) {
    return job["spec"]["template"]["spec"]["containers"][0]["command"];
  }

  reconcile::OperatorSettings settings_;
};

const std::string kRecord =
    R"({"actor":"zastava-operator","createdAt":"2026-11-22T10:00:05Z","entriesAffected":17,)"
    R"("reason":"SignerRevoked","revocationId":"1b4e28ba-2fa1-4d2b-9a5e-3a6a2f1c0b7d",)"
    R"("revocationType":"signer_set_hash","targetHash":")" +
    kSignerA + R"("})";

// A Job status Kubernetes would write on success, completing at `completed`.
json complete_at(std::int64_t completed) {
  return {{"startTime", format_rfc3339_utc(completed - 5, false)},
          {"completionTime", format_rfc3339_utc(completed, false)},
          {"succeeded", 1},
          {"conditions", {{{"type", "Complete"}, {"status", "True"}}}}};
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST_F(InvalidationControllerTest, RevokedSignerRunsExactlyOneJobAcrossRestartsThenSucceeds) {
  create_policy(
      postgres_policy({{"revokedSigners", {{{"signerSetHash", kSignerA}, {"reason", "leak"}}}}}));
  const std::string job_name = job_name_for(provcache::InvalidationKind::kSignerSetHash, kSignerA);
  auto running = start_controller();

  ASSERT_TRUE(eventually([&] { return jobs().size() == 1; }));
  const json job = jobs()[0];
  EXPECT_EQ(job["metadata"]["name"], job_name);
  EXPECT_EQ(job["metadata"]["ownerReferences"][0]["kind"], "ProvcachePolicy");
  EXPECT_EQ(job["metadata"]["ownerReferences"][0]["name"], "cache");
  EXPECT_FALSE(job["metadata"]["ownerReferences"][0]["uid"].get<std::string>().empty());
  const json expected_command = {"stella",
                                 "prov",
                                 "invalidate",
                                 "--by",
                                 "signer_set_hash",
                                 "--value",
                                 kSignerA,
                                 "--reason",
                                 "SignerRevoked",
                                 "--actor",
                                 "zastava-operator",
                                 "--result-file",
                                 "/dev/termination-log",
                                 "--postgres",
                                 "$(ZASTAVA_POSTGRES_URL)"};
  EXPECT_EQ(command_of(job), expected_command);
  const json& container = job["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(container["image"], "registry.example/stella:test");
  EXPECT_EQ(container["env"][0]["name"], "ZASTAVA_POSTGRES_URL");
  EXPECT_EQ(container["env"][0]["valueFrom"]["secretKeyRef"],
            json({{"name", "pg"}, {"key", "url"}}));
  const auto pending =
      wait_for_record(job_name, [](const json& r) { return r.value("state", "") == "Pending"; });
  ASSERT_TRUE(pending);
  EXPECT_EQ((*pending)["target"], "signer:" + kSignerA);
  EXPECT_EQ((*pending)["reason"], "SignerRevoked");

  // Reconciling again changes nothing.
  auto again = running->controller().reconcile(kPolicyKey);
  ASSERT_TRUE(again.ok()) << again.error().describe();
  EXPECT_EQ(jobs().size(), 1u);

  // An operator restart: a new controller and fresh informers.
  running.reset();
  running = start_controller();
  ASSERT_TRUE(eventually([&] { return running->reconciled() >= 1; }));
  auto after_restart = running->controller().reconcile(kPolicyKey);
  ASSERT_TRUE(after_restart.ok()) << after_restart.error().describe();
  EXPECT_EQ(jobs().size(), 1u);
  ASSERT_TRUE(running->flush_events());
  EXPECT_EQ(events_with_reason("InvalidationStarted").size(), 1u);

  // Kubernetes runs it: the record follows, with the count from the Pod.
  const std::int64_t completed = now_seconds();
  finish_job(job_name, complete_at(completed), 0, kRecord);
  const auto succeeded =
      wait_for_record(job_name, [](const json& r) { return r.value("state", "") == "Succeeded"; });
  ASSERT_TRUE(succeeded) << policy_status().dump();
  EXPECT_EQ((*succeeded)["entriesAffected"], 17);
  EXPECT_EQ((*succeeded)["startTime"], format_rfc3339_utc(completed - 5, false));
  EXPECT_EQ((*succeeded)["completionTime"], format_rfc3339_utc(completed, false));
  EXPECT_EQ(policy_status()["invalidations"].size(), 1u);
  ASSERT_TRUE(eventually([&] { return !events_with_reason("InvalidationSucceeded").empty(); }));
  const json event = events_with_reason("InvalidationSucceeded")[0];
  EXPECT_EQ(event["type"], "Normal");
  EXPECT_NE(event["note"].get<std::string>().find("17 entries"), std::string::npos);
  EXPECT_EQ(event["reportingController"], "zastava.stellaops.io/operator");
  EXPECT_EQ(event["regarding"]["kind"], "ProvcachePolicy");
  EXPECT_EQ(jobs().size(), 1u);
  EXPECT_EQ(running->failed(), 0);
}

TEST_F(InvalidationControllerTest, ACompleteJobWhosePodNeverReportsSucceedsWithoutACount) {
  create_policy(postgres_policy({{"revokedSigners", {{{"signerSetHash", kSignerA}}}}}));
  const std::string job_name = job_name_for(provcache::InvalidationKind::kSignerSetHash, kSignerA);
  auto running = start_controller();
  ASSERT_TRUE(eventually([&] { return jobs().size() == 1; }));

  // Completed just now, no Pod yet: the record waits for the count.
  auto patched = client_->merge_patch(kJobs.in(kNamespace).named(job_name),
                                      {{"status", complete_at(now_seconds())}}, "status");
  ASSERT_TRUE(patched.ok()) << patched.error().describe();
  ASSERT_TRUE(
      wait_for_record(job_name, [](const json& r) { return r.value("state", "") == "Running"; }));
  EXPECT_TRUE(events_with_reason("InvalidationSucceeded").empty());

  // Completed two minutes ago (past the grace) and still no Pod: Succeeded.
  patched = client_->merge_patch(kJobs.in(kNamespace).named(job_name),
                                 {{"status", complete_at(now_seconds() - 120)}}, "status");
  ASSERT_TRUE(patched.ok()) << patched.error().describe();
  const auto record =
      wait_for_record(job_name, [](const json& r) { return r.value("state", "") == "Succeeded"; });
  ASSERT_TRUE(record) << policy_status().dump();
  EXPECT_FALSE(record->contains("entriesAffected"));
  ASSERT_TRUE(eventually([&] { return !events_with_reason("InvalidationSucceeded").empty(); }));
}

TEST_F(InvalidationControllerTest, AFailedJobIsRecordedWithItsMessage) {
  create_policy(postgres_policy({{"revokedSigners", {{{"signerSetHash", kSignerA}}}}}));
  const std::string job_name = job_name_for(provcache::InvalidationKind::kSignerSetHash, kSignerA);
  auto running = start_controller();
  ASSERT_TRUE(eventually([&] { return jobs().size() == 1; }));

  const json failed = {{"startTime", "2026-11-22T10:00:00Z"},
                       {"failed", 4},
                       {"conditions",
                        {{{"type", "Failed"},
                          {"status", "True"},
                          {"reason", "BackoffLimitExceeded"},
                          {"message", "Job has reached the specified backoff limit"},
                          {"lastTransitionTime", "2026-11-22T10:04:00Z"}}}}};
  finish_job(job_name, failed, 1, "stella prov invalidate: cannot connect to PostgreSQL");
  const auto record =
      wait_for_record(job_name, [](const json& r) { return r.value("state", "") == "Failed"; });
  ASSERT_TRUE(record) << policy_status().dump();
  EXPECT_EQ((*record)["message"],
            "BackoffLimitExceeded: Job has reached the specified backoff limit");
  EXPECT_EQ((*record)["completionTime"], "2026-11-22T10:04:00Z");
  EXPECT_FALSE(record->contains("entriesAffected"));
  ASSERT_TRUE(eventually([&] { return !events_with_reason("InvalidationFailed").empty(); }));
  EXPECT_EQ(events_with_reason("InvalidationFailed")[0]["type"], "Warning");
  // Failed is final: no new Job.
  auto again = running->controller().reconcile(kPolicyKey);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(jobs().size(), 1u);
}

TEST_F(InvalidationControllerTest, AJobDeletedBeforeItFinishedIsFailed) {
  create_policy(postgres_policy({{"revokedSigners", {{{"signerSetHash", kSignerA}}}}}));
  const std::string job_name = job_name_for(provcache::InvalidationKind::kSignerSetHash, kSignerA);
  auto running = start_controller();
  ASSERT_TRUE(
      wait_for_record(job_name, [](const json& r) { return r.value("state", "") == "Pending"; }));
  ASSERT_TRUE(client_->remove(kJobs.in(kNamespace).named(job_name)).ok());
  const auto record =
      wait_for_record(job_name, [](const json& r) { return r.value("state", "") == "Failed"; });
  ASSERT_TRUE(record) << policy_status().dump();
  EXPECT_NE((*record)["message"].get<std::string>().find("deleted"), std::string::npos);
  EXPECT_TRUE(jobs().empty());  // recorded, so not run again
}

TEST_F(InvalidationControllerTest, AFeedEpochAdvanceRunsANewJob) {
  create_policy(postgres_policy({{"feedEpoch", "41"}}));
  auto running = start_controller();
  const std::string first = job_name_for(provcache::InvalidationKind::kFeedEpoch, "41");
  ASSERT_TRUE(eventually([&] { return jobs().size() == 1; }));
  EXPECT_EQ(jobs()[0]["metadata"]["name"], first);
  ASSERT_TRUE(wait_for_record(first, [](const json&) { return true; }));

  patch_spec({{"feedEpoch", "42"}});
  const std::string second = job_name_for(provcache::InvalidationKind::kFeedEpoch, "42");
  ASSERT_TRUE(eventually([&] { return jobs().size() == 2; }));
  auto job = client_->get(kJobs.in(kNamespace).named(second));
  ASSERT_TRUE(job.ok()) << job.error().describe();
  const json command = command_of(*job);
  EXPECT_EQ(command[4], "feed_epoch");
  EXPECT_EQ(command[6], "42");
  const auto record = wait_for_record(second, [](const json&) { return true; });
  ASSERT_TRUE(record);
  EXPECT_EQ((*record)["target"], "feedEpoch:<42");
  EXPECT_EQ((*record)["reason"], "FeedEpochAdvanced");
  EXPECT_EQ(policy_status()["invalidations"].size(), 2u);
}

TEST_F(InvalidationControllerTest, APolicyHashChangeInvalidatesTheOldHash) {
  create_policy(postgres_policy({{"policyHash", kHashOld}}));
  auto running = start_controller();
  // The first hash is only recorded: nothing was cached under another.
  ASSERT_TRUE(
      eventually([&] { return policy_status().value("appliedPolicyHash", "") == kHashOld; }));
  EXPECT_TRUE(jobs().empty());

  patch_spec({{"policyHash", kHashNew}});
  ASSERT_TRUE(eventually([&] { return jobs().size() == 1; }));
  const json command = command_of(jobs()[0]);
  EXPECT_EQ(command[4], "policy_hash");
  EXPECT_EQ(command[6], kHashOld);
  EXPECT_EQ(jobs()[0]["metadata"]["name"],
            job_name_for(provcache::InvalidationKind::kPolicyHash, kHashOld));
  ASSERT_TRUE(
      eventually([&] { return policy_status().value("appliedPolicyHash", "") == kHashNew; }));
  const auto record =
      wait_for_record(jobs()[0]["metadata"]["name"], [](const json&) { return true; });
  ASSERT_TRUE(record);
  EXPECT_EQ((*record)["target"], "policyHash:" + kHashOld);
  EXPECT_EQ((*record)["reason"], "PolicyHashChanged");
  auto again = running->controller().reconcile(kPolicyKey);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(jobs().size(), 1u);
}

TEST_F(InvalidationControllerTest, AnEmbeddedStoreRecordsSuccessWithoutAJob) {
  create_policy({{"apiVersion", "zastava.stellaops.io/v1alpha1"},
                 {"kind", "ProvcachePolicy"},
                 {"metadata", {{"name", "cache"}}},
                 {"spec", {{"revokedSigners", {{{"signerSetHash", kSignerA}}}}}}});
  auto running = start_controller();
  const std::string job_name = job_name_for(provcache::InvalidationKind::kSignerSetHash, kSignerA);
  const auto record =
      wait_for_record(job_name, [](const json& r) { return r.value("state", "") == "Succeeded"; });
  ASSERT_TRUE(record) << policy_status().dump();
  EXPECT_NE((*record)["message"].get<std::string>().find("Embedded"), std::string::npos);
  EXPECT_TRUE(jobs().empty());
  ASSERT_TRUE(eventually([&] { return !events_with_reason("InvalidationSucceeded").empty(); }));
  auto again = running->controller().reconcile(kPolicyKey);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(jobs().empty());
  EXPECT_EQ(policy_status()["invalidations"].size(), 1u);
}

TEST_F(InvalidationControllerTest, OnlyTheActivePolicyInTheOperatorNamespaceActs) {
  // Elsewhere: WrongNamespace, changes nothing.
  json elsewhere = postgres_policy({{"revokedSigners", {{{"signerSetHash", kSignerA}}}}});
  ASSERT_TRUE(client_->create(kPolicies.in("payments"), elsewhere).ok());
  auto running = start_controller();
  ASSERT_TRUE(eventually([&] { return running->reconciled() >= 1; }));
  auto direct = running->controller().reconcile("payments/cache");
  ASSERT_TRUE(direct.ok());
  EXPECT_TRUE(jobs().empty());
  auto other = client_->list(kJobs.in("payments"));
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE((*other)["items"].empty());
  auto policy = client_->get(kPolicies.in("payments").named("cache"));
  ASSERT_TRUE(policy.ok());
  EXPECT_FALSE(policy->contains("status") && (*policy)["status"].contains("invalidations"));
}

TEST_F(InvalidationControllerTest, TtlSweepsRunPerIntervalAndRequeue) {
  settings_.ttl_sweep_interval = std::chrono::hours(1);
  create_policy(postgres_policy(json::object()));
  auto running = start_controller();
  ASSERT_TRUE(eventually([&] { return jobs().size() == 1; }));
  EXPECT_EQ(command_of(jobs()[0])[4], "expired");
  auto result = running->controller().reconcile(kPolicyKey);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  ASSERT_TRUE(result->requeue_after);
  EXPECT_GT(*result->requeue_after, 0ms);
  EXPECT_LE(*result->requeue_after, std::chrono::milliseconds(std::chrono::seconds(3601)));
  const auto record =
      wait_for_record(jobs()[0]["metadata"]["name"], [](const json&) { return true; });
  ASSERT_TRUE(record);
  EXPECT_EQ((*record)["reason"], "TtlSweep");
  EXPECT_EQ((*record)["target"].get<std::string>().rfind("expired:", 0), 0u);
}

}  // namespace
}  // namespace zastava::operator_app
