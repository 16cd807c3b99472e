// zastava-operator's command line (operator/config.hpp).
#include "config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace zastava::operator_app {
namespace {

using std::chrono::milliseconds;

OperatorEnvironment no_environment() {
  return OperatorEnvironment{std::nullopt, std::nullopt, "host-1"};
}

Result<ParsedOperatorCommandLine> parse(const std::vector<std::string>& args,
                                        const OperatorEnvironment& environment = no_environment()) {
  return parse_operator_command_line(args, environment);
}

std::filesystem::path write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("zastava-operator-config-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path) << text;
  return path;
}

TEST(OperatorConfig, DefaultsAreTheChartsDefaults) {
  auto parsed = parse({});
  ASSERT_TRUE(parsed) << parsed.error().describe();
  const OperatorConfig& config = parsed->config;
  EXPECT_EQ(config.settings.operator_namespace, "zastava-system");
  EXPECT_EQ(config.settings.config_map_name, "zastava-policy");
  EXPECT_EQ(config.settings.config_map_key, "policy.json");
  EXPECT_EQ(config.settings.job_service_account, "zastava-invalidator");
  EXPECT_TRUE(config.leader_elect);
  EXPECT_EQ(config.lease_name, "zastava-operator");
  EXPECT_EQ(config.lease_duration, milliseconds(15'000));
  EXPECT_EQ(config.renew_deadline, milliseconds(10'000));
  EXPECT_EQ(config.retry_period, milliseconds(2'000));
  EXPECT_EQ(config.workers, 2u);
  EXPECT_EQ(config.resync, milliseconds(300'000));
  EXPECT_EQ(config.settings.ttl_sweep_interval, std::chrono::seconds(3600));
  EXPECT_EQ(config.health.host, "0.0.0.0");
  EXPECT_EQ(config.health.port, 8081);
  EXPECT_EQ(config.log_level, "info");
  EXPECT_TRUE(config.settings.defaults.is_object());
}

TEST(OperatorConfig, EveryFlagIsRead) {
  auto parsed = parse({"--kubeconfig",
                       "/k",
                       "--namespace=ops",
                       "--config-map",
                       "cm",
                       "--config-map-key",
                       "p.json",
                       "--stella-image",
                       "img:1",
                       "--job-service-account",
                       "inv",
                       "--leader-elect",
                       "false",
                       "--lease-name",
                       "lease",
                       "--lease-duration",
                       "4s",
                       "--renew-deadline",
                       "3s",
                       "--retry-period",
                       "500ms",
                       "--identity",
                       "me",
                       "--workers",
                       "8",
                       "--resync",
                       "1h30m",
                       "--ttl-sweep-interval",
                       "10m",
                       "--health-address",
                       "127.0.0.1:0",
                       "--log-level",
                       "debug",
                       "--log-format",
                       "text"});
  ASSERT_TRUE(parsed) << parsed.error().describe();
  const OperatorConfig& config = parsed->config;
  EXPECT_EQ(config.kubeconfig, "/k");
  EXPECT_EQ(config.settings.operator_namespace, "ops");
  EXPECT_EQ(config.settings.config_map_name, "cm");
  EXPECT_EQ(config.settings.config_map_key, "p.json");
  EXPECT_EQ(config.settings.stella_image, "img:1");
  EXPECT_EQ(config.settings.job_service_account, "inv");
  EXPECT_FALSE(config.leader_elect);
  EXPECT_EQ(config.lease_name, "lease");
  EXPECT_EQ(config.lease_duration, milliseconds(4'000));
  EXPECT_EQ(config.renew_deadline, milliseconds(3'000));
  EXPECT_EQ(config.retry_period, milliseconds(500));
  EXPECT_EQ(config.identity, "me");
  EXPECT_EQ(config.workers, 8u);
  EXPECT_EQ(config.resync, milliseconds(5'400'000));
  EXPECT_EQ(config.settings.ttl_sweep_interval, std::chrono::seconds(600));
  EXPECT_EQ(config.health.host, "127.0.0.1");
  EXPECT_EQ(config.health.port, 0);
  EXPECT_EQ(config.log_level, "debug");
  EXPECT_EQ(config.log_format, "text");
}

TEST(OperatorConfig, EnvironmentGivesNamespaceAndIdentity) {
  const OperatorEnvironment environment{"team-ops", "zastava-operator-7d9f", "host-1"};
  auto parsed = parse({}, environment);
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ(parsed->config.settings.operator_namespace, "team-ops");
  EXPECT_TRUE(parsed->config.identity.starts_with("zastava-operator-7d9f-"))
      << parsed->config.identity;
  EXPECT_EQ(parsed->config.identity.size(), std::string("zastava-operator-7d9f-").size() + 5);

  auto flagged = parse({"--namespace", "explicit"}, environment);
  ASSERT_TRUE(flagged);
  EXPECT_EQ(flagged->config.settings.operator_namespace, "explicit");
}

TEST(OperatorConfig, IdentitiesOfTwoReplicasDiffer) {
  auto first = parse({});
  auto second = parse({});
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(first->config.identity.starts_with("host-1-"));
  EXPECT_NE(first->config.identity, second->config.identity);
}

TEST(OperatorConfig, MistakesAreRefusedNamingTheFlag) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--nope"}, "unknown flag --nope"},
      {{"positional"}, "unexpected argument"},
      {{"--namespace"}, "--namespace needs a value"},
      {{"--help=1"}, "takes no value"},
      {{"--leader-elect", "yes"}, "--leader-elect"},
      {{"--workers", "0"}, "--workers"},
      {{"--workers", "65"}, "--workers"},
      {{"--lease-duration", "15"}, "--lease-duration"},
      {{"--resync", "-5m"}, "--resync"},
      {{"--retry-period", "0ms"}, "--retry-period"},
      {{"--renew-deadline", "20s"}, "shorter than --lease-duration"},
      {{"--retry-period", "10s"}, "shorter than --renew-deadline"},
      {{"--health-address", "8081"}, "--health-address"},
      {{"--health-address", "host:"}, "--health-address"},
      {{"--log-format", "xml"}, "--log-format"},
      {{"--namespace", ""}, "--namespace is empty"},
      {{"--defaults-file", "/nonexistent/defaults.yaml"}, "--defaults-file"},
  };
  for (const auto& [args, expected] : cases) {
    auto parsed = parse(args);
    ASSERT_FALSE(parsed) << args.front();
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << args.front();
    EXPECT_NE(parsed.error().message.find(expected), std::string::npos)
        << parsed.error().message << " (expected " << expected << ")";
  }
}

TEST(OperatorConfig, HelpShortCircuitsAndListsEveryFlag) {
  auto parsed = parse({"--workers", "3", "--help"});
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->help);
  const std::string usage = operator_usage();
  for (const char* flag :
       {"--kubeconfig", "--namespace", "--config-map ", "--config-map-key", "--defaults-file",
        "--stella-image", "--job-service-account", "--leader-elect", "--lease-name",
        "--lease-duration", "--renew-deadline", "--retry-period", "--identity", "--workers",
        "--resync", "--ttl-sweep-interval", "--health-address", "--log-level"}) {
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  }
}

TEST(OperatorConfig, Durations) {
  EXPECT_EQ(*parse_operator_duration("15s"), milliseconds(15'000));
  EXPECT_EQ(*parse_operator_duration("1h30m"), milliseconds(5'400'000));
  EXPECT_EQ(*parse_operator_duration("250ms"), milliseconds(250));
  EXPECT_FALSE(parse_operator_duration("0s"));
  EXPECT_FALSE(parse_operator_duration("ms"));
  EXPECT_FALSE(parse_operator_duration("1.5s"));
  EXPECT_FALSE(parse_operator_duration("1d"));
}

TEST(OperatorConfig, HealthAddresses) {
  auto every = parse_health_address(":9000");
  ASSERT_TRUE(every);
  EXPECT_EQ(every->host, "0.0.0.0");
  EXPECT_EQ(every->port, 9000);
  auto v6 = parse_health_address("[::1]:8081");
  ASSERT_TRUE(v6) << v6.error().describe();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 8081);
  EXPECT_FALSE(parse_health_address("[::1]"));
  EXPECT_FALSE(parse_health_address("host:80/path"));
  EXPECT_FALSE(parse_health_address("host:99999"));
}

TEST(OperatorConfig, DefaultsFileIsTheSectionOrAWholeCompiledPolicy) {
  const auto section = write_temp("section.yaml", "mode: Warn\nrequireSeal: false\n");
  auto parsed = parse({"--defaults-file", section.string()});
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ(parsed->config.settings.defaults,
            (nlohmann::json{{"mode", "Warn"}, {"requireSeal", false}}));
  EXPECT_EQ(parsed->config.defaults_file, section.string());

  const auto shipped = std::string(ZASTAVA_SOURCE_DIR) + "/webhook/default-policy.yaml";
  auto whole = load_defaults_file(shipped);
  ASSERT_TRUE(whole) << whole.error().describe();
  EXPECT_EQ(whole->value("mode", ""), "Enforce");
  EXPECT_FALSE(whole->contains("kind"));

  const auto list = write_temp("list.yaml", "- a\n- b\n");
  EXPECT_FALSE(load_defaults_file(list.string()));
  const auto empty_policy = write_temp("empty.yaml", "kind: CompiledPolicy\n");
  EXPECT_FALSE(load_defaults_file(empty_policy.string()));
  std::filesystem::remove(section);
  std::filesystem::remove(list);
  std::filesystem::remove(empty_policy);
}

}  // namespace
}  // namespace zastava::operator_app
