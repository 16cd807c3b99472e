#include "operator_app.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "base/stoppable_sleep.hpp"
#include "controller/informer.hpp"
#include "controller/leader_elector.hpp"
#include "controller/work_queue.hpp"
#include "http/metrics_handler.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "invalidation_controller.hpp"
#include "kube/client.hpp"
#include "kube/event_recorder.hpp"
#include "metrics/registry.hpp"
#include "policy_controller.hpp"

namespace zastava::operator_app {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kManagedBySelector = "app.kubernetes.io/managed-by=zastava-operator";
constexpr std::chrono::seconds kHousekeepingTick{1};

const kube::ResourceRef kFacetPolicies{"zastava.stellaops.io", "v1alpha1", "facetpolicies"};
const kube::ResourceRef kProvcachePolicies{"zastava.stellaops.io", "v1alpha1", "provcachepolicies"};
const kube::ResourceRef kConfigMaps{"", "v1", "configmaps"};
const kube::ResourceRef kJobs{"batch", "v1", "jobs"};
const kube::ResourceRef kPods{"", "v1", "pods"};

// One watched kind: its informer and a gauge of the LISTs its watcher made
// (each relist after a dropped watch or a 410 counts).
struct WatchedKind {
  std::string name;
  std::unique_ptr<controller::Informer> informer;
  metrics::Gauge* lists = nullptr;
};

// The series one controller reports.
struct ControllerMetrics {
  metrics::Counter* successes = nullptr;
  metrics::Counter* errors = nullptr;
  metrics::Gauge* depth = nullptr;
  metrics::Histogram* duration = nullptr;
};

ControllerMetrics controller_metrics(metrics::Registry& registry, const std::string& name) {
  const metrics::Labels labels = {{"controller", name}};
  metrics::Labels success = labels;
  success.emplace_back("result", "success");
  metrics::Labels error = labels;
  error.emplace_back("result", "error");
  const std::string help = "Reconciles by controller and result";
  return {&registry.counter("zastava_operator_reconciles_total", help, success),
          &registry.counter("zastava_operator_reconciles_total", help, error),
          &registry.gauge("zastava_operator_queue_depth",
                          "Keys waiting in a controller's work queue (ready or delayed)", labels),
          &registry.histogram("zastava_operator_reconcile_duration_seconds",
                              "Time one reconcile took", metrics::kLatencyBuckets, labels)};
}

void wait_until_stopped(std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  wake.wait(lock, stop, [] { return false; });
}

}  // namespace

// Declared in the order they are built; destroyed in reverse.
struct OperatorApp::Parts {
  OperatorConfig config;
  std::shared_ptr<spdlog::logger> logger;
  metrics::Registry registry;
  std::shared_ptr<kube::Client> client;
  std::unique_ptr<kube::EventRecorder> events;
  std::vector<WatchedKind> kinds;  // facet, provcache, configmap, jobs, pods
  std::unique_ptr<PolicyController> policy;
  std::unique_ptr<InvalidationController> invalidation;
  std::unique_ptr<controller::WorkQueue> policy_queue;
  std::unique_ptr<controller::WorkQueue> invalidation_queue;
  ControllerMetrics policy_metrics;
  ControllerMetrics invalidation_metrics;
  metrics::Gauge* leader_gauge = nullptr;
  metrics::Counter* content_changes = nullptr;
  // The elector's own client: its calls time out well within the renew
  // deadline, so a hung Lease update can never keep a replica believing it
  // leads after its lease ran out (the shared client allows 30 s a call).
  std::unique_ptr<kube::Client> elector_client;
  std::unique_ptr<controller::LeaderElector> elector;
  std::atomic<bool> leading{false};
  std::atomic<bool> synced{false};
  std::unique_ptr<http::Server> health;

  controller::Informer& informer(std::size_t index) { return *kinds.at(index).informer; }

