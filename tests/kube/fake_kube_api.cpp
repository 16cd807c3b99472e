#include "fake_kube_api.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace zastava::testing {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

void write_text(const fs::path& path, const std::string& text) {
  const fs::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << text;
  }
  fs::rename(temporary, path);  // atomic, as a Secret volume update is
}

std::unique_ptr<FakeKubeApi> FakeKubeApi::start(FakeKubeApiOptions options) {
  std::unique_ptr<FakeKubeApi> api(new FakeKubeApi(TestPki::create(), std::move(options)));
  write_text(api->dir() / "server-token", api->options_.token);
  write_text(api->client_token_file(), api->options_.token);
  api->launch(0);
  kube::ClusterConfig config = api->config();
  auto transport = kube::Transport::create(config);
  if (!transport) throw std::runtime_error(transport.error().describe());
  api->transport_ = std::move(*transport);
  return api;
}

FakeKubeApi::FakeKubeApi(std::unique_ptr<TestPki> pki, FakeKubeApiOptions options)
    : pki_(std::move(pki)), options_(std::move(options)) {}

FakeKubeApi::~FakeKubeApi() {
  stop();
}

void FakeKubeApi::launch(int port) {
  const fs::path port_file = dir() / "port";
  fs::remove(port_file);
  const std::string script =
      std::string(ZASTAVA_SOURCE_DIR) + "/e2e/fake_kube_api/fake_kube_api.py";
  const auto server = pki_->server1();
  std::vector<std::string> args = {"python3",
                                   script,
                                   "--port",
                                   std::to_string(port),
                                   "--port-file",
                                   port_file.string(),
                                   "--cert",
                                   server.cert,
                                   "--key",
                                   server.key,
                                   "--token-file",
                                   (dir() / "server-token").string(),
                                   "--bookmark-interval",
                                   std::to_string(options_.bookmark_interval_seconds),
                                   "--history",
                                   std::to_string(options_.history)};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  if (posix_spawnp(&pid_, "python3", nullptr, nullptr, argv.data(), environ) != 0) {
    throw std::runtime_error("cannot start python3");
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!fs::exists(port_file)) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("the fake API server exited at start-up");
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("the fake API server did not start");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  port_ = std::stoi(read_text(port_file));
}

void FakeKubeApi::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void FakeKubeApi::start_again() {
  stop();
  // The port may linger briefly; retry the bind for a while.
  for (int attempt = 0;; ++attempt) {
    try {
      launch(port_);
      return;
    } catch (const std::runtime_error&) {
      if (attempt >= 50) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

std::string FakeKubeApi::ca_pem() const {
  return read_text(pki_->ca_cert());
}

kube::ClusterConfig FakeKubeApi::config() const {
  kube::ClusterConfig config;
  config.server = server();
  config.ca_pem = ca_pem();
  config.token_file = client_token_file().string();
  return config;
}

void FakeKubeApi::set_server_token(const std::string& token) {
  write_text(dir() / "server-token", token);
}

nlohmann::json FakeKubeApi::test_call(const std::string& method, const std::string& path) {
  kube::HttpCall call{method, path, {}, {}, {}, std::chrono::seconds(10)};
  auto reply = transport_->request(call);
  if (!reply) throw std::runtime_error(reply.error().describe());
  return nlohmann::json::parse(reply->body);
}

}  // namespace zastava::testing
