// Informer against the API server double: the first list fills the cache,
// watch events keep it current, and a relist (after 410 Gone or a server
// restart) reports what changed meanwhile, deletions included.

#include "controller/informer.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "kube_test_support.hpp"

namespace zastava::controller {
namespace {

using kube::eventually;
using nlohmann::json;
using namespace std::chrono_literals;

const kube::ResourceRef kConfigMaps{"", "v1", "configmaps", "", ""};
const kube::WatcherOptions kFast{
    .watch_timeout_seconds = 30, .initial_backoff = 50ms, .max_backoff = 500ms};

json config_map(const std::string& name, const std::string& value = "v") {
  return {{"metadata", {{"name", name}}}, {"data", {{"k", value}}}};
}

// Every change the handlers heard, as "ADDED ns/name" etc.
class Recorded {
 public:
  void add(const ObjectChange& change) {
    static constexpr const char* kNames[] = {"ADDED", "UPDATED", "DELETED"};
    const std::lock_guard lock(mutex_);
    changes_.push_back(std::string(kNames[static_cast<int>(change.type)]) + " " + change.key);
    last_ = change;
  }
  std::vector<std::string> changes() const {
    const std::lock_guard lock(mutex_);
    return changes_;
  }
  bool saw(const std::string& change) const {
    const auto all = changes();
    return std::find(all.begin(), all.end(), change) != all.end();
  }
  ObjectChange last() const {
    const std::lock_guard lock(mutex_);
    return last_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> changes_;
  ObjectChange last_;
};

TEST(ObjectKeyTest, IsNamespaceSlashNameOrJustName) {
  EXPECT_EQ(object_key({{"metadata", {{"name", "a"}, {"namespace", "ns"}}}}), "ns/a");
  EXPECT_EQ(object_key({{"metadata", {{"name", "cluster-wide"}}}}), "cluster-wide");
  EXPECT_EQ(object_key(json::object()), "");
}

class InformerTest : public kube::SharedFakeKubeApiTest {};

TEST_F(InformerTest, SyncsExistingObjectsIntoTheCache) {
  const auto collection = kConfigMaps.in("sync");
  for (const char* name : {"b", "a", "c"}) {
    ASSERT_TRUE(client_->create(collection, config_map(name, name)).ok());
  }
  Informer informer(*client_, collection, kFast);
  Recorded recorded;
  informer.on_change([&](const ObjectChange& change) { recorded.add(change); });
  EXPECT_FALSE(informer.has_synced());
  informer.start();
  std::stop_source stop;
  ASSERT_TRUE(informer.wait_for_sync(stop.get_token()));
  EXPECT_TRUE(informer.has_synced());
  EXPECT_EQ(informer.size(), 3u);
  auto a = informer.get("sync/a");
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)["data"]["k"], "a");
  EXPECT_FALSE(informer.get("sync/missing"));
  std::vector<std::string> keys;
  for (const auto& object : informer.list()) keys.push_back(object_key(*object));
  EXPECT_EQ(keys, (std::vector<std::string>{"sync/a", "sync/b", "sync/c"}));
  // The sync includes handing the first list's adds to the handlers.
  EXPECT_EQ(recorded.changes(),
            (std::vector<std::string>{"ADDED sync/a", "ADDED sync/b", "ADDED sync/c"}));
  informer.stop();
  informer.stop();  // idempotent
}

TEST_F(InformerTest, CachesObjectsWithoutManagedFields) {
  const auto collection = kConfigMaps.in("managed");
  json listed = config_map("listed", "v");
  listed["metadata"]["managedFields"] = json::array({{{"manager", "kubectl"}}});
  ASSERT_TRUE(client_->create(collection, listed).ok());
  Informer informer(*client_, collection, kFast);
  informer.start();
  std::stop_source stop;
  ASSERT_TRUE(informer.wait_for_sync(stop.get_token()));
  json watched = config_map("watched", "v");
  watched["metadata"]["managedFields"] = json::array({{{"manager", "helm"}}});
  ASSERT_TRUE(client_->create(collection, watched).ok());
  ASSERT_TRUE(eventually([&] { return informer.get("managed/watched") != nullptr; }));
  // The server kept them; the cache (from the list and from the watch) did not.
  EXPECT_TRUE(client_->get(collection.named("listed"))->at("metadata").contains("managedFields"));
  for (const char* key : {"managed/listed", "managed/watched"}) {
    const auto cached = informer.get(key);
    ASSERT_TRUE(cached) << key;
    EXPECT_FALSE((*cached)["metadata"].contains("managedFields")) << key;
    EXPECT_EQ((*cached)["data"]["k"], "v") << key;
  }
}

// The cache keeps objects encoded: what get(), list(), for_each() and the
// handlers see must be exactly what the server sent, every JSON type and
// edge value included.
TEST_F(InformerTest, DecodesExactlyWhatTheServerSent) {
  const auto collection = kConfigMaps.in("exact");
  json object = config_map("every-type", "v");
  object["payload"] = {
      {"int", 42},
      {"negative", -7},
      {"big", 9'007'199'254'740'993LL},
      {"unsigned", 18'446'744'073'709'551'615ULL},
      {"fraction", 0.1},
      {"tiny", 5e-324},
      {"flags", {true, false, nullptr}},
      {"text", "zastava \u00e9\u4e2d \"quoted\"\n"},
      {"empty", {{"object", json::object()}, {"array", json::array()}, {"string", ""}}},
      {"nested", {{"a", {{"b", {{"c", {1, 2.5, "three"}}}}}}}}};
  Informer informer(*client_, collection, kFast);
  std::mutex seen_mutex;
  json handed_out;
  informer.on_change([&](const ObjectChange& change) {
    const std::lock_guard lock(seen_mutex);
    if (change.object) handed_out = *change.object;
  });
  informer.start();
  std::stop_source stop;
  ASSERT_TRUE(informer.wait_for_sync(stop.get_token()));
  ASSERT_TRUE(client_->create(collection, object).ok());
  ASSERT_TRUE(eventually([&] { return informer.get("exact/every-type") != nullptr; }));

  const auto served = client_->get(collection.named("every-type"));
  ASSERT_TRUE(served.ok());
  EXPECT_EQ((*served)["payload"], object["payload"]);
  EXPECT_EQ(*informer.get("exact/every-type"), *served);
  ASSERT_EQ(informer.list().size(), 1u);
  EXPECT_EQ(*informer.list().front(), *served);
  std::vector<json> visited;
  informer.for_each([&](const json& cached) { visited.push_back(cached); });
  EXPECT_EQ(visited, std::vector<json>{*served});
  const std::lock_guard lock(seen_mutex);
  EXPECT_EQ(handed_out, *served);
}

TEST_F(InformerTest, ForEachVisitsInKeyOrderAndMayReadTheInformer) {
  const auto collection = kConfigMaps.in("visit");
  for (const char* name : {"c", "a", "b"}) {
    ASSERT_TRUE(client_->create(collection, config_map(name, name)).ok());
  }
  Informer informer(*client_, collection, kFast);
  informer.start();
  std::stop_source stop;
  ASSERT_TRUE(informer.wait_for_sync(stop.get_token()));
  std::vector<std::string> visited;
  informer.for_each([&](const json& object) {
    // Reading the informer from inside the visit must not deadlock.
    const auto again = informer.get(object_key(object));
    ASSERT_TRUE(again);
    visited.push_back(object_key(object) + "=" + (*again)["data"]["k"].get<std::string>());
  });
  EXPECT_EQ(visited, (std::vector<std::string>{"visit/a=a", "visit/b=b", "visit/c=c"}));
}

TEST_F(InformerTest, WaitForSyncReturnsFalseWhenStopped) {
  Informer informer(*client_, kConfigMaps.in("never"), kFast);  // never started
  std::stop_source stop;
  stop.request_stop();
  EXPECT_FALSE(informer.wait_for_sync(stop.get_token()));
}

TEST_F(InformerTest, ReportsAddsUpdatesAndDeletes) {
  const auto collection = kConfigMaps.in("events");
  Informer informer(*client_, collection, kFast);
  Recorded recorded;
  std::mutex seen_mutex;
  bool cache_was_current = true;
  informer.on_change([&](const ObjectChange& change) {
    // The cache already holds the change when handlers hear of it (get()
    // decodes a fresh copy: equal content, not the same pointer).
    const ObjectPtr cached = informer.get(change.key);
    const bool current = change.type == ObjectChange::Type::kDeleted
                             ? cached == nullptr
                             : cached != nullptr && change.object && *cached == *change.object;
    {
      const std::lock_guard lock(seen_mutex);
      cache_was_current = cache_was_current && current;
    }
    recorded.add(change);
  });
  informer.start();
  std::stop_source stop;
  ASSERT_TRUE(informer.wait_for_sync(stop.get_token()));
  EXPECT_EQ(informer.size(), 0u);

  ASSERT_TRUE(client_->create(collection, config_map("x", "1")).ok());
  ASSERT_TRUE(eventually([&] { return recorded.saw("ADDED events/x"); }));
  ASSERT_TRUE(client_->merge_patch(collection.named("x"), {{"data", {{"k", "2"}}}}).ok());
  ASSERT_TRUE(eventually([&] { return recorded.saw("UPDATED events/x"); }));
  const ObjectChange update = recorded.last();
  ASSERT_TRUE(update.object && update.old_object);
  EXPECT_EQ((*update.object)["data"]["k"], "2");
  EXPECT_EQ((*update.old_object)["data"]["k"], "1");
  EXPECT_EQ((*informer.get("events/x"))["data"]["k"], "2");

  ASSERT_TRUE(client_->remove(collection.named("x")).ok());
  ASSERT_TRUE(eventually([&] { return recorded.saw("DELETED events/x"); }));
  EXPECT_EQ(informer.size(), 0u);
  const ObjectChange deletion = recorded.last();
  ASSERT_TRUE(deletion.object);
  EXPECT_EQ((*deletion.object)["metadata"]["name"], "x");
  EXPECT_FALSE(deletion.old_object);
  EXPECT_EQ(recorded.changes(),
            (std::vector<std::string>{"ADDED events/x", "UPDATED events/x", "DELETED events/x"}));
  const std::lock_guard lock(seen_mutex);
  EXPECT_TRUE(cache_was_current);
}

// The watch is down while objects change: the informer's own client is
// locked out (the server's token rotates, its token file does not) and the
// history is compacted under its live watch (410). Once its token works again
// it lists, and the relist must report what changed meanwhile.
TEST(InformerRelistTest, ARelistAfterGoneReportsWhatChangedMeanwhile) {
  auto api = testing::FakeKubeApi::start();
  auto test_client = kube::Client::create(api->config());
  ASSERT_TRUE(test_client.ok()) << test_client.error().describe();
  auto& client = **test_client;
  kube::ClusterConfig informer_config = api->config();
  informer_config.token_file = (api->dir() / "informer-token").string();
  testing::write_text(informer_config.token_file, "token-one");
  auto informer_client = kube::Client::create(informer_config);
  ASSERT_TRUE(informer_client.ok()) << informer_client.error().describe();

  const auto collection = kConfigMaps.in("gone");
  for (const char* name : {"keep", "drop", "change"}) {
    ASSERT_TRUE(client.create(collection, config_map(name)).ok());
  }
  Informer informer(**informer_client, collection, kFast);
  Recorded recorded;
  informer.on_change([&](const ObjectChange& change) { recorded.add(change); });
  informer.start();
  std::stop_source stop;
  ASSERT_TRUE(informer.wait_for_sync(stop.get_token()));
  ASSERT_TRUE(client.create(collection, config_map("probe")).ok());
  ASSERT_TRUE(eventually([&] { return recorded.saw("ADDED gone/probe"); }));  // the watch is live

  api->set_server_token("token-two");
  testing::write_text(api->client_token_file(), "token-two");  // the test's client only
  api->test_call("POST", "/_test/compact");                    // the live watch ends with 410
  ASSERT_TRUE(client.remove(collection.named("drop")).ok());
  ASSERT_TRUE(client.merge_patch(collection.named("change"), {{"data", {{"k", "2"}}}}).ok());
  ASSERT_TRUE(client.create(collection, config_map("new")).ok());
  ASSERT_TRUE(eventually([&] { return informer.watcher_stats().failures >= 1; }));  // 401s
  EXPECT_FALSE(recorded.saw("DELETED gone/drop"));

  testing::write_text(informer_config.token_file, "token-two");
  ASSERT_TRUE(eventually([&] {
    return recorded.saw("DELETED gone/drop") && recorded.saw("UPDATED gone/change") &&
           recorded.saw("ADDED gone/new");
  }));
  EXPECT_GE(informer.watcher_stats().gone, 1u);
  EXPECT_EQ(informer.size(), 4u);
  EXPECT_FALSE(informer.get("gone/drop"));
  EXPECT_EQ((*informer.get("gone/change"))["data"]["k"], "2");
  // Unchanged objects produced no event.
  EXPECT_FALSE(recorded.saw("UPDATED gone/keep"));
  EXPECT_FALSE(recorded.saw("UPDATED gone/probe"));
}

TEST(InformerRestartTest, AnEmptiedServerIsReportedAsDeletionsThenNewObjectsAppear) {
  auto api = testing::FakeKubeApi::start();
  auto created = kube::Client::create(api->config());
  ASSERT_TRUE(created.ok()) << created.error().describe();
  auto& client = **created;
  const auto collection = kConfigMaps.in("restart");
  ASSERT_TRUE(client.create(collection, config_map("before")).ok());
  Informer informer(client, collection, kFast);
  Recorded recorded;
  informer.on_change([&](const ObjectChange& change) { recorded.add(change); });
  informer.start();
  std::stop_source stop;
  ASSERT_TRUE(informer.wait_for_sync(stop.get_token()));
  ASSERT_TRUE(eventually([&] { return recorded.saw("ADDED restart/before"); }));

  api->stop();
  api->start_again();  // same port, empty store, resourceVersions start over
  ASSERT_TRUE(eventually([&] { return recorded.saw("DELETED restart/before"); }));
  ASSERT_TRUE(client.create(collection, config_map("after")).ok());
  ASSERT_TRUE(eventually([&] { return recorded.saw("ADDED restart/after"); }));
  EXPECT_EQ(informer.size(), 1u);
  EXPECT_TRUE(informer.get("restart/after"));
  EXPECT_FALSE(informer.get("restart/before"));
  EXPECT_GE(informer.watcher_stats().lists, 2u);
}

}  // namespace
}  // namespace zastava::controller
