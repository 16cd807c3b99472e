// WATCH against the API server double: the raw stream (events, bookmarks, an
// in-stream 410), and the Watcher's list → watch → relist-on-410 → reconnect
// loop, including the double being restarted under it.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kube/watcher.hpp"
#include "kube_test_support.hpp"

namespace zastava::kube {
namespace {

using nlohmann::json;
using testing::FakeKubeApi;
using namespace std::chrono_literals;

const ResourceRef kConfigMaps{"", "v1", "configmaps", "", ""};

json config_map(const std::string& name) {
  return {{"metadata", {{"name", name}}}, {"data", {{"k", "v"}}}};
}

class WatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_ = FakeKubeApi::start({.bookmark_interval_seconds = 0.2});
    auto client = Client::create(api_->config());
    ASSERT_TRUE(client.ok()) << client.error().describe();
    client_ = std::move(*client);
  }
  std::unique_ptr<FakeKubeApi> api_;
  std::unique_ptr<Client> client_;
};

TEST_F(WatchTest, StreamsEventsAndBookmarksFromAResourceVersion) {
  const auto collection = kConfigMaps.in("w");
  auto first = client_->create(collection, config_map("existing"));
  ASSERT_TRUE(first.ok());
  const std::string start = (*first)["metadata"]["resourceVersion"];

  std::mutex mutex;
  std::vector<std::pair<WatchEvent::Type, std::string>> seen;
  std::stop_source stop;
  std::thread watcher([&] {
    const Status result = client_->watch(
        collection, {.resource_version = start, .allow_bookmarks = true, .timeout_seconds = 60},
        [&](const WatchEvent& event) {
          const std::lock_guard lock(mutex);
          seen.emplace_back(event.type, event.object["metadata"].value("name", ""));
          return true;
        },
        stop.get_token());
    EXPECT_TRUE(result.ok()) << result.error().describe();
  });
  ASSERT_TRUE(client_->create(collection, config_map("a")).ok());
  ASSERT_TRUE(client_->merge_patch(collection.named("a"), {{"data", {{"k", "2"}}}}).ok());
  ASSERT_TRUE(client_->remove(collection.named("a")).ok());
  const auto count = [&](WatchEvent::Type type) {
    const std::lock_guard lock(mutex);
    return std::count_if(seen.begin(), seen.end(), [&](const auto& e) { return e.first == type; });
  };
  EXPECT_TRUE(eventually([&] { return count(WatchEvent::Type::kDeleted) == 1; }));
  EXPECT_TRUE(eventually([&] { return count(WatchEvent::Type::kBookmark) >= 1; }));
  stop.request_stop();  // ends the blocked read promptly
  watcher.join();
  const std::lock_guard lock(mutex);
  // "existing" predates the resourceVersion: not replayed.
  std::vector<std::pair<WatchEvent::Type, std::string>> objects;
  for (const auto& event : seen) {
    if (event.first != WatchEvent::Type::kBookmark) objects.push_back(event);
  }
  ASSERT_EQ(objects.size(), 3u);
  EXPECT_EQ(objects[0], std::make_pair(WatchEvent::Type::kAdded, std::string("a")));
  EXPECT_EQ(objects[1], std::make_pair(WatchEvent::Type::kModified, std::string("a")));
  EXPECT_EQ(objects[2], std::make_pair(WatchEvent::Type::kDeleted, std::string("a")));
}

