#include "config.hpp"

#include <unistd.h>

#include <array>
#include <charconv>
#include <cstdlib>
#include <map>
#include <random>

#include "http/url.hpp"
#include "policy/duration.hpp"
#include "support/config.hpp"
#include "support/flags.hpp"

namespace zastava::operator_app {
namespace {

using Flag = support::FlagSpec;

constexpr std::array kFlags = {
    Flag{"kubeconfig", "FILE",
         "API server credentials (default: $KUBECONFIG, else in-cluster, else ~/.kube/config)"},
    Flag{"namespace", "NS",
         "the operator's namespace (default: $POD_NAMESPACE, else zastava-system)"},
    Flag{"config-map", "NAME",
         "ConfigMap written with the compiled policy (default zastava-policy)"},
    Flag{"config-map-key", "KEY", "its data key (default policy.json)"},
    Flag{"defaults-file", "FILE",
         "YAML/JSON: the compiled policy's `defaults` section, or a whole CompiledPolicy"},
    Flag{"stella-image", "IMAGE", "image of invalidation Jobs (runs `stella prov invalidate`)"},
    Flag{"job-service-account", "NAME",
         "service account of invalidation Jobs (zastava-invalidator)"},
    Flag{"leader-elect", "true|false", "elect one active replica on a Lease (default true)"},
    Flag{"lease-name", "NAME", "the Lease, in --namespace (default zastava-operator)"},
    Flag{"lease-duration", "DURATION", "how long a leader's lease lasts unrenewed (default 15s)"},
    Flag{"renew-deadline", "DURATION",
         "a leader that cannot renew within this stops (default 10s)"},
    Flag{"retry-period", "DURATION", "how often the Lease is tried / renewed (default 2s)"},
    Flag{"identity", "ID", "this replica in the Lease (default: $POD_NAME-<random>)"},
    Flag{"workers", "N", "reconcile threads per controller, 1 to 64 (default 2)"},
    Flag{"resync", "DURATION", "recompile everything this often (default 5m)"},
    Flag{"ttl-sweep-interval", "DURATION", "expired-entry sweeps of shared stores (default 1h)"},
    Flag{"health-address", "HOST:PORT",
         "plain-HTTP /healthz /readyz /metrics listener (default 0.0.0.0:8081)"},
    Flag{"log-level", "LEVEL", "trace, debug, info, warn, error (default info)"},
    Flag{"log-format", "json|text", "log line format (default json)"},
    Flag{"help", "", "print this help"},
};

using support::FlagValues;

Status flag_error(std::string_view flag, const Error& error) {
  return make_error(ErrorCode::kInvalidArgument, "--" + std::string(flag) + ": " + error.message);
}

Result<bool> parse_bool(std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return make_error(ErrorCode::kInvalidArgument,
                    "expected true or false, got '" + std::string(text) + "'");
}

Result<unsigned> parse_workers(std::string_view text) {
  unsigned value = 0;
  const auto parsed = std::from_chars(text.data(), text.data() + text.size(), value);
  if (parsed.ec != std::errc() || parsed.ptr != text.data() + text.size() || value == 0 ||
      value > 64) {
    return make_error(ErrorCode::kInvalidArgument,
                      "expected an integer from 1 to 64, got '" + std::string(text) + "'");
  }
  return value;
}

// A short random suffix, so two replicas started with the same name (or a
// restarted Pod) never share an identity.
std::string random_suffix() {
  std::random_device device;
  std::uniform_int_distribution<unsigned> digit(0, 35);
  constexpr std::string_view kAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string suffix;
  for (int i = 0; i < 5; ++i) suffix += kAlphabet[digit(device)];
  return suffix;
}

Status apply_strings(const FlagValues& values, OperatorConfig& config) {
  const auto copy_to = [&](std::string_view flag, std::string& field) {
    if (const auto found = values.find(flag); found != values.end()) field = found->second;
  };
  reconcile::OperatorSettings& settings = config.settings;
  copy_to("kubeconfig", config.kubeconfig);
  copy_to("namespace", settings.operator_namespace);
  copy_to("config-map", settings.config_map_name);
  copy_to("config-map-key", settings.config_map_key);
  copy_to("defaults-file", config.defaults_file);
  copy_to("stella-image", settings.stella_image);
  copy_to("job-service-account", settings.job_service_account);
  copy_to("lease-name", config.lease_name);
  copy_to("identity", config.identity);
  copy_to("log-level", config.log_level);
  copy_to("log-format", config.log_format);
  for (const std::string_view flag : {"namespace", "config-map", "config-map-key", "stella-image",
                                      "job-service-account", "lease-name", "identity"}) {
    if (const auto found = values.find(flag); found != values.end() && found->second.empty()) {
      return make_error(ErrorCode::kInvalidArgument, "--" + std::string(flag) + " is empty");
    }
  }
  if (config.log_format != "json" && config.log_format != "text") {
    return make_error(ErrorCode::kInvalidArgument, "--log-format must be json or text");
  }
  return {};
}

Status apply_durations(const FlagValues& values, OperatorConfig& config) {
  const std::pair<std::string_view, std::chrono::milliseconds*> durations[] = {
      {"lease-duration", &config.lease_duration},
      {"renew-deadline", &config.renew_deadline},
      {"retry-period", &config.retry_period},
      {"resync", &config.resync}};
  for (const auto& [flag, field] : durations) {
    if (const auto found = values.find(flag); found != values.end()) {
      auto parsed = parse_operator_duration(found->second);
      if (!parsed) return flag_error(flag, parsed.error());
      *field = *parsed;
    }
  }
  if (const auto found = values.find("ttl-sweep-interval"); found != values.end()) {
    auto parsed = parse_operator_duration(found->second);
    if (!parsed) return flag_error("ttl-sweep-interval", parsed.error());
    if (*parsed < std::chrono::seconds(1)) {
      return make_error(ErrorCode::kInvalidArgument, "--ttl-sweep-interval: at least 1s");
    }
    config.settings.ttl_sweep_interval = std::chrono::duration_cast<std::chrono::seconds>(*parsed);
  }
  // client-go's checks: a leader must be able to renew before its lease runs
  // out, and must get more than one try at it.
  if (config.renew_deadline >= config.lease_duration) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--renew-deadline must be shorter than --lease-duration");
  }
  if (config.retry_period >= config.renew_deadline) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--retry-period must be shorter than --renew-deadline");
  }
  return {};
}

