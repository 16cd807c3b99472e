// kube::Client against the Kubernetes API server double over TLS: every
// verb, pagination, Status errors, keep-alive, token rotation.

#include "kube/client.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "kube_test_support.hpp"

namespace zastava::kube {
namespace {

using nlohmann::json;

const ResourceRef kConfigMaps{"", "v1", "configmaps", "", ""};
const ResourceRef kPolicies{"zastava.stellaops.io", "v1alpha1", "facetpolicies", "", ""};

json config_map(const std::string& name, const std::string& value) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"labels", {{"app", "zastava"}}}}},
          {"data", {{"key", value}}}};
}

class ClientTest : public SharedFakeKubeApiTest {};

TEST(ResourceRefPaths, CoreAndGroupedNamespacedAndClusterScoped) {
  EXPECT_EQ(kConfigMaps.in("ns").named("a").path(), "/api/v1/namespaces/ns/configmaps/a");
  EXPECT_EQ(kPolicies.in("ns").path(),
            "/apis/zastava.stellaops.io/v1alpha1/namespaces/ns/facetpolicies");
  EXPECT_EQ(kPolicies.in("ns").named("p").path("status"),
            "/apis/zastava.stellaops.io/v1alpha1/namespaces/ns/facetpolicies/p/status");
  EXPECT_EQ((ResourceRef{"", "v1", "namespaces", "", "kube-system"}.path()),
            "/api/v1/namespaces/kube-system");
  EXPECT_EQ(list_query({.label_selector = "app=z,tier!=db", .limit = 2}),
            "labelSelector=app%3Dz%2Ctier%21%3Ddb&limit=2");
}

TEST(ApiErrors, CodeAndReasonSurviveContext) {
  const Error error =
      api_error(api_status_from_reply(409, R"({"kind":"Status","apiVersion":"v1","status":"Failure",
        "message":"configmaps \"a\" already exists","reason":"AlreadyExists","code":409})"),
                "POST /api/v1/namespaces/x/configmaps")
          .with_context("reconcile");
  EXPECT_TRUE(is_already_exists(error));
  EXPECT_FALSE(is_conflict(error));
  const auto status = api_status_of(error);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code, 409u);
  EXPECT_EQ(status->reason, "AlreadyExists");
  EXPECT_FALSE(api_status_of(make_error(ErrorCode::kIo, "socket closed")).has_value());
  EXPECT_EQ(api_error(api_status_from_reply(502, "<html>bad gateway</html>"), "GET /").code,
            ErrorCode::kIo);
}

TEST_F(ClientTest, CreateGetUpdateDelete) {
  const auto ns = kConfigMaps.in("team-a");
  auto created = client_->create(ns, config_map("a", "1"));
  ASSERT_TRUE(created.ok()) << created.error().describe();
  EXPECT_FALSE((*created)["metadata"].value("uid", "").empty());
  EXPECT_FALSE((*created)["metadata"].value("creationTimestamp", "").empty());
  const std::string rv = (*created)["metadata"]["resourceVersion"];

  auto again = client_->create(ns, config_map("a", "1"));
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(is_already_exists(again.error())) << again.error().message;

  auto fetched = client_->get(ns.named("a"));
  ASSERT_TRUE(fetched.ok());
  EXPECT_EQ((*fetched)["data"]["key"], "1");

  json changed = *fetched;
  changed["data"]["key"] = "2";
  auto updated = client_->update(ns.named("a"), changed);
  ASSERT_TRUE(updated.ok()) << updated.error().describe();
  EXPECT_NE((*updated)["metadata"]["resourceVersion"], rv);

  auto stale = client_->update(ns.named("a"), changed);  // still carries the old resourceVersion
  ASSERT_FALSE(stale.ok());
  EXPECT_TRUE(is_conflict(stale.error())) << stale.error().message;

  auto removed = client_->remove(ns.named("a"));
  ASSERT_TRUE(removed.ok()) << removed.error().describe();
  auto gone = client_->get(ns.named("a"));
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(is_not_found(gone.error()));
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  auto remove_again = client_->remove(ns.named("a"));
  EXPECT_TRUE(!remove_again.ok() && is_not_found(remove_again.error()));
}

