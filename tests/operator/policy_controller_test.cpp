// PolicyController against the API server double, with real informers and a
// work queue served by a worker thread: FacetPolicies and a ProvcachePolicy
// become the compiled-policy ConfigMap and their statuses and Events.
#include "policy_controller.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "base/base64.hpp"
#include "base/bytes.hpp"
#include "json/canonical_json.hpp"
#include "kube_test_support.hpp"
#include "policy/policy_document.hpp"
#include "reconcile/conditions.hpp"

namespace zastava::operator_app {
namespace {

using Json = nlohmann::json;
using kube::eventually;
using namespace std::chrono_literals;

constexpr const char* kOperatorNamespace = "zastava-system";
constexpr const char* kKey =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAzsPPQBBzixvdfskLYj3BiDPRZcZmfIG+9M6KHYBFvgo=\n"
    "-----END PUBLIC KEY-----\n";

const kube::ResourceRef kFacetPolicies{"zastava.stellaops.io", "v1alpha1", "facetpolicies"};
const kube::ResourceRef kProvcachePolicies{"zastava.stellaops.io", "v1alpha1", "provcachepolicies"};
const kube::ResourceRef kConfigMaps{"", "v1", "configmaps"};
const kube::ResourceRef kSecrets{"", "v1", "secrets"};
const kube::WatcherOptions kFast{
    .watch_timeout_seconds = 30, .initial_backoff = 50ms, .max_backoff = 500ms};

Json facet_policy(const std::string& ns, const std::string& name, Json spec) {
  return {{"apiVersion", "zastava.stellaops.io/v1alpha1"},
          {"kind", "FacetPolicy"},
          {"metadata", {{"namespace", ns}, {"name", name}}},
          {"spec", std::move(spec)}};
}

class PolicyControllerTest : public kube::SharedFakeKubeApiTest {
 protected:
  void SetUp() override {
    kube::SharedFakeKubeApiTest::SetUp();
    settings_.operator_namespace = kOperatorNamespace;
    facet_informer_ = std::make_unique<controller::Informer>(*client_, kFacetPolicies, kFast);
    provcache_informer_ =
        std::make_unique<controller::Informer>(*client_, kProvcachePolicies, kFast);
    kube::WatcherOptions config_map_options = kFast;
    config_map_options.field_selector = "metadata.name=" + settings_.config_map_name;
    config_map_informer_ = std::make_unique<controller::Informer>(
        *client_, kConfigMaps.in(kOperatorNamespace), config_map_options);
    events_ = std::make_unique<kube::EventRecorder>(
        std::make_unique<kube::ClientEventSink>(client_),
        kube::EventRecorderOptions{.reporting_controller = "zastava.stellaops.io/operator",
                                   .reporting_instance = "test"});
    controller_ = std::make_unique<PolicyController>(
        *client_, PolicyInformers{*facet_informer_, *provcache_informer_, *config_map_informer_},
        settings_, *events_);
    controller_->enqueue_changes_into(queue_);
    for (controller::Informer* informer :
         {facet_informer_.get(), provcache_informer_.get(), config_map_informer_.get()}) {
      informer->start();
      std::stop_source stop;
      ASSERT_TRUE(informer->wait_for_sync(stop.get_token()));
    }
    queue_.add(kCompileKey);
    worker_ = std::jthread([this](std::stop_token stop) {
      while (auto key = queue_.get(stop)) {
        if (Status done = controller_->reconcile(*key, queue_); done) {
          queue_.forget(*key);
        } else {
          std::fprintf(stderr, "reconcile %s: %s\n", key->c_str(), done.error().describe().c_str());
          queue_.add_rate_limited(*key);
        }
        queue_.done(*key);
      }
    });
  }

  void TearDown() override {
    queue_.shut_down();
    worker_ = {};
    for (controller::Informer* informer :
         {facet_informer_.get(), provcache_informer_.get(), config_map_informer_.get()}) {
      informer->stop();
    }
  }

  // The ConfigMap as the API server has it (null when absent).
  Json config_map() {
    auto got = client_->get(kConfigMaps.in(kOperatorNamespace).named(settings_.config_map_name));
    return got ? *got : Json();
  }

