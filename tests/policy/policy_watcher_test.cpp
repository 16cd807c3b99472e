#include "policy/policy_watcher.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include "policy_test_support.hpp"

namespace zastava::policy {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string policy_text(const std::string& version, const std::string& mode = "Enforce") {
  return std::string(testing::kHeader) + "  version: \"" + version +
         "\"\ndefaults:\n  mode: " + mode + "\n  requireSeal: false\n";
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// Replaces the file by rename, as editors and kubectl cp do.
void replace_file(const fs::path& path, const std::string& text) {
  const fs::path temp = path.string() + ".tmp";
  write_file(temp, text);
  fs::rename(temp, path);
}

// Polls `condition` until it holds or 20 s pass (a loaded machine is slow,
// a hung watcher is a failure).
bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

class PolicyWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("zastava-policy-watch-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  PolicyWatcher::Options options(const fs::path& path) {
    PolicyWatcher::Options o;
    o.path = path;
    o.poll_interval = 10ms;
    o.on_event = [this](const PolicyEvent& event) {
      const std::lock_guard lock(events_mutex_);
      events_.push_back(event.kind);
    };
    return o;
  }
  std::vector<PolicyEvent::Kind> events() {
    const std::lock_guard lock(events_mutex_);
    return events_;
  }

  static std::string version_of(const PolicyWatcher& watcher) {
    const auto policy = watcher.current();
    return policy ? policy->metadata.version : "<none>";
  }

