#include "config.hpp"

#include <unistd.h>

#include <array>
#include <charconv>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/config.hpp"
#include "support/flags.hpp"

namespace zastava::webhook {
namespace {

// One setting: its flag (without "--"), whether it takes a value, and help.
using Setting = support::FlagSpec;

constexpr std::array kSettings = {
    Setting{"config", "FILE", "YAML/JSON file of these settings (keys: camelCase flag names)"},
    Setting{"policy-file", "FILE", "the compiled policy (required; re-read when it changes)"},
    Setting{"tls-cert", "FILE", "serving certificate, PEM (required; re-read when it changes)"},
    Setting{"tls-key", "FILE", "its private key, PEM (required; re-read when it changes)"},
    Setting{"listen", "ADDR",
            "admission listener, HTTPS: POST /validate, GET /healthz, /readyz "
            "(default :8443)"},
    Setting{"api-listen", "ADDR", "provcache + ingestion API listener, HTTPS (default :8444)"},
    Setting{"api-token-file", "FILE", "bearer token API writes must carry (re-read on change)"},
    Setting{"api-client-ca", "FILE", "CA of client certificates accepted for API writes (mTLS)"},
    Setting{"metrics-listen", "ADDR", "plain-HTTP GET /metrics listener (default :9090)"},
    Setting{"threads", "N", "worker threads (default: the number of cores)"},
    Setting{"store-dir", "DIR", "embedded store directory (the default store: ./zastava-data)"},
    Setting{"postgres", "URL", "PostgreSQL store, postgresql://user@host:port/db (no --store-dir)"},
    Setting{"valkey", "URL", "Valkey/Redis cache, redis://host:port[/db] (no --store-dir)"},
    Setting{"request-deadline", "DURATION",
            "per-admission deadline, below the webhook's timeoutSeconds (default 8s)"},
    Setting{"readiness-interval", "DURATION", "how often /readyz's store probes run (default 5s)"},
    Setting{"kubeconfig", "FILE",
            "Kubernetes API for Events and namespace labels "
            "(default: in-cluster when running in a Pod)"},
    Setting{"no-kube", "", "never talk to a Kubernetes API (Events are logged only)"},
    Setting{"instance", "NAME", "this replica's name in Events (default: $POD_NAME or host name)"},
    Setting{"log-format", "json|text", "log line format (default json)"},
    Setting{"log-level", "LEVEL", "trace, debug, info, warn, error (default info)"},
    Setting{"audit-log", "FILE", "append audit records here (JSON lines; default: the log)"},
    Setting{"help", "", "print this help"},
};

// "policy-file" -> "policyFile".
std::string config_key(std::string_view flag) {
  std::string key;
  bool upper = false;
  for (const char c : flag) {
    if (c == '-') {
      upper = true;
      continue;
    }
    key += upper ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return key;
}

Result<unsigned> parse_count(std::string_view text, std::string_view what) {
  unsigned value = 0;
  const auto parsed = std::from_chars(text.data(), text.data() + text.size(), value);
  if (parsed.ec != std::errc() || parsed.ptr != text.data() + text.size() || value > 1024) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(what) + ": expected an integer from 0 to 1024, got '" +
                          std::string(text) + "'");
  }
  return value;
}

// Values by flag name; file values first, flags replace them.
using SettingValues = support::FlagValues;

Status read_config_file(const std::string& path, SettingValues& values) {
  auto document = support::load_config_file(path);
  if (!document) return document.error();
  if (!document->is_object()) {
    return make_error(ErrorCode::kInvalidArgument, path + ": expected a mapping of settings");
  }
  for (const auto& [key, value] : document->items()) {
    const Setting* match = nullptr;
    for (const auto& setting : kSettings) {
      if (config_key(setting.name) == key && setting.name != "config" && setting.name != "help") {
        match = &setting;
      }
    }
    if (match == nullptr) {
      return make_error(ErrorCode::kInvalidArgument, path + ": unknown setting '" + key + "'");
    }
    if (match->value_name.empty()) {
      if (!value.is_boolean()) {
        return make_error(ErrorCode::kInvalidArgument, path + ": " + key + " must be true/false");
      }
      if (value.get<bool>()) values[std::string(match->name)] = "";
      continue;
    }
    if (value.is_string()) {
      values[std::string(match->name)] = value.get<std::string>();
    } else if (value.is_number_integer()) {
      values[std::string(match->name)] = value.dump();
    } else {
      return make_error(ErrorCode::kInvalidArgument,
                        path + ": " + key + " must be a string or an integer");
    }
  }
  return {};
}

Status apply_settings(const SettingValues& values, WebhookConfig& config) {
  const auto get = [&](std::string_view flag) -> const std::string* {
    const auto found = values.find(flag);
    return found == values.end() ? nullptr : &found->second;
  };
  const auto copy_to = [&](std::string_view flag, std::string& field) {
    if (const std::string* value = get(flag)) field = *value;
  };
  copy_to("policy-file", config.policy_file);
  copy_to("tls-cert", config.tls_cert);
  copy_to("tls-key", config.tls_key);
  copy_to("api-token-file", config.api_token_file);
  copy_to("api-client-ca", config.api_client_ca);
  copy_to("kubeconfig", config.kubeconfig);
  copy_to("instance", config.instance);
  copy_to("log-format", config.log_format);
  copy_to("log-level", config.log_level);
  copy_to("audit-log", config.audit_log);
  config.kube_disabled = get("no-kube") != nullptr;
  if (const std::string* dir = get("store-dir")) config.store_dir = *dir;
  if (const std::string* url = get("postgres")) config.postgres = *url;
  if (const std::string* url = get("valkey")) config.valkey = *url;
  const std::pair<std::string_view, ListenAddress*> listeners[] = {
      {"listen", &config.listen},
      {"api-listen", &config.api_listen},
      {"metrics-listen", &config.metrics_listen}};
  for (const auto& [flag, field] : listeners) {
    if (const std::string* text = get(flag)) {
      auto address = parse_listen_address(*text);
      if (!address) {
        return make_error(ErrorCode::kInvalidArgument,
                          "--" + std::string(flag) + ": " + address.error().message);
      }
      *field = *address;
    }
  }
  if (const std::string* text = get("threads")) {
    auto threads = parse_count(*text, "--threads");
    if (!threads) return threads.error();
    config.threads = *threads;
  }
  if (const std::string* text = get("request-deadline")) {
    auto deadline = parse_deadline(*text);
    if (!deadline) {
      return make_error(ErrorCode::kInvalidArgument,
                        "--request-deadline: " + deadline.error().message);
    }
    config.request_deadline = *deadline;
  }
  if (const std::string* text = get("readiness-interval")) {
    auto interval = parse_deadline(*text);
    if (!interval) {
      return make_error(ErrorCode::kInvalidArgument,
                        "--readiness-interval: " + interval.error().message);
    }
    config.readiness_interval = *interval;
  }
  return {};
}

Status check_required(const WebhookConfig& config) {
  if (config.policy_file.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "--policy-file is required");
  }
  if (config.tls_cert.empty() || config.tls_key.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "--tls-cert and --tls-key are required");
  }
  if (config.store_dir && (config.postgres || config.valkey)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--store-dir (embedded) cannot be combined with --postgres/--valkey");
  }
  if (config.log_format != "json" && config.log_format != "text") {
    return make_error(ErrorCode::kInvalidArgument, "--log-format must be json or text");
  }
  return {};
}

