// Unit tests of zastava-webhook's settings (config.hpp) and the /validate
// Content-Type check (admission_endpoint.hpp).
#include "config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "admission_endpoint.hpp"

namespace zastava::webhook {
namespace {

const std::vector<std::string> kRequired = {"--policy-file", "p.yaml",    "--tls-cert",
                                            "c.pem",         "--tls-key", "k.pem"};

std::vector<std::string> with_required(std::vector<std::string> extra) {
  std::vector<std::string> argv = kRequired;
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

TEST(WebhookConfig, DefaultsMatchTheDocumentedOnes) {
  auto parsed = parse_command_line(kRequired);
  ASSERT_TRUE(parsed) << parsed.error().message;
  const WebhookConfig& config = parsed->config;
  EXPECT_EQ(config.listen.port, 8443);
  EXPECT_EQ(config.api_listen.port, 8444);
  EXPECT_EQ(config.metrics_listen.port, 9090);
  EXPECT_EQ(config.request_deadline, std::chrono::milliseconds(8000));
  EXPECT_EQ(config.effective_store_dir(), "./zastava-data");
  EXPECT_FALSE(config.instance.empty());
}

TEST(WebhookConfig, FlagsOverrideTheConfigFile) {
  const std::string path = ::testing::TempDir() + "/webhook-config.yaml";
  std::ofstream(path) << "policyFile: from-file.yaml\ntlsCert: c.pem\ntlsKey: k.pem\n"
                         "threads: 3\nrequestDeadline: 500ms\nnoKube: true\n";
  auto parsed = parse_command_line({"--config", path, "--policy-file=flag.yaml"});
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->config.policy_file, "flag.yaml");
  EXPECT_EQ(parsed->config.threads, 3u);
  EXPECT_EQ(parsed->config.request_deadline, std::chrono::milliseconds(500));
  EXPECT_TRUE(parsed->config.kube_disabled);
}

TEST(WebhookConfig, RejectsUnknownSettingsAndMissingOnes) {
  EXPECT_FALSE(parse_command_line(with_required({"--polcy-file", "x"})));
  EXPECT_FALSE(parse_command_line({"--tls-cert", "c", "--tls-key", "k"}));
  EXPECT_FALSE(parse_command_line(with_required({"--store-dir", "d", "--postgres", "u"})));
  const std::string path = ::testing::TempDir() + "/webhook-bad.yaml";
  std::ofstream(path) << "policyfile: x\n";
  auto parsed = parse_command_line(with_required({"--config", path}));
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("unknown setting 'policyfile'"), std::string::npos);
}

TEST(WebhookConfig, HelpNeedsNothingElse) {
  auto parsed = parse_command_line({"--help"});
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->help);
  EXPECT_NE(webhook_usage().find("--request-deadline"), std::string::npos);
}

TEST(ListenAddress, Parses) {
  auto any = parse_listen_address(":8443");
  ASSERT_TRUE(any);
  EXPECT_EQ(any->host, "0.0.0.0");
  EXPECT_EQ(any->port, 8443);
  auto v6 = parse_listen_address("[::1]:0");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  EXPECT_FALSE(parse_listen_address("8443"));
  EXPECT_FALSE(parse_listen_address(":99999"));
  EXPECT_FALSE(parse_listen_address(":"));
}

TEST(Deadline, Parses) {
  EXPECT_EQ(*parse_deadline("8s"), std::chrono::milliseconds(8000));
  EXPECT_EQ(*parse_deadline("250ms"), std::chrono::milliseconds(250));
  EXPECT_FALSE(parse_deadline("0s"));
  EXPECT_FALSE(parse_deadline("8"));
  EXPECT_FALSE(parse_deadline("1h"));
}

TEST(ContentType, OnlyJson) {
  EXPECT_TRUE(is_json_content_type("application/json"));
  EXPECT_TRUE(is_json_content_type("Application/JSON; charset=utf-8"));
  EXPECT_FALSE(is_json_content_type("application/jsonx"));
  EXPECT_FALSE(is_json_content_type("text/plain"));
  EXPECT_FALSE(is_json_content_type(""));
}

}  // namespace
}  // namespace zastava::webhook
