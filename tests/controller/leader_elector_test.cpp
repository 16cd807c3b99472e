// LeaderElector against the API server double, with short timings (lease
// 1.5 s, renew deadline 1 s, retry 200 ms): one leader at a time, a graceful
// hand-over on stop, and a failover when the leader can no longer renew.

#include "controller/leader_elector.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "kube_test_support.hpp"

namespace zastava::controller {
namespace {

using kube::eventually;
using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const kube::ResourceRef kLeases{"coordination.k8s.io", "v1", "leases", "", ""};
constexpr const char* kNamespace = "zastava-system";
constexpr const char* kLeaseName = "zastava-operator";

LeaderElectionOptions fast_options(const std::string& identity) {
  return {.lease_namespace = kNamespace,
          .lease_name = kLeaseName,
          .identity = identity,
          .lease_duration = 1500ms,
          .renew_deadline = 1000ms,
          .retry_period = 200ms};
}

// One replica: an elector campaigning on its own thread, remembering what
// its callbacks saw.
class Replica {
 public:
  Replica(kube::Client& client, const std::string& identity)
      : elector_(client, fast_options(identity)) {}
  ~Replica() { stop(); }

  void start() {
    thread_ = std::jthread([this](std::stop_token stop) {
      elector_.run(stop, {.on_started_leading =
                              [this](std::stop_token lost) {
                                ++started_;
                                std::mutex mutex;
                                std::condition_variable_any wake;
                                std::unique_lock lock(mutex);
                                wake.wait(lock, lost, [] { return false; });
                                lost_at_ = Clock::now();
                                ++lost_;
                              },
                          .on_stopped_leading = [this] { ++stopped_; },
                          .on_new_leader =
                              [this](const std::string& identity) {
                                const std::lock_guard lock(mutex_);
                                leaders_seen_.push_back(identity);
                              }});
    });
  }
  void stop() {
    if (!thread_.joinable()) return;
    thread_.request_stop();
    thread_.join();
  }

  [[nodiscard]] bool leading() const { return elector_.is_leader(); }
  [[nodiscard]] const LeaderElector& elector() const { return elector_; }
  [[nodiscard]] int started() const { return started_.load(); }
  [[nodiscard]] int lost() const { return lost_.load(); }
  [[nodiscard]] int stopped() const { return stopped_.load(); }
  [[nodiscard]] Clock::time_point lost_at() const { return lost_at_.load(); }
  [[nodiscard]] std::vector<std::string> leaders_seen() const {
    const std::lock_guard lock(mutex_);
    return leaders_seen_;
  }

 private:
  LeaderElector elector_;
  std::atomic<int> started_{0};
  std::atomic<int> lost_{0};
  std::atomic<int> stopped_{0};
  std::atomic<Clock::time_point> lost_at_{};
  mutable std::mutex mutex_;
  std::vector<std::string> leaders_seen_;
  std::jthread thread_;
};

class LeaderElectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_ = testing::FakeKubeApi::start();
    client_a_ = make_client("token-a");
    client_b_ = make_client("token-b");
    auto reader = kube::Client::create(api_->config());
    ASSERT_TRUE(reader.ok()) << reader.error().describe();
    reader_ = std::move(*reader);
  }

  // A client with its own token file, so one replica can be locked out.
  std::unique_ptr<kube::Client> make_client(const std::string& file) {
    kube::ClusterConfig config = api_->config();
    config.token_file = (api_->dir() / file).string();
    testing::write_text(config.token_file, "token-one");
    auto client = kube::Client::create(config);
    EXPECT_TRUE(client.ok()) << client.error().describe();
    return client.ok() ? std::move(*client) : nullptr;
  }

  LeaseRecord lease() {
    auto lease = reader_->get(kLeases.in(kNamespace).named(kLeaseName));
    return lease ? lease_record_from(*lease) : LeaseRecord{};
  }

  std::unique_ptr<testing::FakeKubeApi> api_;
  std::unique_ptr<kube::Client> client_a_;
  std::unique_ptr<kube::Client> client_b_;
  std::unique_ptr<kube::Client> reader_;
};

TEST(LeaseRecordTest, ReadsAndWritesTheSpec) {
  const LeaseRecord record{.holder_identity = "pod-a",
                           .lease_duration_seconds = 15,
                           .acquire_time = "2026-11-22T16:59:07.123456Z",
                           .renew_time = "2026-11-22T17:00:07.000001Z",
                           .lease_transitions = 3};
  const json spec = lease_spec_json(record);
  EXPECT_EQ(spec["holderIdentity"], "pod-a");
  EXPECT_EQ(spec["leaseDurationSeconds"], 15);
  EXPECT_EQ(spec["renewTime"], "2026-11-22T17:00:07.000001Z");
  const LeaseRecord back = lease_record_from({{"spec", spec}});
  EXPECT_EQ(back.holder_identity, "pod-a");
  EXPECT_EQ(back.lease_duration_seconds, 15);
  EXPECT_EQ(back.acquire_time, record.acquire_time);
  EXPECT_EQ(back.renew_time, record.renew_time);
  EXPECT_EQ(back.lease_transitions, 3);
}

TEST(LeaseRecordTest, MissingFieldsStayEmpty) {
  const LeaseRecord none = lease_record_from(json::object());
  EXPECT_EQ(none.holder_identity, "");
  EXPECT_EQ(none.lease_duration_seconds, 0);
  const LeaseRecord partial =
      lease_record_from({{"spec", {{"holderIdentity", nullptr}, {"leaseTransitions", 2}}}});
  EXPECT_EQ(partial.holder_identity, "");
  EXPECT_EQ(partial.lease_transitions, 2);
  EXPECT_EQ(partial.renew_time, "");
  EXPECT_FALSE(lease_spec_json({}).contains("renewTime"));  // MicroTime omitted when unset
}