  // Controllers and the work they do while leading.
  void lead(std::stop_token stop);
  bool start_informers(std::stop_token stop);
  void stop_informers();
  void run_policy_worker(std::stop_token stop);
  void run_invalidation_worker(std::stop_token stop);
  void housekeeping(std::stop_token stop);
  void queue_resync();
  void update_gauges();
  int run_elected(std::stop_token stop);
};

namespace {

enum KindIndex : std::size_t { kFacet = 0, kProvcache, kConfigMap, kJob, kPod };

void add_kind(OperatorApp::Parts& parts, std::string name, kube::ResourceRef collection,
              kube::WatcherOptions options) {
  WatchedKind kind;
  kind.informer =
      std::make_unique<controller::Informer>(*parts.client, std::move(collection), options);
  kind.lists = &parts.registry.gauge("zastava_operator_informer_lists",
                                     "LISTs an informer made (the first, then each relist)",
                                     {{"resource", name}});
  kind.name = std::move(name);
  parts.kinds.push_back(std::move(kind));
}

void build_informers(OperatorApp::Parts& parts) {
  const std::string& ns = parts.config.settings.operator_namespace;
  add_kind(parts, "facetpolicies", kFacetPolicies, {});
  add_kind(parts, "provcachepolicies", kProvcachePolicies, {});
  add_kind(parts, "configmaps", kConfigMaps.in(ns),
           {.field_selector = "metadata.name=" + parts.config.settings.config_map_name});
  add_kind(parts, "jobs", kJobs.in(ns), {.label_selector = std::string(kManagedBySelector)});
  add_kind(parts, "pods", kPods.in(ns), {.label_selector = std::string(kManagedBySelector)});
}

std::string content_hash_of(const controller::ObjectPtr& object) {
  if (!object) return {};
  const auto metadata = object->find("metadata");
  if (metadata == object->end()) return {};
  const auto annotations = metadata->find("annotations");
  if (annotations == metadata->end() || !annotations->is_object()) return {};
  return annotations->value(std::string(kContentHashAnnotation), std::string());
}

void build_controllers(OperatorApp::Parts& parts) {
  const auto rate_limits = controller::RateLimiterOptions{};
  parts.policy_queue = std::make_unique<controller::WorkQueue>(rate_limits);
  parts.invalidation_queue = std::make_unique<controller::WorkQueue>(rate_limits);
  parts.policy = std::make_unique<PolicyController>(
      *parts.client,
      PolicyInformers{parts.informer(kFacet), parts.informer(kProvcache),
                      parts.informer(kConfigMap)},
      parts.config.settings, *parts.events);
  parts.invalidation = std::make_unique<InvalidationController>(
      *parts.client,
      InvalidationInformers{parts.informer(kProvcache), parts.informer(kJob), parts.informer(kPod)},
      parts.config.settings, *parts.events);
  parts.policy->enqueue_changes_into(*parts.policy_queue);
  parts.invalidation->enqueue_changes_into(*parts.invalidation_queue);
  // The ConfigMap's content changes (whoever wrote them): a metric, and the
  // log line an admin looks for.
  metrics::Counter* changes = parts.content_changes;
  spdlog::logger* log = parts.logger.get();
  parts.informer(kConfigMap).on_change([changes, log](const controller::ObjectChange& change) {
    const std::string now = content_hash_of(change.object);
    const std::string before = content_hash_of(change.old_object);
    if (change.type == controller::ObjectChange::Type::kDeleted || now == before) return;
    changes->inc();
    log->info("compiled policy ConfigMap {} now has content {}", change.key, now);
  });
}

http::Response readiness(const OperatorApp::Parts& parts) {
  const bool leading = parts.leading.load();
  nlohmann::json body = {{"identity", parts.config.identity}, {"leader", leading}};
  if (parts.elector) body["observedLeader"] = parts.elector->observed_leader();
  if (!leading) {
    body["ready"] = true;
    body["role"] = "standby";
    return http::json_response(200, body.dump());
  }
  body["role"] = "leader";
  body["ready"] = parts.synced.load();
  if (!parts.synced.load()) body["reason"] = "informer caches are not synced yet";
  return http::json_response(parts.synced.load() ? 200 : 503, body.dump());
}

Status start_health(OperatorApp::Parts& parts) {
  http::Router routes;
  routes.add("GET", "/healthz",
             [](const http::Request&) { return http::json_response(200, "{\"ok\":true}"); });
  routes.add("GET", "/readyz", [&parts](const http::Request&) { return readiness(parts); });
  routes.add("GET", "/metrics", http::metrics_handler(parts.registry));
  http::ListenerConfig listener;
  listener.name = "health";
  listener.address = parts.config.health.host;
  listener.port = parts.config.health.port;
  listener.handler = routes.handler();
  http::ServerConfig server;
  server.threads = 1;
  server.logger = parts.logger;
  server.listeners.push_back(std::move(listener));
  auto started = http::Server::start(std::move(server), &parts.registry);
  if (!started) return started.error().with_context("health listener");
  parts.health = std::move(*started);
  return {};
}

Result<kube::ClusterConfig> cluster_config(const OperatorConfig& config) {
  if (!config.kubeconfig.empty()) return kube::load_kubeconfig(config.kubeconfig);
  return kube::load_default_config();
}

}  // namespace