TEST_F(WatchTest, ATooOldResourceVersionEndsTheWatchWithGone) {
  const auto collection = kConfigMaps.in("w");
  auto first = client_->create(collection, config_map("a"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(client_->create(collection, config_map("b")).ok());
  api_->test_call("POST", "/_test/compact");  // forgets the history after "a"
  const Status result =
      client_->watch(collection, {.resource_version = (*first)["metadata"]["resourceVersion"]},
                     [](const WatchEvent&) { return true; });
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(is_gone(result.error())) << result.error().message;
}

class Collected {
 public:
  void apply(const WatcherEvent& event) {
    const std::lock_guard lock(mutex_);
    switch (event.type) {
      case WatcherEvent::Type::kRestarted:
        ++restarts_;
        names_.clear();
        for (const auto& object : event.objects) names_.insert(object["metadata"]["name"]);
        break;
      case WatcherEvent::Type::kApplied:
        names_.insert(event.objects.at(0)["metadata"]["name"]);
        break;
      case WatcherEvent::Type::kDeleted:
        names_.erase(event.objects.at(0)["metadata"]["name"]);
        break;
    }
  }
  std::set<std::string> names() const {
    const std::lock_guard lock(mutex_);
    return names_;
  }
  int restarts() const {
    const std::lock_guard lock(mutex_);
    return restarts_;
  }

 private:
  mutable std::mutex mutex_;
  std::set<std::string> names_;
  int restarts_ = 0;
};

TEST_F(WatchTest, WatcherListsWatchesAndRelistsAfterGone) {
  const auto collection = kConfigMaps.in("informer");
  for (const char* name : {"one", "two", "three"}) {
    ASSERT_TRUE(client_->create(collection, config_map(name)).ok());
  }
  Collected state;
  Watcher watcher(*client_, collection,
                  {.page_size = 2, .watch_timeout_seconds = 30, .initial_backoff = 50ms});
  std::jthread thread([&](std::stop_token stop) {
    watcher.run(stop, [&](WatcherEvent& event) { state.apply(event); });
  });
  ASSERT_TRUE(eventually([&] { return state.names().size() == 3; }));
  EXPECT_EQ(state.restarts(), 1);

  ASSERT_TRUE(client_->create(collection, config_map("four")).ok());
  ASSERT_TRUE(client_->remove(collection.named("one")).ok());
  ASSERT_TRUE(eventually([&] {
    return state.names() == std::set<std::string>{"two", "three", "four"};
  }));

  // History compacted under a live watch: the next change ends it with 410
  // in-stream; the watcher lists again and carries on.
  api_->test_call("POST", "/_test/compact");
  ASSERT_TRUE(client_->create(collection, config_map("five")).ok());
  ASSERT_TRUE(
      eventually([&] { return state.restarts() >= 2 && state.names().count("five") == 1; }));
  ASSERT_TRUE(client_->create(collection, config_map("six")).ok());
  ASSERT_TRUE(eventually([&] { return state.names().count("six") == 1; }));
  EXPECT_TRUE(eventually([&] { return watcher.stats().bookmarks >= 1; }));
  thread.request_stop();
  thread.join();
  EXPECT_GE(watcher.stats().gone, 1u);
}

TEST_F(WatchTest, WatcherReconnectsAfterTheServerRestarts) {
  const auto collection = kConfigMaps.in("restart");
  ASSERT_TRUE(client_->create(collection, config_map("before")).ok());
  Collected state;
  Watcher watcher(*client_, collection,
                  {.watch_timeout_seconds = 30, .initial_backoff = 50ms, .max_backoff = 500ms});
  std::jthread thread([&](std::stop_token stop) {
    watcher.run(stop, [&](WatcherEvent& event) { state.apply(event); });
  });
  ASSERT_TRUE(eventually([&] { return state.names().count("before") == 1; }));

  api_->start_again();  // same port, empty store, resourceVersions start over
  ASSERT_TRUE(client_->create(collection, config_map("after")).ok());
  ASSERT_TRUE(eventually([&] {
    return state.names() == std::set<std::string>{"after"};  // "before" went with the old server
  }));
  thread.request_stop();
  thread.join();
  EXPECT_GE(watcher.stats().lists, 2u);
}

TEST_F(WatchTest, StopEndsAQuietWatchPromptly) {
  std::stop_source stop;
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    (void)client_->watch(
        kConfigMaps.in("quiet"), {.allow_bookmarks = false, .timeout_seconds = 600},
        [](const WatchEvent&) { return true; }, stop.get_token());
    done = true;
  });
  std::this_thread::sleep_for(200ms);
  const auto asked = std::chrono::steady_clock::now();
  stop.request_stop();
  watcher.join();
  EXPECT_TRUE(done);
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 2s);
}

}  // namespace
}  // namespace zastava::kube
