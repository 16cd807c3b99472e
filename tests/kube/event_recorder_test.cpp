// EventRecorder: asynchronous writes to the API server double, aggregation
// into one Event with a series count, the token-bucket rate limit, the
// bounded queue (with a sink the test holds), and the flush at shutdown.

#include "kube/event_recorder.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "kube_test_support.hpp"

namespace zastava::kube {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

EventSpec denial(const std::string& pod, const std::string& note = "image has no seal") {
  return {.regarding = {.api_version = "v1", .kind = "Pod", .namespace_ = "team-a", .name = pod},
          .type = "Warning",
          .reason = "SealMissing",
          .action = "Admit",
          .note = note};
}

class EventRecorderTest : public SharedFakeKubeApiTest {
 protected:
  static json events() { return api_->test_call("GET", "/_test/events")["items"]; }
};

TEST_F(EventRecorderTest, WritesAnEventsV1EventAsynchronously) {
  EventRecorder recorder(std::make_unique<ClientEventSink>(client_),
                         {.reporting_instance = "zastava-webhook-0"});
  EXPECT_TRUE(recorder.record(denial("web-0")));
  ASSERT_TRUE(eventually([&] { return events().size() == 1; }));
  const json event = events()[0];
  EXPECT_EQ(event["apiVersion"], "events.k8s.io/v1");
  EXPECT_EQ(event["metadata"]["namespace"], "team-a");
  EXPECT_EQ(event["reason"], "SealMissing");
  EXPECT_EQ(event["type"], "Warning");
  EXPECT_EQ(event["note"], "image has no seal");
  EXPECT_EQ(event["regarding"]["kind"], "Pod");
  EXPECT_EQ(event["regarding"]["name"], "web-0");
  EXPECT_EQ(event["reportingController"], "zastava.stellaops.io/webhook");
  EXPECT_EQ(event["reportingInstance"], "zastava-webhook-0");
  EXPECT_FALSE(event.contains("series"));
  EXPECT_EQ(event["eventTime"].get<std::string>().size(), 27u);  // 2026-11-22T16:59:07.123456Z
}

TEST_F(EventRecorderTest, TwoIdenticalEventsBecomeOneWithCountTwo) {
  EventRecorder recorder(std::make_unique<ClientEventSink>(client_), {});
  ASSERT_TRUE(recorder.record(denial("web-0")));
  ASSERT_TRUE(recorder.wait_idle(20s));
  ASSERT_TRUE(recorder.record(denial("web-0")));
  ASSERT_TRUE(recorder.wait_idle(20s));
  ASSERT_TRUE(recorder.record(denial("web-0", "another reason text")));  // not identical
  ASSERT_TRUE(recorder.wait_idle(20s));
  const json items = events();
  ASSERT_EQ(items.size(), 2u);
  int with_series = 0;
  for (const auto& event : items) {
    if (event.contains("series")) {
      ++with_series;
      EXPECT_EQ(event["series"]["count"], 2);
      EXPECT_EQ(event["note"], "image has no seal");
      EXPECT_FALSE(event["series"].value("lastObservedTime", "").empty());
    }
  }
  EXPECT_EQ(with_series, 1);
  const auto stats = recorder.stats();
  EXPECT_EQ(stats.created, 2u);
  EXPECT_EQ(stats.patched, 1u);
}

// What a HeldSink saw; outlives the recorder (which owns the sink).
class SinkState {
 public:
  void entered_create() {
    std::unique_lock lock(mutex_);
    ++entered_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return released_; });
  }
  void wrote(std::string name) {
    const std::lock_guard lock(mutex_);
    names_.push_back(std::move(name));
  }
  void wait_entered(int count) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return entered_ >= count; });
  }
  void release() {
    const std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  int written() {
    const std::lock_guard lock(mutex_);
    return static_cast<int>(names_.size());
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int entered_ = 0;
  bool released_ = false;
  std::vector<std::string> names_;
};

// A sink whose create() blocks until the test releases it.
class HeldSink final : public EventSink {
 public:
  explicit HeldSink(std::shared_ptr<SinkState> state) : state_(std::move(state)) {}
  Result<json> create(const std::string&, const json& event) override {
    state_->entered_create();
    state_->wrote(event["metadata"]["name"]);
    return event;
  }
  Result<json> patch(const std::string&, const std::string&, const json& patch) override {
    return patch;
  }

 private:
  std::shared_ptr<SinkState> state_;
};

TEST(EventRecorderQueue, AFullQueueDropsAndCountsWithoutBlocking) {
  auto held = std::make_shared<SinkState>();
  auto sink = std::make_unique<HeldSink>(held);
  {
    EventRecorder recorder(std::move(sink), {.queue_capacity = 3, .flush_deadline = 5s});
    ASSERT_TRUE(recorder.record(denial("pod-0")));
    held->wait_entered(1);  // the worker is stuck writing pod-0
    const auto started = std::chrono::steady_clock::now();
    int accepted = 0;
    for (int i = 1; i <= 10; ++i)
      accepted += recorder.record(denial("pod-" + std::to_string(i))) ? 1 : 0;
    // Identical to a queued one: merged, no slot taken.
    EXPECT_TRUE(recorder.record(denial("pod-1")));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);  // never waited on the sink
    EXPECT_EQ(accepted, 3);
    const auto stats = recorder.stats();
    EXPECT_EQ(stats.dropped, 7u);
    EXPECT_EQ(stats.merged, 1u);
    held->release();
  }  // the destructor flushes the 3 queued events
  EXPECT_EQ(held->written(), 4);
}

TEST(EventRecorderQueue, ShutdownFlushesUntilTheDeadlineThenDrops) {
  auto held = std::make_shared<SinkState>();
  auto sink = std::make_unique<HeldSink>(held);
  held->release();
  const auto started = std::chrono::steady_clock::now();
  {
    // One write a minute after a burst of 2: the rest cannot be written in time.
    EventRecorder recorder(std::move(sink), {.qps = 1.0 / 60, .burst = 2, .flush_deadline = 300ms});
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(recorder.record(denial("pod-" + std::to_string(i))));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  EXPECT_EQ(held->written(), 2);
}

TEST_F(EventRecorderTest, RateLimitSpreadsWritesOverTime) {
  EventRecorder recorder(std::make_unique<ClientEventSink>(client_), {.qps = 4, .burst = 2});
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(recorder.record(denial("pod-" + std::to_string(i))));
  ASSERT_TRUE(recorder.wait_idle(30s));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  // 2 at once, then 4 more at 4 per second: at least 1 s.
  EXPECT_GE(elapsed, 900ms);
  EXPECT_EQ(events().size(), 6u);
  EXPECT_EQ(recorder.stats().created, 6u);
}

TEST_F(EventRecorderTest, AggregatesABurstQueuedBehindTheRateLimit) {
  EventRecorder recorder(std::make_unique<ClientEventSink>(client_), {.qps = 2, .burst = 1});
  ASSERT_TRUE(recorder.record(denial("blocker")));
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(recorder.record(denial("storm")));
  ASSERT_TRUE(recorder.wait_idle(30s));
  int storm_count = 0;
  for (const auto& event : events()) {
    if (event["regarding"]["name"] == "storm") {
      storm_count += event.contains("series") ? event["series"]["count"].get<int>() : 1;
    }
  }
  EXPECT_EQ(storm_count, 50);
  EXPECT_LE(recorder.stats().created + recorder.stats().patched, 3u);
}

}  // namespace
}  // namespace zastava::kube