  fs::path dir_;
  std::mutex events_mutex_;
  std::vector<PolicyEvent::Kind> events_;
};

TEST_F(PolicyWatcherTest, LoadsAtStartAndPicksUpChanges) {
  const fs::path path = dir_ / "policy.yaml";
  write_file(path, policy_text("v1"));
  PolicyWatcher watcher(options(path));
  ASSERT_NE(watcher.current(), nullptr);  // loaded synchronously
  EXPECT_EQ(version_of(watcher), "v1");
  const auto first = watcher.current();

  replace_file(path, policy_text("v2", "Warn"));
  ASSERT_TRUE(eventually([&] { return version_of(watcher) == "v2"; })) << version_of(watcher);
  EXPECT_EQ(watcher.current()->defaults.mode, Mode::kWarn);
  // Holders of the old policy keep a valid object.
  EXPECT_EQ(first->metadata.version, "v1");

  EXPECT_EQ(watcher.status().loads, 2u);
  EXPECT_EQ(events(), (std::vector<PolicyEvent::Kind>(2, PolicyEvent::Kind::kLoaded)));

  // An in-place rewrite (same inode) is seen too. The watcher may catch the
  // file half-written (and reject or load that), but it settles on the end state.
  write_file(path, policy_text("v3-longer", "Audit"));
  ASSERT_TRUE(eventually([&] {
    const auto policy = watcher.current();
    return policy->metadata.version == "v3-longer" && policy->defaults.mode == Mode::kAudit &&
           !watcher.status().error.has_value();
  }));
  EXPECT_GE(watcher.status().loads, 3u);
}

TEST_F(PolicyWatcherTest, ABadFileKeepsTheLastGoodPolicyAndSaysWhy) {
  const fs::path path = dir_ / "policy.yaml";
  write_file(path, policy_text("good"));
  PolicyWatcher watcher(options(path));
  ASSERT_EQ(version_of(watcher), "good");

  const auto before = std::chrono::system_clock::now();
  replace_file(path, policy_text("bad") + "  provcache: {minTrustScore: 150}\n");
  ASSERT_TRUE(eventually([&] { return watcher.status().error.has_value(); }));
  PolicyWatchStatus status = watcher.status();
  EXPECT_EQ(version_of(watcher), "good");
  EXPECT_EQ(status.policy->metadata.version, "good");
  EXPECT_NE(status.error->find(path.string() + ": defaults.provcache.minTrustScore"),
            std::string::npos)
      << *status.error;
  EXPECT_GE(status.error_at, before - 1s);
  EXPECT_EQ(status.rejected, 1u);

  // A YAML syntax error is the same.
  replace_file(path, "metadata: [unclosed\n");
  ASSERT_TRUE(eventually([&] { return watcher.status().rejected == 2; }));
  EXPECT_EQ(version_of(watcher), "good");

  // A deleted file too: the policy stays.
  fs::remove(path);
  ASSERT_TRUE(eventually([&] { return watcher.status().rejected == 3; }));
  EXPECT_NE(watcher.status().error->find("cannot read"), std::string::npos);
  EXPECT_EQ(version_of(watcher), "good");

  // A fixed file clears the error.
  replace_file(path, policy_text("fixed"));
  ASSERT_TRUE(eventually([&] { return version_of(watcher) == "fixed"; }));
  status = watcher.status();
  EXPECT_FALSE(status.error.has_value());
  EXPECT_EQ(status.loads, 2u);
  EXPECT_EQ(events(), (std::vector<PolicyEvent::Kind>{
                          PolicyEvent::Kind::kLoaded, PolicyEvent::Kind::kRejected,
                          PolicyEvent::Kind::kRejected, PolicyEvent::Kind::kRejected,
                          PolicyEvent::Kind::kLoaded}));
}

TEST_F(PolicyWatcherTest, NotReadyUntilAGoodFileAppears) {
  const fs::path path = dir_ / "policy.yaml";
  PolicyWatcher watcher(options(path));
  EXPECT_EQ(watcher.current(), nullptr);
  ASSERT_TRUE(watcher.status().error.has_value());
  EXPECT_EQ(watcher.status().policy, nullptr);
  replace_file(path, policy_text("late"));
  ASSERT_TRUE(eventually([&] { return version_of(watcher) == "late"; }));
}

// kubelet's atomic writer: files live in a timestamped directory, `..data`
// points at it, and the visible name points through `..data`. An update
// writes a new directory and renames a new `..data` link over the old one.
TEST_F(PolicyWatcherTest, FollowsAConfigMapSymlinkSwap) {
  const auto write_version = [&](const std::string& stamp, const std::string& version) {
    fs::create_directories(dir_ / stamp);
    write_file(dir_ / stamp / "policy.yaml", policy_text(version));
    fs::create_symlink(stamp, dir_ / "..data_tmp");
    fs::rename(dir_ / "..data_tmp", dir_ / "..data");
  };
  write_version("..2026_11_22_10_00_00.1", "cm-1");
  fs::create_symlink("..data/policy.yaml", dir_ / "policy.yaml");

  PolicyWatcher watcher(options(dir_ / "policy.yaml"));
  ASSERT_EQ(version_of(watcher), "cm-1");

  write_version("..2026_11_22_10_05_00.2", "cm-2");
  fs::remove_all(dir_ / "..2026_11_22_10_00_00.1");
  ASSERT_TRUE(eventually([&] { return version_of(watcher) == "cm-2"; })) << version_of(watcher);

  // A bad ConfigMap update keeps cm-2.
  fs::create_directories(dir_ / "..3");
  write_file(dir_ / "..3" / "policy.yaml", policy_text("cm-3") + "  mode: Strict\n");
  fs::create_symlink("..3", dir_ / "..data_tmp");
  fs::rename(dir_ / "..data_tmp", dir_ / "..data");
  ASSERT_TRUE(eventually([&] { return watcher.status().error.has_value(); }));
  EXPECT_EQ(version_of(watcher), "cm-2");
}

TEST_F(PolicyWatcherTest, TheSameBytesAreNotANewPolicy) {
  const fs::path path = dir_ / "policy.yaml";
  write_file(path, policy_text("same"));
  PolicyWatcher::Options o = options(path);
  o.poll_interval = std::chrono::hours(1);  // only check_now() checks
  PolicyWatcher watcher(std::move(o));
  const auto first = watcher.current();
  replace_file(path, policy_text("same"));  // new inode, same bytes
  watcher.check_now();
  EXPECT_EQ(watcher.current(), first);
  EXPECT_EQ(watcher.status().loads, 1u);
  replace_file(path, policy_text("other"));
  watcher.check_now();
  EXPECT_EQ(version_of(watcher), "other");
}

TEST_F(PolicyWatcherTest, ReadersNeverSeeANullPolicyDuringSwaps) {
  const fs::path path = dir_ / "policy.yaml";
  write_file(path, policy_text("r0"));
  PolicyWatcher watcher(options(path));
  std::atomic<bool> stop{false};
  std::atomic<long> reads{0};
  std::atomic<bool> saw_null{false};
  std::thread reader([&] {
    while (!stop.load()) {
      const auto policy = watcher.current();
      if (!policy || policy->metadata.name != "test") saw_null = true;
      ++reads;
    }
  });
  for (int i = 1; i <= 5; ++i) {
    const std::string version = "r" + std::to_string(i);
    replace_file(path, policy_text(version));
    ASSERT_TRUE(eventually([&] { return version_of(watcher) == version; }));
  }
  stop = true;
  reader.join();
  EXPECT_FALSE(saw_null.load());
  EXPECT_GT(reads.load(), 0);
}

TEST_F(PolicyWatcherTest, StopsPromptlyWhenDestroyed) {
  const fs::path path = dir_ / "policy.yaml";
  write_file(path, policy_text("x"));
  PolicyWatcher::Options o = options(path);
  o.poll_interval = std::chrono::hours(1);
  const auto start = std::chrono::steady_clock::now();
  { PolicyWatcher watcher(std::move(o)); }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

}  // namespace
}  // namespace zastava::policy