TEST_F(ClientTest, MergePatchJsonPatchAndServerSideApply) {
  const auto ref = kConfigMaps.in("team-a").named("cfg");
  ASSERT_TRUE(client_->create(kConfigMaps.in("team-a"), config_map("cfg", "1")).ok());

  auto merged = client_->merge_patch(ref, {{"data", {{"extra", "x"}, {"key", nullptr}}}});
  ASSERT_TRUE(merged.ok()) << merged.error().describe();
  EXPECT_EQ((*merged)["data"], (json{{"extra", "x"}}));

  auto patched = client_->json_patch(
      ref, json::array({{{"op", "test"}, {"path", "/data/extra"}, {"value", "x"}},
                        {{"op", "replace"}, {"path", "/data/extra"}, {"value", "y"}}}));
  ASSERT_TRUE(patched.ok()) << patched.error().describe();
  EXPECT_EQ((*patched)["data"]["extra"], "y");
  auto failed_test = client_->json_patch(
      ref, json::array({{{"op", "test"}, {"path", "/data/extra"}, {"value", "nope"}}}));
  EXPECT_FALSE(failed_test.ok());

  // Apply creates what is absent and merges into what exists.
  const auto applied_ref = kConfigMaps.in("team-a").named("applied");
  auto applied = client_->apply(applied_ref, config_map("applied", "v1"),
                                {.field_manager = "zastava-operator", .force = true});
  ASSERT_TRUE(applied.ok()) << applied.error().describe();
  EXPECT_EQ((*applied)["data"]["key"], "v1");
  auto reapplied = client_->apply(applied_ref, config_map("applied", "v2"),
                                  {.field_manager = "zastava-operator", .force = true});
  ASSERT_TRUE(reapplied.ok());
  EXPECT_EQ((*reapplied)["data"]["key"], "v2");
  EXPECT_EQ((*reapplied)["metadata"]["uid"], (*applied)["metadata"]["uid"]);
  EXPECT_FALSE(client_->apply(applied_ref, config_map("applied", "v3"), {}).ok());
}

// The writes that do not parse the reply still report every failure.
TEST_F(ClientTest, WritesThatDiscardTheReplyStillReportFailures) {
  const auto ns = kConfigMaps.in("team-d");
  ASSERT_TRUE(client_->create_discarding_reply(ns, config_map("big", "1")).ok());
  auto fetched = client_->get(ns.named("big"));
  ASSERT_TRUE(fetched.ok());
  EXPECT_EQ((*fetched)["data"]["key"], "1");
  const Status again = client_->create_discarding_reply(ns, config_map("big", "1"));
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(is_already_exists(again.error())) << again.error().message;

  ASSERT_TRUE(
      client_->merge_patch_discarding_reply(ns.named("big"), {{"data", {{"key", "2"}}}}).ok());
  EXPECT_EQ((*client_->get(ns.named("big")))["data"]["key"], "2");
  const Status missing =
      client_->merge_patch_discarding_reply(ns.named("absent"), {{"data", {{"key", "2"}}}});
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(is_not_found(missing.error())) << missing.error().message;
}

TEST_F(ClientTest, StatusSubresourceIsKeptApartFromSpec) {
  const auto collection = kPolicies.in("team-a");
  json policy = {{"apiVersion", "zastava.stellaops.io/v1alpha1"},
                 {"kind", "FacetPolicy"},
                 {"metadata", {{"name", "p"}}},
                 {"spec", {{"mode", "Enforce"}}}};
  auto created = client_->create(collection, policy);
  ASSERT_TRUE(created.ok()) << created.error().describe();
  EXPECT_EQ((*created)["metadata"]["generation"], 1);

  json with_status = *created;
  with_status["status"] = {{"observedGeneration", 1}};
  with_status["spec"]["mode"] = "Audit";  // ignored on /status
  auto status_written = client_->update_status(collection.named("p"), with_status);
  ASSERT_TRUE(status_written.ok()) << status_written.error().describe();
  EXPECT_EQ((*status_written)["spec"]["mode"], "Enforce");
  EXPECT_EQ((*status_written)["status"]["observedGeneration"], 1);
  EXPECT_EQ((*status_written)["metadata"]["generation"], 1);

  json spec_change = *status_written;
  spec_change["spec"]["mode"] = "Warn";
  spec_change["status"] = {{"observedGeneration", 99}};  // ignored on the main resource
  auto updated = client_->update(collection.named("p"), spec_change);
  ASSERT_TRUE(updated.ok()) << updated.error().describe();
  EXPECT_EQ((*updated)["spec"]["mode"], "Warn");
  EXPECT_EQ((*updated)["status"]["observedGeneration"], 1);
  EXPECT_EQ((*updated)["metadata"]["generation"], 2);

  auto status_patch =
      client_->merge_patch(collection.named("p"), {{"status", {{"ready", true}}}}, "status");
  ASSERT_TRUE(status_patch.ok()) << status_patch.error().describe();
  EXPECT_EQ((*status_patch)["status"]["ready"], true);
}

