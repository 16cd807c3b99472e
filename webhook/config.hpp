#pragma once
// zastava-webhook's settings: a YAML (or JSON) config file given with
// --config, then command-line flags, which override it. Every setting has one
// name used both ways: the flag `--policy-file` is the key `policyFile` in the
// file. `zastava-webhook --help` prints the table (webhook_usage()).
//
//   policyFile: /etc/zastava/policy.yaml
//   tlsCert: /tls/tls.crt
//   tlsKey: /tls/tls.key
//   storeDir: /var/lib/zastava
//   requestDeadline: 8s
//
// Unknown keys and flags are errors, so a typo never passes silently.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace zastava::webhook {

struct ListenAddress {
  std::string host = "0.0.0.0";
  std::uint16_t port = 0;  // 0: ephemeral
};

// ":8443" (every interface), "127.0.0.1:8443", "[::1]:8443"; port 0 is allowed.
Result<ListenAddress> parse_listen_address(std::string_view text);

// "8s", "500ms", "2m": a positive duration in ms, s or m.
Result<std::chrono::milliseconds> parse_deadline(std::string_view text);

struct WebhookConfig {
  std::string policy_file;
  std::string tls_cert;
  std::string tls_key;
  ListenAddress listen{"0.0.0.0", 8443};
  ListenAddress api_listen{"0.0.0.0", 8444};
  ListenAddress metrics_listen{"0.0.0.0", 9090};
  std::string api_token_file;  // bearer token for API writes
  std::string api_client_ca;   // client certificates for API writes (mTLS)
  unsigned threads = 0;        // 0: the number of cores
  // The stores: the embedded one (the default) or PostgreSQL and/or Valkey.
  std::optional<std::string> store_dir;
  std::optional<std::string> postgres;
  std::optional<std::string> valkey;
  std::chrono::milliseconds request_deadline{8000};
  std::chrono::milliseconds readiness_interval{5000};  // store probes behind /readyz
  std::string kubeconfig;                              // empty: in-cluster when there, else none
  bool kube_disabled = false;                          // --no-kube: never talk to a Kubernetes API
  std::string instance;  // reportingInstance of Events ($POD_NAME, else the host name)
  std::string log_format = "json";
  std::string log_level = "info";
  std::string audit_log;  // a file of audit records (JSON lines); empty: the log

  // The embedded store's directory when no server store is configured.
  [[nodiscard]] std::string effective_store_dir() const;
};

struct ParsedCommandLine {
  bool help = false;  // --help: print webhook_usage() and exit 0
  WebhookConfig config;
};

// argv without the program name. kInvalidArgument naming the flag or key.
Result<ParsedCommandLine> parse_command_line(const std::vector<std::string>& argv);

std::string webhook_usage();

}  // namespace zastava::webhook
