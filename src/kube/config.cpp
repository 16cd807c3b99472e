#include "kube/config.hpp"

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <utility>

#include "base/base64.hpp"
#include "support/config.hpp"

namespace zastava::kube {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string trim(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read at start-up
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

// "host:port" with brackets around an IPv6 literal.
std::string https_url(const std::string& host, const std::string& port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return "https://" + (ipv6 ? "[" + host + "]" : host) + ":" + port;
}

// Finds `name` in a kubeconfig list of {name, <field>: {...}}.
const json* find_named(const json& root, const char* list, const std::string& name,
                       const char* field) {
  const auto it = root.find(list);
  if (it == root.end() || !it->is_array()) return nullptr;
  for (const auto& entry : *it) {
    if (entry.is_object() && entry.value("name", "") == name) {
      const auto inner = entry.find(field);
      return inner != entry.end() && inner->is_object() ? &*inner : nullptr;
    }
  }
  return nullptr;
}

std::string string_field(const json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

fs::path resolve(const fs::path& base_dir, const std::string& path) {
  const fs::path given(path);
  return given.is_absolute() ? given : base_dir / given;
}

// A PEM from "<name>-data" (base64) or "<name>" (a file path); empty when neither.
Result<std::string> pem_from(const json& object, const std::string& name, const fs::path& dir) {
  const std::string data = string_field(object, (name + "-data").c_str());
  if (!data.empty()) {
    auto decoded = encoding::base64_decode_any(data);
    if (!decoded) return decoded.error().with_context(name + "-data");
    return std::string(as_string(*decoded));
  }
  const std::string file = string_field(object, name.c_str());
  if (file.empty()) return std::string();
  auto text = support::read_file(resolve(dir, file));
  if (!text) return text.error().with_context(name);
  return std::move(*text);
}

Result<ClusterConfig> from_kubeconfig(const json& root, const fs::path& dir,
                                      const std::string& wanted_context) {
  if (!root.is_object()) return make_error(ErrorCode::kInvalidArgument, "not a mapping");
  const std::string context_name =
      wanted_context.empty() ? string_field(root, "current-context") : wanted_context;
  if (context_name.empty()) return make_error(ErrorCode::kInvalidArgument, "no current-context");
  const json* context = find_named(root, "contexts", context_name, "context");
  if (context == nullptr) {
    return make_error(ErrorCode::kInvalidArgument, "no context named " + context_name);
  }
  const std::string cluster_name = string_field(*context, "cluster");
  const json* cluster = find_named(root, "clusters", cluster_name, "cluster");
  if (cluster == nullptr) {
    return make_error(ErrorCode::kInvalidArgument, "no cluster named '" + cluster_name + "'");
  }
  ClusterConfig config;
  config.server = string_field(*cluster, "server");
  if (config.server.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "cluster " + cluster_name + " has no server");
  }
  const auto insecure = cluster->find("insecure-skip-tls-verify");
  config.insecure_skip_tls_verify =
      insecure != cluster->end() && insecure->is_boolean() && insecure->get<bool>();
  auto ca = pem_from(*cluster, "certificate-authority", dir);
  if (!ca) return ca.error();
  config.ca_pem = std::move(*ca);
  const std::string ns = string_field(*context, "namespace");
  if (!ns.empty()) config.default_namespace = ns;

  const std::string user_name = string_field(*context, "user");
  if (user_name.empty()) return config;  // anonymous
  const json* user = find_named(root, "users", user_name, "user");
  if (user == nullptr) {
    return make_error(ErrorCode::kInvalidArgument, "no user named '" + user_name + "'");
  }
  config.token = string_field(*user, "token");
  const std::string token_file = string_field(*user, "tokenFile");
  if (!token_file.empty()) config.token_file = resolve(dir, token_file).string();
  auto cert = pem_from(*user, "client-certificate", dir);
  if (!cert) return cert.error();
  auto key = pem_from(*user, "client-key", dir);
  if (!key) return key.error();
  config.client_cert_pem = std::move(*cert);
  config.client_key_pem = std::move(*key);
  if (config.client_cert_pem.empty() != config.client_key_pem.empty()) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "user " + user_name + " has a client certificate without its key or the reverse");
  }
  return config;
}

}  // namespace

Result<ClusterConfig> load_in_cluster_config(const InClusterPaths& paths) {
  const auto host = paths.service_host ? paths.service_host : env("KUBERNETES_SERVICE_HOST");
  const auto port = paths.service_port ? paths.service_port : env("KUBERNETES_SERVICE_PORT");
  if (!host || !port) {
    return make_error(ErrorCode::kNotFound,
                      "not in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set");
  }
  std::error_code ec;
  if (!fs::exists(paths.token, ec)) {
    return make_error(ErrorCode::kNotFound,
                      "not in a cluster: no service account token at " + paths.token.string());
  }
  ClusterConfig config;
  config.server = https_url(*host, *port);
  config.token_file = paths.token.string();
  auto ca = support::read_file(paths.ca_cert);
  if (!ca) return ca.error().with_context("service account CA");
  config.ca_pem = std::move(*ca);
  if (fs::exists(paths.namespace_file, ec)) {
    auto ns = support::read_file(paths.namespace_file);
    if (!ns) return ns.error();
    if (std::string value = trim(*ns); !value.empty()) config.default_namespace = value;
  }
  return config;
}

Result<ClusterConfig> load_kubeconfig(const fs::path& path, const std::string& context) {
  auto text = support::read_file(path);
  if (!text) return text.error();
  auto root = support::parse_yaml(*text);
  if (!root) return root.error().with_context(path.string());
  auto config = from_kubeconfig(*root, path.parent_path(), context);
  if (!config) return config.error().with_context("kubeconfig " + path.string());
  return config;
}

Result<ClusterConfig> load_default_config() {
  if (const auto list = env("KUBECONFIG")) {
    return load_kubeconfig(list->substr(0, list->find(':')));
  }
  auto in_cluster = load_in_cluster_config();
  if (in_cluster || in_cluster.error().code != ErrorCode::kNotFound) return in_cluster;
  if (const auto home = env("HOME")) {
    const fs::path fallback = fs::path(*home) / ".kube" / "config";
    std::error_code ec;
    if (fs::exists(fallback, ec)) return load_kubeconfig(fallback);
  }
  return make_error(
      ErrorCode::kNotFound,
      "no Kubernetes configuration: no $KUBECONFIG, not in a cluster, no ~/.kube/config");
}

}  // namespace zastava::kube