bool OperatorApp::Parts::start_informers(std::stop_token stop) {
  for (auto& kind : kinds) kind.informer->start();
  for (auto& kind : kinds) {
    if (!kind.informer->wait_for_sync(stop)) return false;
    logger->info("informer {} synced: {} objects", kind.name, kind.informer->size());
  }
  return true;
}

void OperatorApp::Parts::stop_informers() {
  for (auto& kind : kinds) kind.informer->stop();
}

void OperatorApp::Parts::run_policy_worker(std::stop_token stop) {
  while (auto key = policy_queue->get(stop)) {
    const auto started = Clock::now();
    const Status done = policy->reconcile(*key, *policy_queue);
    policy_metrics.duration->observe(std::chrono::duration<double>(Clock::now() - started).count());
    if (done) {
      policy_metrics.successes->inc();
      policy_queue->forget(*key);
    } else {
      policy_metrics.errors->inc();
      logger->warn("reconcile {} failed (retry {}): {}", *key, policy_queue->retries(*key) + 1,
                   done.error().describe());
      policy_queue->add_rate_limited(*key);
    }
    policy_queue->done(*key);
  }
}

void OperatorApp::Parts::run_invalidation_worker(std::stop_token stop) {
  while (auto key = invalidation_queue->get(stop)) {
    const auto started = Clock::now();
    const Result<ReconcileResult> done = invalidation->reconcile(*key);
    invalidation_metrics.duration->observe(
        std::chrono::duration<double>(Clock::now() - started).count());
    if (done) {
      invalidation_metrics.successes->inc();
      invalidation_queue->forget(*key);
      if (done->requeue_after) invalidation_queue->add_after(*key, *done->requeue_after);
    } else {
      invalidation_metrics.errors->inc();
      logger->warn("reconcile ProvcachePolicy {} failed (retry {}): {}", *key,
                   invalidation_queue->retries(*key) + 1, done.error().describe());
      invalidation_queue->add_rate_limited(*key);
    }
    invalidation_queue->done(*key);
  }
}

// Level-triggered safety net: everything is looked at again every --resync,
// whatever events were seen (Secrets holding keys and store URLs are read,
// not watched; a TTL sweep may be due).
void OperatorApp::Parts::queue_resync() {
  policy_queue->add(kCompileKey);
  for (const auto& object : informer(kProvcache).list()) {
    invalidation_queue->add(controller::object_key(*object));
  }
}