Status apply_others(const FlagValues& values, OperatorConfig& config) {
  if (const auto found = values.find("leader-elect"); found != values.end()) {
    auto elect = parse_bool(found->second);
    if (!elect) return flag_error("leader-elect", elect.error());
    config.leader_elect = *elect;
  }
  if (const auto found = values.find("workers"); found != values.end()) {
    auto workers = parse_workers(found->second);
    if (!workers) return flag_error("workers", workers.error());
    config.workers = *workers;
  }
  if (const auto found = values.find("health-address"); found != values.end()) {
    auto address = parse_health_address(found->second);
    if (!address) return flag_error("health-address", address.error());
    config.health = *address;
  }
  if (!config.defaults_file.empty()) {
    auto defaults = load_defaults_file(config.defaults_file);
    if (!defaults) return flag_error("defaults-file", defaults.error());
    config.settings.defaults = std::move(*defaults);
  }
  return {};
}

void apply_environment(const FlagValues& values, const OperatorEnvironment& environment,
                       OperatorConfig& config) {
  if (!values.contains("namespace") && environment.pod_namespace &&
      !environment.pod_namespace->empty()) {
    config.settings.operator_namespace = *environment.pod_namespace;
  }
  if (config.identity.empty()) {
    std::string base = environment.pod_name.value_or("");
    if (base.empty()) base = environment.host_name;
    if (base.empty()) base = "zastava-operator";
    config.identity = base + "-" + random_suffix();
  }
}

}  // namespace

OperatorEnvironment OperatorEnvironment::from_process() {
  OperatorEnvironment environment;
  if (const char* ns = std::getenv("POD_NAMESPACE"); ns != nullptr) environment.pod_namespace = ns;
  if (const char* pod = std::getenv("POD_NAME"); pod != nullptr) environment.pod_name = pod;
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) == 0) environment.host_name = host.data();
  return environment;
}

