// Loading cluster configuration: the in-cluster service account files and
// kubeconfig variants (inline data, files relative to the kubeconfig, token
// files, client certificates, contexts, insecure-skip-tls-verify).

#include "kube/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "base/base64.hpp"
#include "fake_kube_api.hpp"

namespace zastava::kube {
namespace {

namespace fs = std::filesystem;
using testing::write_text;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "kube-config-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(InClusterConfig, ReadsServiceAccountFilesAndEnvironment) {
  TempDir dir;
  write_text(dir.path() / "token", "sa-token\n");
  write_text(dir.path() / "ca.crt", "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n");
  write_text(dir.path() / "namespace", "zastava-system\n");
  InClusterPaths paths{dir.path() / "token", dir.path() / "ca.crt", dir.path() / "namespace",
                       "10.96.0.1", "443"};
  auto config = load_in_cluster_config(paths);
  ASSERT_TRUE(config.ok()) << config.error().describe();
  EXPECT_EQ(config->server, "https://10.96.0.1:443");
  EXPECT_EQ(config->token_file, (dir.path() / "token").string());
  EXPECT_TRUE(config->token.empty());  // read (and re-read) from the file
  EXPECT_NE(config->ca_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_EQ(config->default_namespace, "zastava-system");
}

TEST(InClusterConfig, BracketsAnIpv6ServiceHost) {
  TempDir dir;
  write_text(dir.path() / "token", "t");
  write_text(dir.path() / "ca.crt", "ca");
  InClusterPaths paths{dir.path() / "token", dir.path() / "ca.crt", dir.path() / "none", "fd00::1",
                       "6443"};
  auto config = load_in_cluster_config(paths);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->server, "https://[fd00::1]:6443");
  EXPECT_EQ(config->default_namespace, "default");
}

TEST(InClusterConfig, NotInAClusterIsNotFound) {
  TempDir dir;
  auto config = load_in_cluster_config(InClusterPaths{dir.path() / "token", dir.path() / "ca.crt",
                                                      dir.path() / "ns", "10.0.0.1", "443"});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().code, ErrorCode::kNotFound);  // no token file
}

constexpr const char* kKubeconfig = R"(apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: {CA_DATA}
- name: prod-cluster
  cluster:
    server: https://prod.example:443
    certificate-authority: certs/ca.pem
- name: lab-cluster
  cluster:
    server: https://lab.example:6443
    insecure-skip-tls-verify: true
contexts:
- name: dev
  context: {cluster: dev-cluster, user: dev-user, namespace: team-a}
- name: prod
  context: {cluster: prod-cluster, user: prod-user}
- name: lab
  context: {cluster: lab-cluster, user: lab-user}
users:
- name: dev-user
  user:
    token: dev-token
- name: prod-user
  user:
    client-certificate: certs/client.crt
    client-key: certs/client.key
- name: lab-user
  user:
    tokenFile: lab-token
    client-certificate-data: {CERT_DATA}
    client-key-data: {KEY_DATA}
)";

std::string kubeconfig_text() {
  std::string text = kKubeconfig;
  const auto replace = [&](const std::string& marker, const std::string& value) {
    text.replace(text.find(marker), marker.size(), encoding::base64_encode(as_bytes(value)));
  };
  replace("{CA_DATA}", "INLINE-CA");
  replace("{CERT_DATA}", "INLINE-CERT");
  replace("{KEY_DATA}", "INLINE-KEY");
  return text;
}

TEST(Kubeconfig, CurrentContextWithInlineCaAndToken) {
  TempDir dir;
  write_text(dir.path() / "config", kubeconfig_text());
  auto config = load_kubeconfig(dir.path() / "config");
  ASSERT_TRUE(config.ok()) << config.error().describe();
  EXPECT_EQ(config->server, "https://127.0.0.1:6443");
  EXPECT_EQ(config->ca_pem, "INLINE-CA");
  EXPECT_EQ(config->token, "dev-token");
  EXPECT_EQ(config->default_namespace, "team-a");
  EXPECT_FALSE(config->insecure_skip_tls_verify);
}

TEST(Kubeconfig, NamedContextWithFilesRelativeToTheKubeconfig) {
  TempDir dir;
  fs::create_directories(dir.path() / "certs");
  write_text(dir.path() / "certs" / "ca.pem", "FILE-CA");
  write_text(dir.path() / "certs" / "client.crt", "FILE-CERT");
  write_text(dir.path() / "certs" / "client.key", "FILE-KEY");
  write_text(dir.path() / "config", kubeconfig_text());
  auto config = load_kubeconfig(dir.path() / "config", "prod");
  ASSERT_TRUE(config.ok()) << config.error().describe();
  EXPECT_EQ(config->server, "https://prod.example:443");
  EXPECT_EQ(config->ca_pem, "FILE-CA");
  EXPECT_EQ(config->client_cert_pem, "FILE-CERT");
  EXPECT_EQ(config->client_key_pem, "FILE-KEY");
  EXPECT_TRUE(config->token.empty());
  EXPECT_EQ(config->default_namespace, "default");
}

TEST(Kubeconfig, InsecureClusterTokenFileAndInlineClientCertificate) {
  TempDir dir;
  write_text(dir.path() / "config", kubeconfig_text());
  auto config = load_kubeconfig(dir.path() / "config", "lab");
  ASSERT_TRUE(config.ok()) << config.error().describe();
  EXPECT_TRUE(config->insecure_skip_tls_verify);
  EXPECT_EQ(config->token_file, (dir.path() / "lab-token").string());
  EXPECT_EQ(config->client_cert_pem, "INLINE-CERT");
  EXPECT_EQ(config->client_key_pem, "INLINE-KEY");
}

TEST(Kubeconfig, MissingPiecesAreNamed) {
  TempDir dir;
  write_text(dir.path() / "config", kubeconfig_text());
  auto unknown = load_kubeconfig(dir.path() / "config", "staging");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(unknown.error().message.find("staging"), std::string::npos);

  auto missing_file = load_kubeconfig(dir.path() / "config", "prod");  // certs/ not written
  ASSERT_FALSE(missing_file.ok());
  EXPECT_EQ(missing_file.error().code, ErrorCode::kIo);

  write_text(dir.path() / "broken", "clusters: [unclosed\n");
  auto broken = load_kubeconfig(dir.path() / "broken");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, ErrorCode::kParse);
}

TEST(Kubeconfig, KubeconfigEnvironmentVariableWins) {
  TempDir dir;
  write_text(dir.path() / "config", kubeconfig_text());
  const std::string value = (dir.path() / "config").string() + ":/nonexistent/other";
  ASSERT_EQ(setenv("KUBECONFIG", value.c_str(), 1), 0);
  auto config = load_default_config();
  unsetenv("KUBECONFIG");
  ASSERT_TRUE(config.ok()) << config.error().describe();
  EXPECT_EQ(config->token, "dev-token");
}

}  // namespace
}  // namespace zastava::kube