void OperatorApp::Parts::update_gauges() {
  const auto depth = [](const controller::WorkQueue& queue) {
    const controller::WorkQueueStats stats = queue.stats();
    return static_cast<double>(stats.depth + stats.delayed);
  };
  policy_metrics.depth->set(depth(*policy_queue));
  invalidation_metrics.depth->set(depth(*invalidation_queue));
  for (const auto& kind : kinds) {
    kind.lists->set(static_cast<double>(kind.informer->watcher_stats().lists));
  }
}

void OperatorApp::Parts::housekeeping(std::stop_token stop) {
  auto next_resync = Clock::now() + config.resync;
  while (sleep_unless_stopped(stop, kHousekeepingTick)) {
    update_gauges();
    if (Clock::now() >= next_resync) {
      queue_resync();
      next_resync = Clock::now() + config.resync;
    }
  }
}

// Everything a leader runs, until `stop`: informers, then workers.
void OperatorApp::Parts::lead(std::stop_token stop) {
  leading = true;
  leader_gauge->set(1);
  logger->info("leading as {}: starting informers", config.identity);
  if (start_informers(stop)) {
    synced = true;
    queue_resync();
    std::vector<std::jthread> threads;
    for (unsigned i = 0; i < config.workers; ++i) {
      threads.emplace_back([this](std::stop_token worker_stop) { run_policy_worker(worker_stop); });
      threads.emplace_back(
          [this](std::stop_token worker_stop) { run_invalidation_worker(worker_stop); });
    }
    threads.emplace_back([this](std::stop_token tick_stop) { housekeeping(tick_stop); });
    logger->info("reconciling with {} workers per controller", config.workers);
    wait_until_stopped(stop);
    logger->info("stopping workers");
    policy_queue->shut_down();
    invalidation_queue->shut_down();
    for (auto& thread : threads) thread.request_stop();
    threads.clear();  // joins
  }
  stop_informers();
  synced = false;
  leading = false;
  leader_gauge->set(0);
}

namespace {

// A Lease call's time limit: half the renew deadline (client-go bounds the
// whole renewal by it), so a failed call still leaves time to retry before
// the deadline; never less than the retry period.
std::chrono::milliseconds elector_call_timeout(const OperatorConfig& config) {
  return std::max(config.renew_deadline / 2, config.retry_period);
}

// Built once in create() (before the health listener reads it).
std::unique_ptr<controller::LeaderElector> make_elector(const OperatorApp::Parts& parts) {
  const OperatorConfig& config = parts.config;
  controller::LeaderElectionOptions options;
  options.lease_namespace = config.settings.operator_namespace;
  options.lease_name = config.lease_name;
  options.identity = config.identity;
  options.lease_duration = config.lease_duration;
  options.renew_deadline = config.renew_deadline;
  options.retry_period = config.retry_period;
  options.release_on_cancel = true;
  return std::make_unique<controller::LeaderElector>(*parts.elector_client, options);
}

}  // namespace

int OperatorApp::Parts::run_elected(std::stop_token stop) {
  // The elector runs until the app is stopped or this replica's term ends.
  std::stop_source elector_stop;
  std::stop_callback forward(stop, [&elector_stop] { elector_stop.request_stop(); });
  std::atomic<bool> lost{false};
  controller::LeaderCallbacks callbacks;
  callbacks.on_started_leading = [this, &stop](std::stop_token term) {
    std::stop_source both;
    std::stop_callback on_term(term, [&both] { both.request_stop(); });
    std::stop_callback on_stop(stop, [&both] { both.request_stop(); });
    lead(both.get_token());
  };
  callbacks.on_stopped_leading = [this, &stop, &lost, &elector_stop] {
    if (stop.stop_requested()) {
      logger->info("stopped leading: shutting down");
      return;
    }
    logger->error("leadership lost (the Lease was not renewed within {} ms): exiting",
                  config.renew_deadline.count());
    lost = true;
    elector_stop.request_stop();
  };
  logger->info("campaigning for Lease {}/{} as {}", config.settings.operator_namespace,
               config.lease_name, config.identity);
  elector->run(elector_stop.get_token(), callbacks);
  return lost ? kExitLeadershipLost : kExitStopped;
}

