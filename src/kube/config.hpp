#pragma once
// Where the Kubernetes API server is and how to prove who we are to it: the
// two ways a program finds out, as client-go's rest.InClusterConfig() and
// clientcmd do.
//
//  - In cluster: KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT and the
//    service account's files under /var/run/secrets/kubernetes.io/
//    serviceaccount/ (token, ca.crt, namespace). The token is kept as a
//    file path, because bound service-account tokens rotate (TokenSource
//    re-reads it).
//  - A kubeconfig: current-context (or a named one) → cluster (server,
//    certificate-authority[-data], insecure-skip-tls-verify) and user (token,
//    tokenFile, client-certificate[-data], client-key[-data]). Relative file
//    paths are relative to the kubeconfig's directory.
//
// load_default_config() tries $KUBECONFIG, then in-cluster, then ~/.kube/config.
// Certificates and keys are held as PEM text, never as paths, so the transport
// loads them one way.

#include <filesystem>
#include <optional>
#include <string>

#include "base/result.hpp"

namespace zastava::kube {

struct ClusterConfig {
  std::string server{};  // "https://10.0.0.1:443"
  std::string ca_pem{};  // trust anchors for the server; empty → system store
  bool insecure_skip_tls_verify = false;
  std::string token{};            // a fixed bearer token, or
  std::string token_file{};       // a file holding it (re-read as it rotates)
  std::string client_cert_pem{};  // mTLS (kubeconfig users), with client_key_pem
  std::string client_key_pem{};
  std::string default_namespace = "default";
};

// The service-account mount and environment; overridable for tests.
struct InClusterPaths {
  std::filesystem::path token = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::filesystem::path ca_cert = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::filesystem::path namespace_file = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
  std::optional<std::string> service_host;  // unset → $KUBERNETES_SERVICE_HOST
  std::optional<std::string> service_port;  // unset → $KUBERNETES_SERVICE_PORT
};

// kNotFound when not running in a cluster (no host/port or no token file);
// kIo / kInvalidArgument for unreadable or malformed files.
Result<ClusterConfig> load_in_cluster_config(const InClusterPaths& paths = {});

// `context` empty → the file's current-context. kParse for malformed YAML,
// kInvalidArgument for missing entries (naming them), kIo for unreadable files.
Result<ClusterConfig> load_kubeconfig(const std::filesystem::path& path,
                                      const std::string& context = {});

// $KUBECONFIG (its first entry), else in-cluster, else ~/.kube/config.
Result<ClusterConfig> load_default_config();

}  // namespace zastava::kube