Result<std::chrono::milliseconds> parse_operator_duration(std::string_view text) {
  if (text.ends_with("ms")) {
    const std::string_view digits = text.substr(0, text.size() - 2);
    std::int64_t amount = 0;
    const auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), amount);
    if (digits.empty() || parsed.ec != std::errc() || parsed.ptr != digits.data() + digits.size() ||
        amount <= 0 || amount > policy::kMaxDurationSeconds) {
      return make_error(
          ErrorCode::kInvalidArgument,
          "expected a positive duration such as 500ms, got '" + std::string(text) + "'");
    }
    return std::chrono::milliseconds(amount);
  }
  auto seconds = policy::parse_duration_seconds(text);
  if (!seconds) return seconds.error();
  if (*seconds <= 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "expected a positive duration, got '" + std::string(text) + "'");
  }
  return std::chrono::milliseconds(*seconds * 1000);
}

Result<HealthAddress> parse_health_address(std::string_view text) {
  const auto bad = [&] {
    return make_error(ErrorCode::kInvalidArgument,
                      "expected HOST:PORT, e.g. :8081, got '" + std::string(text) + "'");
  };
  const auto colon = text.rfind(':');
  const auto close = text.rfind(']');
  if (colon == std::string_view::npos || (close != std::string_view::npos && colon < close)) {
    return bad();
  }
  const std::string_view port_text = text.substr(colon + 1);
  std::uint16_t port = 0;
  const auto parsed = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || parsed.ec != std::errc() ||
      parsed.ptr != port_text.data() + port_text.size()) {
    return bad();
  }
  const std::string_view host = text.substr(0, colon);
  if (host.empty()) return HealthAddress{"0.0.0.0", port};
  // http::parse_url knows DNS names, IPv4 and bracketed IPv6 hosts.
  auto url = http::parse_url("http://" + std::string(host) + "/");
  if (!url || url->target != "/") return bad();
  return HealthAddress{url->host, port};
}

Result<nlohmann::json> load_defaults_file(const std::string& path) {
  auto document = support::load_config_file(path);
  if (!document) return document.error();
  if (!document->is_object()) {
    return make_error(ErrorCode::kInvalidArgument, path + ": expected a mapping");
  }
  if (document->value("kind", "") == "CompiledPolicy") {
    const auto defaults = document->find("defaults");
    if (defaults == document->end() || !defaults->is_object()) {
      return make_error(ErrorCode::kInvalidArgument, path + ": the document has no defaults");
    }
    return *defaults;
  }
  return std::move(*document);
}

Result<ParsedOperatorCommandLine> parse_operator_command_line(
    const std::vector<std::string>& argv, const OperatorEnvironment& environment) {
  auto values = support::split_flags(argv, kFlags);
  if (!values) return values.error();
  ParsedOperatorCommandLine parsed;
  if (values->contains("help")) {
    parsed.help = true;
    return parsed;
  }
  OperatorConfig& config = parsed.config;
  if (Status status = apply_strings(*values, config); !status) return status.error();
  if (Status status = apply_durations(*values, config); !status) return status.error();
  if (Status status = apply_others(*values, config); !status) return status.error();
  apply_environment(*values, environment, config);
  return parsed;
}

std::string operator_usage() {
  std::string text =
      "usage: zastava-operator [flags]\n"
      "  Reconciles FacetPolicy and ProvcachePolicy resources into the compiled policy\n"
      "  ConfigMap the webhook mounts, and runs provcache invalidation Jobs\n"
      "  (docs/operator.md).\n\n";
  text += support::flag_table(kFlags, 34);
  text +=
      "\nDurations: 15s, 5m, 1h30m, or 500ms.\n"
      "Signals: SIGTERM / SIGINT stop gracefully (workers finish, the Lease is released,\n"
      "Events are flushed; exit 0). Losing the Lease exits 2 (the Deployment restarts it).\n";
  return text;
}

}  // namespace zastava::operator_app