Result<std::unique_ptr<OperatorApp>> OperatorApp::create(const OperatorConfig& config,
                                                         std::shared_ptr<spdlog::logger> logger) {
  auto cluster = cluster_config(config);
  if (!cluster) return cluster.error().with_context("Kubernetes API configuration");
  return create(config, *cluster, std::move(logger));
}

Result<std::unique_ptr<OperatorApp>> OperatorApp::create(const OperatorConfig& config,
                                                         const kube::ClusterConfig& cluster,
                                                         std::shared_ptr<spdlog::logger> logger) {
  auto parts = std::make_unique<Parts>();
  parts->config = config;
  parts->logger = logger ? std::move(logger) : spdlog::default_logger();
  auto client = kube::Client::create(cluster);
  if (!client) return client.error().with_context("Kubernetes client");
  parts->client = std::shared_ptr<kube::Client>(std::move(*client));
  parts->events = std::make_unique<kube::EventRecorder>(
      std::make_unique<kube::ClientEventSink>(parts->client),
      kube::EventRecorderOptions{.reporting_controller = "zastava.stellaops.io/operator",
                                 .reporting_instance = config.identity});
  parts->policy_metrics = controller_metrics(parts->registry, "policy");
  parts->invalidation_metrics = controller_metrics(parts->registry, "invalidation");
  parts->leader_gauge =
      &parts->registry.gauge("zastava_operator_is_leader", "1 while this replica leads, else 0");
  parts->content_changes =
      &parts->registry.counter("zastava_operator_policy_content_changes_total",
                               "Times the compiled policy ConfigMap was seen with new content");
  build_informers(*parts);
  build_controllers(*parts);
  if (config.leader_elect) {
    kube::ClientOptions elector_options;
    elector_options.timeout = elector_call_timeout(config);
    auto elector_client = kube::Client::create(cluster, elector_options);
    if (!elector_client) return elector_client.error().with_context("Kubernetes client (Lease)");
    parts->elector_client = std::move(*elector_client);
    parts->elector = make_elector(*parts);
  }
  if (Status health = start_health(*parts); !health) return health.error();
  parts->logger->info(
      "zastava-operator {} on {}: namespace {}, ConfigMap {}/{}, health http://{}:{}",
      config.identity, parts->client->config().server, config.settings.operator_namespace,
      config.settings.config_map_name, config.settings.config_map_key, config.health.host,
      parts->health->port("health"));
  return std::unique_ptr<OperatorApp>(new OperatorApp(std::move(parts)));
}

OperatorApp::OperatorApp(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

OperatorApp::~OperatorApp() {
  if (parts_ && parts_->health) parts_->health->stop();
}

int OperatorApp::run(std::stop_token stop) {
  Parts& parts = *parts_;
  int code = kExitStopped;
  if (parts.config.leader_elect) {
    code = parts.run_elected(stop);
  } else {
    parts.logger->info("leader election disabled: reconciling");
    parts.lead(stop);
  }
  parts.events->wait_idle(std::chrono::seconds(2));
  const kube::EventRecorderStats stats = parts.events->stats();
  parts.logger->info("events: {} created, {} patched, {} dropped, {} failed", stats.created,
                     stats.patched, stats.dropped, stats.failed);
  return code;
}

std::uint16_t OperatorApp::health_port() const {
  return parts_->health ? parts_->health->port("health") : 0;
}

bool OperatorApp::is_leader() const {
  return parts_->leading.load();
}

bool OperatorApp::is_serving() const {
  return parts_->leading.load() && parts_->synced.load();
}

}  // namespace zastava::operator_app