TEST_F(LeaderElectorTest, ExactlyOneOfTwoLeadsAndTheLeaseNamesIt) {
  Replica a(*client_a_, "replica-a");
  Replica b(*client_b_, "replica-b");
  a.start();
  b.start();
  ASSERT_TRUE(eventually([&] { return a.leading() || b.leading(); }));
  const auto until = Clock::now() + 3s;  // two lease durations
  int samples = 0;
  while (Clock::now() < until) {
    const bool both = a.leading() && b.leading();
    ASSERT_FALSE(both) << "two leaders at once";
    ++samples;
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_GT(samples, 50);
  ASSERT_TRUE(a.leading() != b.leading());
  Replica& leader = a.leading() ? a : b;
  Replica& follower = a.leading() ? b : a;
  const std::string leader_id = a.leading() ? "replica-a" : "replica-b";
  const LeaseRecord record = lease();
  EXPECT_EQ(record.holder_identity, leader_id);
  EXPECT_EQ(record.lease_duration_seconds, 2);  // 1.5 s, rounded up
  EXPECT_EQ(record.lease_transitions, 0);       // created by the leader
  // MicroTime: RFC 3339 with six fractional digits and Z.
  ASSERT_EQ(record.renew_time.size(), 27u) << record.renew_time;
  EXPECT_EQ(record.renew_time[19], '.');
  EXPECT_EQ(record.renew_time.back(), 'Z');
  EXPECT_EQ(leader.started(), 1);
  EXPECT_EQ(follower.started(), 0);
  EXPECT_EQ(follower.elector().observed_leader(), leader_id);
  EXPECT_EQ(follower.leaders_seen(), std::vector<std::string>{leader_id});
  EXPECT_EQ(leader.leaders_seen(), std::vector<std::string>{leader_id});
}

TEST_F(LeaderElectorTest, AGracefulStopHandsTheLeaseOverAtOnce) {
  Replica a(*client_a_, "replica-a");
  a.start();
  ASSERT_TRUE(eventually([&] { return a.leading(); }));
  Replica b(*client_b_, "replica-b");
  b.start();
  ASSERT_TRUE(eventually([&] { return b.elector().observed_leader() == "replica-a"; }));

  const auto stopped_at = Clock::now();
  a.stop();  // releases the lease
  EXPECT_FALSE(a.leading());
  EXPECT_EQ(a.lost(), 1);
  EXPECT_EQ(a.stopped(), 1);
  ASSERT_TRUE(eventually([&] { return b.leading(); }));
  const auto handover = Clock::now() - stopped_at;
  // Without the release b would wait out the whole lease (2 s) after a's last renewal.
  EXPECT_LT(handover, 1500ms)
      << std::chrono::duration_cast<std::chrono::milliseconds>(handover).count();
  const LeaseRecord record = lease();
  EXPECT_EQ(record.holder_identity, "replica-b");
  EXPECT_EQ(record.lease_transitions, 1);
}

TEST_F(LeaderElectorTest, AFollowerTakesOverWhenTheLeaderCannotRenew) {
  Replica a(*client_a_, "replica-a");
  a.start();
  ASSERT_TRUE(eventually([&] { return a.leading(); }));
  Replica b(*client_b_, "replica-b");
  b.start();
  ASSERT_TRUE(eventually([&] { return b.elector().observed_leader() == "replica-a"; }));
  const std::int64_t transitions = lease().lease_transitions;

  // The server's token rotates; only b's token file follows: a gets 401s.
  api_->set_server_token("token-two");
  testing::write_text(api_->dir() / "token-b", "token-two");
  testing::write_text(api_->client_token_file(), "token-two");  // the test's reader
  ASSERT_TRUE(eventually([&] { return b.leading(); }));
  const auto b_leads_at = Clock::now();
  ASSERT_TRUE(eventually([&] { return a.lost() == 1; }));
  EXPECT_FALSE(a.leading());
  EXPECT_EQ(a.stopped(), 1);
  // a stopped leading (renew deadline, 1 s) before b could take the lease (2 s).
  EXPECT_LT(a.lost_at(), b_leads_at);
  const LeaseRecord record = lease();
  EXPECT_EQ(record.holder_identity, "replica-b");
  EXPECT_EQ(record.lease_transitions, transitions + 1);
  EXPECT_EQ(b.leaders_seen(), (std::vector<std::string>{"replica-a", "replica-b"}));
}

TEST_F(LeaderElectorTest, ALeaderKeepsTheLeaseAcrossRenewals) {
  Replica a(*client_a_, "replica-a");
  a.start();
  ASSERT_TRUE(eventually([&] { return a.leading(); }));
  const LeaseRecord first = lease();
  ASSERT_TRUE(eventually([&] { return lease().renew_time != first.renew_time; }));
  const LeaseRecord later = lease();
  EXPECT_EQ(later.holder_identity, "replica-a");
  EXPECT_EQ(later.acquire_time, first.acquire_time);  // renewing keeps acquireTime
  EXPECT_EQ(later.lease_transitions, first.lease_transitions);
  EXPECT_TRUE(a.leading());
  EXPECT_EQ(a.lost(), 0);
}

}  // namespace
}  // namespace zastava::controller
