// OperatorApp (operator/operator_app.hpp) against the fake Kubernetes API:
// leader election with two replicas, hand-over on stop, the health listener,
// and running without election.
#include "operator_app.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>
#include <thread>

#include "fake_kube_api.hpp"
#include "http/client.hpp"
#include "kube/client.hpp"

namespace zastava::operator_app {
namespace {

using namespace std::chrono_literals;

const kube::ResourceRef kLeases{"coordination.k8s.io", "v1", "leases"};
const kube::ResourceRef kConfigMaps{"", "v1", "configmaps"};

bool eventually(const std::function<bool()>& condition, std::chrono::seconds timeout = 60s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return condition();
}

OperatorConfig test_config(const std::string& identity, bool leader_elect = true) {
  OperatorConfig config;
  config.settings.operator_namespace = "zastava-system";
  config.identity = identity;
  config.leader_elect = leader_elect;
  config.lease_duration = 4s;
  config.renew_deadline = 3s;
  config.retry_period = 500ms;
  config.workers = 1;
  config.health = {"127.0.0.1", 0};
  return config;
}

// One replica: the app and the thread running it.
struct Replica {
  std::unique_ptr<OperatorApp> app;
  std::stop_source stop;
  std::jthread thread;
  std::atomic<int> exit_code{-1};

  Replica(testing::FakeKubeApi& api, const OperatorConfig& config) {
    auto created = OperatorApp::create(config, api.config(), nullptr);
    if (!created) throw std::runtime_error(created.error().describe());
    app = std::move(*created);
    thread = std::jthread([this] { exit_code = app->run(stop.get_token()); });
  }
  int finish() {
    stop.request_stop();
    if (thread.joinable()) thread.join();
    return exit_code.load();
  }
  ~Replica() { finish(); }

  http::ClientResponse get(const std::string& path) const {
    auto client =
        http::Client::connect("http://127.0.0.1:" + std::to_string(app->health_port()), {});
    if (!client) return {};
    auto response = (*client)->get(path);
    return response ? *response : http::ClientResponse{};
  }
};

std::string lease_holder(kube::Client& client) {
  auto lease = client.get(kLeases.in("zastava-system").named("zastava-operator"));
  if (!lease) return "<none>";
  return lease->value("spec", nlohmann::json::object()).value("holderIdentity", "");
}

TEST(OperatorApp, TwoReplicasOneLeaderHandOverOnStop) {
  auto api = testing::FakeKubeApi::start();
  auto client = kube::Client::create(api->config());
  ASSERT_TRUE(client);
  Replica one(*api, test_config("one"));
  Replica two(*api, test_config("two"));

  ASSERT_TRUE(eventually([&] { return one.app->is_serving() != two.app->is_serving(); }));
  Replica& leader = one.app->is_leader() ? one : two;
  Replica& follower = one.app->is_leader() ? two : one;
  const std::string leader_name = &leader == &one ? "one" : "two";
  const std::string follower_name = &leader == &one ? "two" : "one";
  EXPECT_EQ(lease_holder(**client), leader_name);
  // The leader compiled the (empty) policy set into the ConfigMap.
  EXPECT_TRUE(eventually([&] {
    return (*client)->get(kConfigMaps.in("zastava-system").named("zastava-policy")).ok();
  }));

  const auto standby = follower.get("/readyz");
  EXPECT_EQ(standby.status, 200u);
  EXPECT_EQ(nlohmann::json::parse(standby.body, nullptr, false).value("role", ""), "standby");
  const auto leading = leader.get("/readyz");
  EXPECT_EQ(leading.status, 200u);
  EXPECT_EQ(nlohmann::json::parse(leading.body, nullptr, false).value("role", ""), "leader");
  EXPECT_NE(leader.get("/metrics").body.find("zastava_operator_is_leader 1"), std::string::npos);
  EXPECT_NE(follower.get("/metrics").body.find("zastava_operator_is_leader 0"), std::string::npos);
  EXPECT_EQ(follower.get("/healthz").status, 200u);

  // A stopped leader releases the Lease: the follower takes over well before
  // the 4 s lease would have run out.
  const auto stopped_at = std::chrono::steady_clock::now();
  EXPECT_EQ(leader.finish(), kExitStopped);
  ASSERT_TRUE(eventually([&] { return follower.app->is_serving(); }));
  EXPECT_LT(std::chrono::steady_clock::now() - stopped_at, 4s);
  EXPECT_EQ(lease_holder(**client), follower_name);
  EXPECT_EQ(follower.finish(), kExitStopped);
  EXPECT_EQ(lease_holder(**client), "");
}

TEST(OperatorApp, ALeaderWhoseLeaseIsTakenStopsWithLeadershipLost) {
  auto api = testing::FakeKubeApi::start();
  auto client = kube::Client::create(api->config());
  ASSERT_TRUE(client);
  Replica solo(*api, test_config("solo"));
  ASSERT_TRUE(eventually([&] { return solo.app->is_serving(); }));

  // Another holder takes the Lease (as after a partition): "solo" can no
  // longer renew, and must stop rather than reconcile beside it.
  const auto ref = kLeases.in("zastava-system").named("zastava-operator");
  auto lease = (*client)->get(ref);
  ASSERT_TRUE(lease);
  (*lease)["spec"]["holderIdentity"] = "intruder";
  (*lease)["spec"]["leaseDurationSeconds"] = 3600;
  ASSERT_TRUE((*client)->update(ref, *lease));

  ASSERT_TRUE(eventually([&] { return solo.exit_code.load() != -1; }));
  solo.thread.join();
  EXPECT_EQ(solo.exit_code.load(), kExitLeadershipLost);
  EXPECT_FALSE(solo.app->is_leader());
  EXPECT_EQ(lease_holder(**client), "intruder");  // not released: it was not ours
}

TEST(OperatorApp, WithoutElectionItRunsAndTouchesNoLease) {
  auto api = testing::FakeKubeApi::start();
  auto client = kube::Client::create(api->config());
  ASSERT_TRUE(client);
  Replica solo(*api, test_config("solo", /*leader_elect=*/false));
  ASSERT_TRUE(eventually([&] { return solo.app->is_serving(); }));
  EXPECT_TRUE(eventually([&] {
    return (*client)->get(kConfigMaps.in("zastava-system").named("zastava-policy")).ok();
  }));
  EXPECT_EQ(lease_holder(**client), "<none>");
  EXPECT_EQ(solo.finish(), kExitStopped);
}

TEST(OperatorApp, TakenHealthPortFailsCreate) {
  auto api = testing::FakeKubeApi::start();
  OperatorConfig first_config = test_config("first");
  auto first = OperatorApp::create(first_config, api->config(), nullptr);
  ASSERT_TRUE(first);
  OperatorConfig clash = test_config("second");
  clash.health.port = (*first)->health_port();
  auto second = OperatorApp::create(clash, api->config(), nullptr);
  EXPECT_FALSE(second);
}

}  // namespace
}  // namespace zastava::operator_app