  // The compiled document in the ConfigMap (null when absent).
  Json document() {
    const Json map = config_map();
    if (!map.is_object() || !map.contains("data")) return nullptr;
    auto parsed = json::parse_strict(map["data"].value(settings_.config_map_key, ""));
    return parsed ? *parsed : Json();
  }

  std::vector<std::string> scope_names() {
    std::vector<std::string> names;
    const Json doc = document();
    if (!doc.is_object()) return {"<no document>"};
    for (const Json& scope : doc["scopes"]) names.push_back(scope["name"].get<std::string>());
    return names;
  }

  Json ready_condition(const kube::ResourceRef& collection, const std::string& ns,
                       const std::string& name) {
    auto got = client_->get(collection.in(ns).named(name));
    if (!got || !got->contains("status")) return nullptr;
    const Json conditions = (*got)["status"].value("conditions", Json::array());
    const Json* ready = reconcile::find_condition(conditions, "Ready");
    return ready != nullptr ? *ready : Json();
  }

  bool is_ready(const kube::ResourceRef& collection, const std::string& ns, const std::string& name,
                const std::string& status, std::int64_t generation) {
    const Json ready = ready_condition(collection, ns, name);
    return ready.is_object() && ready["status"] == status &&
           ready["observedGeneration"] == generation;
  }

  // The queue is empty, nothing is being reconciled, and the counters hold
  // still over a few polls (a status write looping into compiles would not).
  bool settled() {
    PolicyControllerStats before = controller_->stats();
    for (int i = 0; i < 5; ++i) {
      const controller::WorkQueueStats queue = queue_.stats();
      if (queue.depth != 0 || queue.processing != 0 || queue.delayed != 0) return false;
      std::this_thread::sleep_for(50ms);
      const PolicyControllerStats after = controller_->stats();
      if (after.compiles != before.compiles || after.status_writes != before.status_writes ||
          after.config_map_writes != before.config_map_writes) {
        return false;
      }
      before = after;
    }
    return true;
  }

