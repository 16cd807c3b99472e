#pragma once
// zastava-operator's settings, from its command line (the chart passes them;
// `zastava-operator --help` prints the table, operator_usage()).
//
//   zastava-operator --namespace zastava-system --lease-duration 15s
//       --defaults-file /etc/zastava/defaults.yaml --stella-image ghcr.io/stellaops/zastava:0.1.0
//
// What shapes the compiled policy and the Jobs goes into
// reconcile::OperatorSettings (shared with the controllers); the rest says
// how the process runs: which API server, leader election, workers, the
// health listener and logging. Unknown flags are errors, so a typo never
// passes silently. Durations are "15s", "5m", "1h30m" (policy/duration.hpp)
// or, for the short timings tests use, "500ms".

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "reconcile/operator_settings.hpp"

namespace zastava::operator_app {

struct HealthAddress {
  std::string host = "0.0.0.0";
  std::uint16_t port = 8081;  // 0: ephemeral
};

struct OperatorConfig {
  std::string kubeconfig;  // empty: kube::load_default_config()
  reconcile::OperatorSettings settings;
  std::string defaults_file;  // where settings.defaults came from ("" = built in)

  bool leader_elect = true;
  std::string lease_name = "zastava-operator";
  std::chrono::milliseconds lease_duration{15'000};
  std::chrono::milliseconds renew_deadline{10'000};
  std::chrono::milliseconds retry_period{2'000};
  std::string identity;  // this replica in the Lease and in Events

  unsigned workers = 2;  // per controller
  std::chrono::milliseconds resync{300'000};
  HealthAddress health;
  std::string log_level = "info";
  std::string log_format = "json";
};

// What the process environment contributes to the defaults (the chart sets
// POD_NAMESPACE and POD_NAME from the downward API). Injected for tests.
struct OperatorEnvironment {
  std::optional<std::string> pod_namespace;
  std::optional<std::string> pod_name;
  std::string host_name;

  static OperatorEnvironment from_process();
};

struct ParsedOperatorCommandLine {
  bool help = false;  // --help: print operator_usage() and exit 0
  OperatorConfig config;
};

// argv without the program name; kInvalidArgument naming the flag.
Result<ParsedOperatorCommandLine> parse_operator_command_line(
    const std::vector<std::string>& argv,
    const OperatorEnvironment& environment = OperatorEnvironment::from_process());

// "15s", "5m", "1h30m" or "500ms": a positive duration.
Result<std::chrono::milliseconds> parse_operator_duration(std::string_view text);

// ":8081", "127.0.0.1:8081", "[::1]:0".
Result<HealthAddress> parse_health_address(std::string_view text);

// The file given to --defaults-file: either the `defaults` section itself,
// or a whole CompiledPolicy document (webhook/default-policy.yaml), whose
// `defaults` is taken. YAML or JSON.
Result<nlohmann::json> load_defaults_file(const std::string& path);

std::string operator_usage();

}  // namespace zastava::operator_app
