#include "webhook_app.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "admission_endpoint.hpp"
#include "api/ingestion_api.hpp"
#include "api/provcache_api.hpp"
#include "decision/decider.hpp"
#include "decision/namespace_labels.hpp"
#include "decision_reporter.hpp"
#include "http/metrics_handler.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "kube/client.hpp"
#include "kube/config.hpp"
#include "kube/event_recorder.hpp"
#include "metrics/registry.hpp"
#include "namespace_watch.hpp"
#include "policy/policy_watcher.hpp"
#include "store/embedded_artifact_store.hpp"
#include "store/postgres_artifact_store.hpp"
#include "store/store_factory.hpp"
#include "store/valkey_store.hpp"
#include "store_health.hpp"

namespace zastava::webhook {

// Declared in the order they start; destroyed in reverse (server first).
struct WebhookApp::Parts {
  std::shared_ptr<spdlog::logger> logger;
  metrics::Registry registry;
  std::unique_ptr<policy::PolicyWatcher> policy;
  std::unique_ptr<store::ProvcacheStore> provcache;
  std::unique_ptr<store::ArtifactStore> artifacts;
  std::shared_ptr<kube::Client> kube;
  std::unique_ptr<kube::EventRecorder> events;
  decision::NamespaceLabelTable namespace_labels;
  std::unique_ptr<NamespaceWatch> namespace_watch;
  std::unique_ptr<decision::Decider> decider;
  std::unique_ptr<DecisionReporter> reporter;
  std::unique_ptr<AdmissionEndpoint> endpoint;
  std::unique_ptr<api::ProvcacheApi> provcache_api;
  std::unique_ptr<api::IngestionApi> ingestion_api;
  std::unique_ptr<store::ValkeyStore> valkey_probe;  // tiered with PostgreSQL: PING only
  std::unique_ptr<StoreHealth> store_health;
  std::unique_ptr<http::Server> server;
};

namespace {

std::int64_t unix_seconds_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::unique_ptr<policy::PolicyWatcher> watch_policy(const WebhookConfig& config,
                                                    const std::shared_ptr<spdlog::logger>& log) {
  policy::PolicyWatcher::Options options;
  options.path = config.policy_file;
  options.on_event = [log](const policy::PolicyEvent& event) {
    if (event.kind == policy::PolicyEvent::Kind::kRejected) {
      log->error("policy rejected, the last good one stays in effect: {}", event.error);
      return;
    }
    log->info("policy loaded: {} version {} ({})", event.policy->metadata.name,
              event.policy->metadata.version, event.policy->content_hash);
    for (const auto& warning : event.policy->warnings) log->warn("policy: {}", warning);
  };
  return std::make_unique<policy::PolicyWatcher>(std::move(options));
}

Result<std::unique_ptr<store::ProvcacheStore>> open_provcache(const WebhookConfig& config,
                                                              metrics::Registry& registry) {
  store::StoreSettings settings;
  settings.postgres_url = config.postgres;
  settings.valkey_url = config.valkey;
  if (!config.postgres && !config.valkey) {
    settings.embedded_dir = (std::filesystem::path(config.effective_store_dir()) / "provcache");
  }
  return store::open_store(settings, &registry);
}

// The artifact store is embedded (DIR/artifacts) in every mode for now: the
// PostgreSQL artifact store is not in the tree yet.
Result<std::unique_ptr<store::ArtifactStore>> open_artifacts(const WebhookConfig& config,
                                                             spdlog::logger& log) {
  if (config.postgres) {
    // Replicas share PostgreSQL: seals ingested through one are seen by all.
    auto opened = store::PostgresArtifactStore::open({.url = *config.postgres});
    if (!opened) return opened.error().with_context("artifact store");
    return std::unique_ptr<store::ArtifactStore>(std::move(*opened));
  }
  const std::filesystem::path dir =
      std::filesystem::path(config.effective_store_dir()) / "artifacts";
  if (config.valkey) {
    log.warn(
        "artifact store: embedded in {} (Valkey alone is a cache; give --postgres to share it)",
        dir.string());
  }
  auto opened = store::EmbeddedArtifactStore::open(dir);
  if (!opened) return opened.error();
  return std::unique_ptr<store::ArtifactStore>(std::move(*opened));
}

// The Kubernetes API for Events and namespace labels: --kubeconfig, else
// in-cluster, else none (Events are then logged only).
Status connect_kube(const WebhookConfig& config, WebhookApp::Parts& parts) {
  spdlog::logger& log = *parts.logger;
  if (config.kube_disabled) {
    log.warn("no Kubernetes API (--no-kube): Events are logged only, namespace labels unknown");
    return {};
  }
  Result<kube::ClusterConfig> cluster = config.kubeconfig.empty()
                                            ? kube::load_in_cluster_config()
                                            : kube::load_kubeconfig(config.kubeconfig);
  if (!cluster) {
    if (config.kubeconfig.empty() && cluster.error().code == ErrorCode::kNotFound) {
      log.warn(
          "no Kubernetes API (not in a cluster, no --kubeconfig): Events are logged only, "
          "namespace labels unknown");
      return {};
    }
    return cluster.error();
  }
  auto client = kube::Client::create(*cluster);
  if (!client) return client.error();
  parts.kube = std::shared_ptr<kube::Client>(std::move(*client));
  parts.events = std::make_unique<kube::EventRecorder>(
      std::make_unique<kube::ClientEventSink>(parts.kube),
      kube::EventRecorderOptions{.reporting_controller = "zastava.stellaops.io/webhook",
                                 .reporting_instance = config.instance});
  parts.namespace_watch =
      std::make_unique<NamespaceWatch>(*parts.kube, parts.namespace_labels, parts.logger);
  log.info("Kubernetes API {}: Events and namespace labels enabled", parts.kube->config().server);
  return {};
}

// Keys no admission ever looks up: the readiness probes' reads.
constexpr std::string_view kProbeVeriKey =
    "sha256:0000000000000000000000000000000000000000000000000000000000000000";
constexpr std::string_view kProbeRepository = "zastava.invalid/readiness-probe";

// What the readiness probes check (store_health.hpp): the stores the
// decisions read, and Valkey apart when PostgreSQL backs it (degraded only).
Status start_store_health(const WebhookConfig& config, WebhookApp::Parts& parts) {
  std::vector<StoreProbe> probes;
  store::ProvcacheStore* provcache = parts.provcache.get();
  probes.push_back({"provcache", [provcache]() -> Status {
                      auto lookup = provcache->get(kProbeVeriKey, unix_seconds_now());
                      if (!lookup) return lookup.error();
                      return ok_status();
                    }});
  store::ArtifactStore* artifacts = parts.artifacts.get();
  probes.push_back({"artifacts", [artifacts]() -> Status {
                      auto seal = artifacts->latest_approved_seal(kProbeRepository, "probe");
                      if (!seal) return seal.error();
                      return ok_status();
                    }});
  if (config.valkey && config.postgres) {
    store::ValkeyConnectionOptions connection;
    connection.url = *config.valkey;
    connection.pool_size = 1;
    auto valkey = store::ValkeyStore::open(
        store::ValkeyStoreOptions{connection, std::string(store::kDefaultValkeyKeyPrefix)});
    if (!valkey) return valkey.error().with_context("valkey readiness probe");
    parts.valkey_probe = std::move(*valkey);
    store::ValkeyStore* probe = parts.valkey_probe.get();
    probes.push_back({"valkey", [probe] { return probe->ping(); }, false});
  }
  parts.store_health =
      std::make_unique<StoreHealth>(std::move(probes), config.readiness_interval, &parts.registry);
  return ok_status();
}

http::Response readiness(const WebhookApp::Parts& parts) {
  const policy::PolicyWatchStatus status = parts.policy->status();
  if (!status.policy) {
    return http::error_response(503,
                                "no valid policy loaded: " + status.error.value_or("not read yet"));
  }
  const StoreHealthReport stores = parts.store_health->report();
  if (!stores.ready()) {
    return http::error_response(503, "stores not ready: " + stores.unready_reason());
  }
  nlohmann::json store_states = nlohmann::json::object();
  for (const StoreState& store : stores.stores) {
    store_states[store.name] = store.up ? std::string("up") : "down: " + store.error;
  }
  nlohmann::json body = {{"ready", true},
                         {"degraded", stores.degraded()},
                         {"policy", status.policy->metadata.name},
                         {"policyVersion", status.policy->content_hash},
                         {"provcacheStore", std::string(parts.provcache->name())},
                         {"stores", std::move(store_states)}};
  if (status.error) body["policyError"] = *status.error;
  return http::json_response(200,
                             body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

http::ListenerConfig listener(std::string name, const ListenAddress& address,
                              http::Handler handler) {
  http::ListenerConfig config;
  config.name = std::move(name);
  config.address = address.host;
  config.port = address.port;
  config.handler = std::move(handler);
  return config;
}

http::ServerConfig server_config(const WebhookConfig& config, WebhookApp::Parts& parts) {
  http::Router webhook_routes;
  webhook_routes.add("POST", "/validate", [&parts](const http::Request& request) {
    return parts.endpoint->validate(request);
  });
  webhook_routes.add("GET", "/healthz", [](const http::Request&) {
    return http::json_response(200, "{\"ok\":true}");
  });
  webhook_routes.add("GET", "/readyz", [&parts](const http::Request&) { return readiness(parts); });
  http::Router api_routes;
  parts.provcache_api->add_routes(api_routes);
  parts.ingestion_api->add_routes(api_routes);
  http::Router metrics_routes;
  metrics_routes.add("GET", "/metrics", http::metrics_handler(parts.registry));

  http::ServerConfig server;
  server.threads = config.threads;
  server.logger = parts.logger;
  const http::TlsFiles serving{config.tls_cert, config.tls_key, ""};
  auto& webhook =
      server.listeners.emplace_back(listener("webhook", config.listen, webhook_routes.handler()));
  webhook.tls = serving;
  auto& api =
      server.listeners.emplace_back(listener("api", config.api_listen, api_routes.handler()));
  api.tls = http::TlsFiles{config.tls_cert, config.tls_key, config.api_client_ca};
  api.token_file = config.api_token_file;
  server.listeners.push_back(listener("metrics", config.metrics_listen, metrics_routes.handler()));
  return server;
}

}  // namespace

Result<std::unique_ptr<WebhookApp>> WebhookApp::start(const WebhookConfig& config,
                                                      std::shared_ptr<spdlog::logger> logger) {
  auto parts = std::make_unique<Parts>();
  parts->logger = std::move(logger);
  parts->policy = watch_policy(config, parts->logger);
  auto provcache = open_provcache(config, parts->registry);
  if (!provcache) return provcache.error();
  parts->provcache = std::move(*provcache);
  auto artifacts = open_artifacts(config, *parts->logger);
  if (!artifacts) return artifacts.error();
  parts->artifacts = std::move(*artifacts);
  if (Status kube = connect_kube(config, *parts); !kube) return kube.error();

  parts->decider = std::make_unique<decision::Decider>(*parts->artifacts, *parts->provcache,
                                                       parts->namespace_labels);
  auto reporter = DecisionReporter::create(parts->logger, parts->events.get(), config.audit_log,
                                           &parts->registry);
  if (!reporter) return reporter.error();
  parts->reporter = std::move(*reporter);
  policy::PolicyWatcher* watcher = parts->policy.get();
  const PolicySource current_policy = [watcher] { return watcher->current(); };
  parts->endpoint = std::make_unique<AdmissionEndpoint>(
      current_policy, *parts->decider, *parts->reporter, config.request_deadline, parts->registry);
  parts->provcache_api = std::make_unique<api::ProvcacheApi>(*parts->provcache, unix_seconds_now,
                                                             &parts->registry, parts->logger);
  parts->ingestion_api = std::make_unique<api::IngestionApi>(
      *parts->artifacts, current_policy, unix_seconds_now, &parts->registry, parts->logger);
  if (Status health = start_store_health(config, *parts); !health) return health.error();

  auto server = http::Server::start(server_config(config, *parts), &parts->registry);
  if (!server) return server.error();
  parts->server = std::move(*server);
  parts->logger->info(
      "zastava-webhook serving: webhook https://{}:{} api https://{}:{} metrics "
      "http://{}:{}, store {}, deadline {} ms",
      config.listen.host, parts->server->port("webhook"), config.api_listen.host,
      parts->server->port("api"), config.metrics_listen.host, parts->server->port("metrics"),
      parts->provcache->name(), config.request_deadline.count());
  return std::unique_ptr<WebhookApp>(new WebhookApp(std::move(parts)));
}

WebhookApp::WebhookApp(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

WebhookApp::~WebhookApp() {
  stop();
}

std::uint16_t WebhookApp::port(std::string_view listener_name) const {
  return parts_->server ? parts_->server->port(listener_name) : 0;
}

void WebhookApp::stop() {
  if (!parts_ || !parts_->server) return;
  parts_->logger->info("stopping: finishing in-flight requests");
  parts_->server->stop();
  parts_->server.reset();
  if (parts_->events) {
    parts_->events->wait_idle(std::chrono::seconds(2));
    const kube::EventRecorderStats stats = parts_->events->stats();
    parts_->logger->info("events: {} created, {} patched, {} dropped, {} failed", stats.created,
                         stats.patched, stats.dropped, stats.failed);
  }
  parts_->namespace_watch.reset();
  parts_->logger->info("stopped; stores flush as they close");
}

}  // namespace zastava::webhook