  reconcile::OperatorSettings settings_;
  std::unique_ptr<controller::Informer> facet_informer_;
  std::unique_ptr<controller::Informer> provcache_informer_;
  std::unique_ptr<controller::Informer> config_map_informer_;
  std::unique_ptr<kube::EventRecorder> events_;
  controller::WorkQueue queue_;
  std::unique_ptr<PolicyController> controller_;
  std::jthread worker_;
};

TEST_F(PolicyControllerTest, ValidPoliciesCompileInvalidOnesAreLeftOutWithStatusAndEvents) {
  ASSERT_TRUE(client_
                  ->create(kFacetPolicies.in("team-a"),
                           facet_policy("team-a", "good",
                                        {{"images", {"registry.example.com/team-a/**"}},
                                         {"trustedKeys", {{{"pem", kKey}}}}}))
                  .ok());
  ASSERT_TRUE(client_
                  ->create(kFacetPolicies.in("team-b"),
                           facet_policy("team-b", "bad", {{"mode", "Sometimes"}}))
                  .ok());
  ASSERT_TRUE(client_
                  ->create(kFacetPolicies.in(kOperatorNamespace),
                           facet_policy(kOperatorNamespace, "cluster-wide", {{"mode", "Audit"}}))
                  .ok());
  ASSERT_TRUE(client_
                  ->create(kProvcachePolicies.in(kOperatorNamespace),
                           {{"apiVersion", "zastava.stellaops.io/v1alpha1"},
                            {"kind", "ProvcachePolicy"},
                            {"metadata", {{"namespace", kOperatorNamespace}, {"name", "cluster"}}},
                            {"spec", {{"minTrustScore", 70}}}})
                  .ok());

  const std::vector<std::string> expected = {"zastava-system/cluster-wide", "team-a/good"};
  ASSERT_TRUE(eventually([&] {
    const Json doc = document();
    return scope_names() == expected && doc.is_object() &&
           doc.value(Json::json_pointer("/defaults/provcache/minTrustScore"), 0) == 70;
  })) << document().dump();

  const Json map = config_map();
  EXPECT_EQ(map["metadata"]["labels"]["app.kubernetes.io/managed-by"], "zastava-operator");
  EXPECT_EQ(map["metadata"]["annotations"][std::string(kContentHashAnnotation)],
            document()["metadata"]["version"]);
  auto compiled = policy::compile_policy_text(map["data"]["policy.json"].get<std::string>());
  ASSERT_TRUE(compiled.ok()) << compiled.error().message;
  EXPECT_EQ(compiled->scopes.at(1).trusted_keys.size(), 1u);

  ASSERT_TRUE(eventually([&] { return is_ready(kFacetPolicies, "team-a", "good", "True", 1); }));
  ASSERT_TRUE(eventually([&] { return is_ready(kFacetPolicies, "team-b", "bad", "False", 1); }));
  ASSERT_TRUE(eventually(
      [&] { return is_ready(kProvcachePolicies, kOperatorNamespace, "cluster", "True", 1); }));
  const Json bad = ready_condition(kFacetPolicies, "team-b", "bad");
  EXPECT_EQ(bad["reason"], "InvalidSpec");
  EXPECT_EQ(bad["message"].get<std::string>().rfind("spec.mode: ", 0), 0u) << bad.dump();
  const Json good = *client_->get(kFacetPolicies.in("team-a").named("good"));
  EXPECT_EQ(good["status"]["compiledScope"], "team-a/good");
  EXPECT_EQ(good["status"]["facetCount"], 6);
  EXPECT_EQ(good["status"]["observedGeneration"], 1);
  EXPECT_EQ(good["spec"]["images"][0], "registry.example.com/team-a/**");  // spec untouched

  // Events on the policies, from the operator.
  ASSERT_TRUE(events_->wait_idle(20s));
  const auto has_event = [&](const std::string& name, const std::string& reason,
                             const std::string& type) {
    const Json events = api_->test_call("GET", "/_test/events");
    for (const Json& event : events["items"]) {
      if (event.value("reason", "") == reason && event.value("type", "") == type &&
          event["regarding"].value("name", "") == name &&
          event["regarding"].value("kind", "") == "FacetPolicy" &&
          event.value("reportingController", "") == "zastava.stellaops.io/operator") {
        return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(eventually([&] { return has_event("bad", "PolicyInvalid", "Warning"); }));
  EXPECT_TRUE(eventually([&] { return has_event("good", "PolicyCompiled", "Normal"); }));
}

TEST_F(PolicyControllerTest, RewritesTheConfigMapOnlyOnChangeAndStatusWritesDoNotLoop) {
  ASSERT_TRUE(
      client_
          ->create(kFacetPolicies.in("team-a"), facet_policy("team-a", "p", {{"mode", "Enforce"}}))
          .ok());
  ASSERT_TRUE(eventually([&] { return is_ready(kFacetPolicies, "team-a", "p", "True", 1); }));
  ASSERT_TRUE(eventually([&] { return settled(); }));
  const PolicyControllerStats converged = controller_->stats();
  // The empty document (unless the policy came first), then with the policy.
  EXPECT_GE(converged.config_map_writes, 1u);
  EXPECT_LE(converged.config_map_writes, 2u);
  // One status write; a second, identical one when a compile raced the
  // informer's view of the first (the server then changes nothing).
  EXPECT_GE(converged.status_writes, 1u);
  EXPECT_LE(converged.status_writes, 2u);
  EXPECT_LE(converged.compiles, 4u);
  const std::string version = config_map()["metadata"]["resourceVersion"];
  const std::string hash = controller_->current_content_hash();

  // A resync with nothing changed compiles but writes nothing.
  queue_.add(kCompileKey);
  ASSERT_TRUE(eventually([&] { return controller_->stats().compiles > converged.compiles; }));
  ASSERT_TRUE(eventually([&] { return settled(); }));
  EXPECT_EQ(config_map()["metadata"]["resourceVersion"], version);
  EXPECT_EQ(controller_->stats().config_map_writes, converged.config_map_writes);
  EXPECT_EQ(controller_->stats().status_writes, converged.status_writes);
  EXPECT_EQ(controller_->current_content_hash(), hash);

  // A spec change: one new document, one status write for the new generation.
  ASSERT_TRUE(
      client_->merge_patch(kFacetPolicies.in("team-a").named("p"), {{"spec", {{"mode", "Warn"}}}})
          .ok());
  ASSERT_TRUE(eventually([&] {
    const Json doc = document();
    return doc.is_object() && doc["scopes"].size() == 1 && doc["scopes"][0]["mode"] == "Warn";
  }));
  ASSERT_TRUE(eventually([&] { return is_ready(kFacetPolicies, "team-a", "p", "True", 2); }));
  ASSERT_TRUE(eventually([&] { return settled(); }));
  const PolicyControllerStats updated = controller_->stats();
  EXPECT_EQ(updated.config_map_writes, converged.config_map_writes + 1);
  EXPECT_GE(updated.status_writes, converged.status_writes + 1);
  EXPECT_LE(updated.status_writes, converged.status_writes + 2);
  EXPECT_LE(updated.compiles, converged.compiles + 4);
  EXPECT_NE(controller_->current_content_hash(), hash);

  // Deleted: its scope goes.
  ASSERT_TRUE(client_->remove(kFacetPolicies.in("team-a").named("p")).ok());
  ASSERT_TRUE(eventually([&] { return scope_names().empty(); })) << document().dump();
}

TEST_F(PolicyControllerTest, MissingSecretLeavesThePolicyOutUntilTheSecretExists) {
  ASSERT_TRUE(client_
                  ->create(kFacetPolicies.in("team-a"),
                           facet_policy("team-a", "keyed",
                                        {{"trustedKeys", {{{"secretRef", {{"name", "signer"}}}}}}}))
                  .ok());
  ASSERT_TRUE(eventually([&] { return is_ready(kFacetPolicies, "team-a", "keyed", "False", 1); }))
      << client_->get(kFacetPolicies.in("team-a").named("keyed"))->dump() << " stats "
      << controller_->stats().compiles << "/" << controller_->stats().status_writes;
  const Json ready = ready_condition(kFacetPolicies, "team-a", "keyed");
  EXPECT_EQ(ready["reason"], "SecretNotFound");
  EXPECT_NE(ready["message"].get<std::string>().find("team-a/signer"), std::string::npos);
  EXPECT_TRUE(scope_names().empty());

  ASSERT_TRUE(client_
                  ->create(kSecrets.in("team-a"),
                           {{"apiVersion", "v1"},
                            {"kind", "Secret"},
                            {"metadata", {{"name", "signer"}, {"namespace", "team-a"}}},
                            {"data", {{"public.pem", encoding::base64_encode(as_bytes(kKey))}}}})
                  .ok());
  queue_.add(kCompileKey);  // Secrets are read on resync, not watched
  ASSERT_TRUE(eventually([&] { return is_ready(kFacetPolicies, "team-a", "keyed", "True", 1); }));
  const Json doc = document();
  ASSERT_EQ(doc["scopes"].size(), 1u);
  EXPECT_EQ(doc["scopes"][0]["trustedKeys"], Json::array({kKey}));
}

TEST_F(PolicyControllerTest, ConfigMapDeletedBySomeoneElseIsWrittenAgain) {
  ASSERT_TRUE(
      client_->create(kFacetPolicies.in("team-a"), facet_policy("team-a", "p", Json::object()))
          .ok());
  ASSERT_TRUE(eventually([&] { return scope_names() == std::vector<std::string>{"team-a/p"}; }));
  ASSERT_TRUE(
      client_->remove(kConfigMaps.in(kOperatorNamespace).named(settings_.config_map_name)).ok());
  ASSERT_TRUE(eventually([&] { return scope_names() == std::vector<std::string>{"team-a/p"}; }));
  EXPECT_EQ(config_map()["metadata"]["annotations"][std::string(kContentHashAnnotation)],
            controller_->current_content_hash());
}

}  // namespace
}  // namespace zastava::operator_app