TEST_F(ClientTest, ListPaginatesWithLimitAndContinue) {
  const auto collection = kConfigMaps.in("paged");
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(client_->create(collection, config_map("cm-" + std::to_string(i), "v")).ok());
  }
  ASSERT_TRUE(client_->create(kConfigMaps.in("other"), config_map("elsewhere", "v")).ok());

  auto page = client_->list(collection, {.limit = 3});
  ASSERT_TRUE(page.ok()) << page.error().describe();
  EXPECT_EQ((*page)["items"].size(), 3u);
  EXPECT_FALSE((*page)["metadata"].value("continue", "").empty());
  EXPECT_EQ((*page)["kind"], "ConfigMapList");

  auto all = client_->list_all(collection, {.limit = 3});
  ASSERT_TRUE(all.ok()) << all.error().describe();
  std::set<std::string> names;
  for (const auto& item : (*all)["items"]) names.insert(item["metadata"]["name"]);
  EXPECT_EQ(names.size(), 7u);
  EXPECT_FALSE((*all)["metadata"].contains("continue"));
  EXPECT_FALSE((*all)["metadata"].value("resourceVersion", "").empty());

  auto everywhere = client_->list_all(kConfigMaps, {.limit = 2});
  ASSERT_TRUE(everywhere.ok());
  EXPECT_EQ((*everywhere)["items"].size(), 8u);

  auto selected = client_->list(kConfigMaps, {.field_selector = "metadata.name=elsewhere"});
  ASSERT_TRUE(selected.ok());
  EXPECT_EQ((*selected)["items"].size(), 1u);
  auto labelled = client_->list(collection, {.label_selector = "app=zastava"});
  ASSERT_TRUE(labelled.ok());
  EXPECT_EQ((*labelled)["items"].size(), 7u);

  // A continue token older than the compacted history is 410 Gone.
  ASSERT_TRUE(client_->create(collection, config_map("late", "v")).ok());
  api_->test_call("POST", "/_test/compact");
  auto expired =
      client_->list(collection, {.limit = 3, .continue_token = (*page)["metadata"]["continue"]});
  ASSERT_FALSE(expired.ok());
  EXPECT_TRUE(is_gone(expired.error())) << expired.error().message;
}

TEST_F(ClientTest, KeepsConnectionsAlive) {
  const auto collection = kConfigMaps.in("alive");
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(client_->create(collection, config_map("cm-" + std::to_string(i), "v")).ok());
    ASSERT_TRUE(client_->get(collection.named("cm-" + std::to_string(i))).ok());
  }
  EXPECT_EQ(client_->connections_opened(), 1u);
}

TEST_F(ClientTest, RereadsARotatedTokenAfter401) {
  const auto collection = kConfigMaps.in("rotate");
  ASSERT_TRUE(client_->create(collection, config_map("before", "v")).ok());
  const json before = api_->test_call("GET", "/_test/stats");

  // The kubelet rotates the projected token: the server accepts only the new one.
  api_->set_server_token("token-two");
  testing::write_text(api_->client_token_file(), "token-two\n");
  auto after = client_->create(collection, config_map("after", "v"));
  ASSERT_TRUE(after.ok()) << after.error().describe();
  const json stats = api_->test_call("GET", "/_test/stats");
  EXPECT_EQ(stats["unauthorized"].get<int>() - before["unauthorized"].get<int>(), 1);

  // A token nobody accepts is a 401 the caller sees.
  api_->set_server_token("token-three");
  auto refused = client_->get(collection.named("after"));
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(is_unauthorized(refused.error())) << refused.error().message;
  EXPECT_EQ(refused.error().code, ErrorCode::kVerification);
  api_->set_server_token("token-one");
  testing::write_text(api_->client_token_file(), "token-one\n");
}

TEST_F(ClientTest, RefusesAServerItsCaDidNotSign) {
  ClusterConfig config = api_->config();
  config.ca_pem.clear();  // the system store knows nothing of the test CA
  auto client = Client::create(config);
  ASSERT_TRUE(client.ok());
  auto result = (*client)->get(kConfigMaps.in("x").named("y"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kIo);
  EXPECT_NE(result.error().message.find("handshake"), std::string::npos);

  config.insecure_skip_tls_verify = true;
  auto insecure = Client::create(config);
  ASSERT_TRUE(insecure.ok());
  auto allowed = (*insecure)->get(kConfigMaps.in("x").named("y"));
  ASSERT_FALSE(allowed.ok());
  EXPECT_TRUE(is_not_found(allowed.error()));  // it got through to the server
}

TEST_F(ClientTest, FinalizersDelayDeletion) {
  const auto ref = kPolicies.in("fin").named("p");
  json policy = {{"metadata", {{"name", "p"}, {"finalizers", {"zastava.stellaops.io/cleanup"}}}},
                 {"spec", {{"mode", "Enforce"}}}};
  ASSERT_TRUE(client_->create(kPolicies.in("fin"), policy).ok());
  auto deleting = client_->remove(ref);
  ASSERT_TRUE(deleting.ok());
  auto still = client_->get(ref);
  ASSERT_TRUE(still.ok());
  EXPECT_TRUE((*still)["metadata"].contains("deletionTimestamp"));
  auto released = client_->json_patch(
      ref, json::array({{{"op", "test"},
                         {"path", "/metadata/finalizers/0"},
                         {"value", "zastava.stellaops.io/cleanup"}},
                        {{"op", "remove"}, {"path", "/metadata/finalizers/0"}}}));
  ASSERT_TRUE(released.ok()) << released.error().describe();
  auto gone = client_->get(ref);
  EXPECT_TRUE(!gone.ok() && is_not_found(gone.error()));
}

}  // namespace
}  // namespace zastava::kube