std::string default_instance() {
  if (const char* pod = std::getenv("POD_NAME"); pod != nullptr && *pod != '\0') return pod;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0 && host[0] != '\0') return host;
  return "zastava-webhook";
}

}  // namespace

std::string WebhookConfig::effective_store_dir() const {
  return store_dir.value_or("./zastava-data");
}

Result<ListenAddress> parse_listen_address(std::string_view text) {
  std::string_view host;
  std::string_view port_text;
  if (text.starts_with('[')) {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) {
      return make_error(ErrorCode::kInvalidArgument, "expected [IPv6]:PORT");
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return make_error(ErrorCode::kInvalidArgument, "expected [HOST]:PORT, e.g. :8443");
    }
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  std::uint16_t port = 0;
  const auto parsed = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || parsed.ec != std::errc() ||
      parsed.ptr != port_text.data() + port_text.size()) {
    return make_error(ErrorCode::kInvalidArgument, "invalid port '" + std::string(port_text) + "'");
  }
  return ListenAddress{host.empty() ? "0.0.0.0" : std::string(host), port};
}

Result<std::chrono::milliseconds> parse_deadline(std::string_view text) {
  std::int64_t amount = 0;
  const auto parsed = std::from_chars(text.data(), text.data() + text.size(), amount);
  const std::string_view unit(parsed.ptr,
                              static_cast<std::size_t>(text.data() + text.size() - parsed.ptr));
  std::int64_t scale = 0;
  if (unit == "ms") scale = 1;
  if (unit == "s") scale = 1000;
  if (unit == "m") scale = 60'000;
  if (parsed.ec != std::errc() || scale == 0 || amount <= 0 || amount > 3'600'000) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "expected a positive duration such as 8s or 500ms, got '" + std::string(text) + "'");
  }
  return std::chrono::milliseconds(amount * scale);
}

Result<ParsedCommandLine> parse_command_line(const std::vector<std::string>& argv) {
  auto split = support::split_flags(argv, kSettings);
  if (!split) return split.error();
  SettingValues flags = std::move(split).value();
  ParsedCommandLine parsed;
  if (flags.contains("help")) {
    parsed.help = true;
    return parsed;
  }
  SettingValues values;
  if (const auto config = flags.find("config"); config != flags.end()) {
    if (Status read = read_config_file(config->second, values); !read) return read.error();
  }
  for (auto& [flag, value] : flags) values[flag] = value;
  if (Status applied = apply_settings(values, parsed.config); !applied) return applied.error();
  if (Status complete = check_required(parsed.config); !complete) return complete.error();
  if (parsed.config.instance.empty()) parsed.config.instance = default_instance();
  return parsed;
}

std::string webhook_usage() {
  std::string text =
      "usage: zastava-webhook --policy-file FILE --tls-cert FILE --tls-key FILE [flags]\n"
      "  The Zastava validating admission webhook (docs/webhook.md).\n"
      "  Settings come from --config FILE (YAML keys are the flags in camelCase:\n"
      "  --policy-file is policyFile), then from flags, which override the file.\n\n";
  text += support::flag_table(kSettings, 30);
  text +=
      "\nSignals: SIGTERM / SIGINT stop gracefully (in-flight requests finish, queued\n"
      "writes and Events are flushed).\n";
  return text;
}

}  // namespace zastava::webhook
