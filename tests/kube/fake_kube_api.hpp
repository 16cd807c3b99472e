#pragma once
// Runs e2e/fake_kube_api/fake_kube_api.py (the Kubernetes API server double)
// over TLS with a CA made by openssl (TestPki), in a fresh temp directory, on
// a free loopback port; stops it in the destructor. stop() and start_again()
// restart it on the same port (with an empty store), to test reconnects.

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "kube/config.hpp"
#include "kube/transport.hpp"
#include "test_pki.hpp"

namespace zastava::testing {

struct FakeKubeApiOptions {
  std::string token = "token-one";
  double bookmark_interval_seconds = 60;
  int history = 10000;
};

class FakeKubeApi {
 public:
  // Throws std::runtime_error when the double does not come up.
  static std::unique_ptr<FakeKubeApi> start(FakeKubeApiOptions options = {});
  ~FakeKubeApi();
  FakeKubeApi(const FakeKubeApi&) = delete;
  FakeKubeApi& operator=(const FakeKubeApi&) = delete;

  void stop();
  void start_again();

  [[nodiscard]] int port() const noexcept { return port_; }
  [[nodiscard]] std::string server() const { return "https://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return pki_->dir(); }
  [[nodiscard]] std::string ca_pem() const;
  // A config whose token is a file the test can rewrite (client_token_file()).
  [[nodiscard]] kube::ClusterConfig config() const;
  [[nodiscard]] std::filesystem::path client_token_file() const { return dir() / "client-token"; }
  // The token the double accepts from now on.
  void set_server_token(const std::string& token);

  // The test-only endpoints: GET /_test/events etc.
  nlohmann::json test_call(const std::string& method, const std::string& path);

 private:
  FakeKubeApi(std::unique_ptr<TestPki> pki, FakeKubeApiOptions options);
  void launch(int port);

  std::unique_ptr<TestPki> pki_;
  FakeKubeApiOptions options_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::unique_ptr<kube::Transport> transport_;
};

void write_text(const std::filesystem::path& path, const std::string& text);

}  // namespace zastava::testing
