#pragma once
// What the Kubernetes client tests share: polling for an asynchronous effect
// with a generous deadline, and a fixture that talks to one FakeKubeApi per
// test suite (starting the Python API server double is slow), reset to an
// empty cluster before each test, through a fresh Client.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "fake_kube_api.hpp"
#include "kube/client.hpp"

namespace zastava::kube {

// Polls condition until it holds or 20 s pass (generous for a loaded machine).
template <typename Condition>
bool eventually(Condition condition) {
  using namespace std::chrono_literals;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

class SharedFakeKubeApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { api_ = zastava::testing::FakeKubeApi::start(); }
  static void TearDownTestSuite() { api_.reset(); }
  void SetUp() override {
    api_->test_call("POST", "/_test/reset");
    auto client = Client::create(api_->config());
    ASSERT_TRUE(client.ok()) << client.error().describe();
    client_ = std::shared_ptr<Client>(std::move(*client));
  }

  inline static std::unique_ptr<zastava::testing::FakeKubeApi> api_;
  std::shared_ptr<Client> client_;
};

}  // namespace zastava::kube
