#include "store/tiered_provcache.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <utility>

#include "metrics/registry.hpp"

namespace zastava::store {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::int64_t kErrorLogIntervalMs = 5000;
constexpr std::array kInvalidationKinds = {
    provcache::InvalidationKind::kSignerSetHash, provcache::InvalidationKind::kPolicyHash,
    provcache::InvalidationKind::kFeedEpoch, provcache::InvalidationKind::kExpired};

std::int64_t wall_clock_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

InvalidationResult as_result(std::vector<std::string> keys) {
  InvalidationResult sorted;
  provcache::merge(sorted, InvalidationResult{std::move(keys)});
  return sorted;
}

Error no_durable_layer(std::string_view what) {
  return make_error(ErrorCode::kUnsupported,
                    "tiered provcache: " + std::string(what) +
                        " needs the durable layer (PostgreSQL), which is not configured");
}

// Observes the time from construction to destruction into a histogram.
class LatencyTimer {
 public:
  explicit LatencyTimer(metrics::Histogram& histogram)
      : histogram_(histogram), started_(Clock::now()) {}
  ~LatencyTimer() {
    histogram_.observe(std::chrono::duration<double>(Clock::now() - started_).count());
  }
  LatencyTimer(const LatencyTimer&) = delete;
  LatencyTimer& operator=(const LatencyTimer&) = delete;

 private:
  metrics::Histogram& histogram_;
  Clock::time_point started_;
};

}  // namespace

struct TieredProvcache::Metrics {
  explicit Metrics(metrics::Registry& registry)
      : requests(registry.counter("provcache_requests_total", "Provcache lookups")),
        memory_hits(hits(registry, "memory")),
        valkey_hits(hits(registry, "valkey")),
        postgres_hits(hits(registry, "postgres")),
        misses(registry.counter("provcache_misses_total", "Provcache lookups that found nothing")),
        get_latency(latency(registry, "get")),
        put_latency(latency(registry, "put")),
        invalidate_latency(latency(registry, "invalidate")),
        items(registry.gauge("provcache_items_count", "Live provcache entries (durable layer)")),
        valkey_errors(layer_errors(registry, "valkey")),
        postgres_errors(layer_errors(registry, "postgres")),
        bus_errors(layer_errors(registry, "bus")) {
    for (std::size_t i = 0; i < kInvalidationKinds.size(); ++i) {
      invalidations[i] =
          &registry.counter("provcache_invalidations_total", "Provcache invalidation requests",
                            {{"by", std::string(provcache::to_string(kInvalidationKinds[i]))}});
    }
  }

  static metrics::Counter& hits(metrics::Registry& registry, const std::string& layer) {
    return registry.counter("provcache_hits_total", "Provcache lookups answered, by layer",
                            {{"layer", layer}});
  }
  static metrics::Histogram& latency(metrics::Registry& registry, const std::string& op) {
    return registry.histogram("provcache_latency_seconds", "Provcache operation latency",
                              metrics::kLatencyBuckets, {{"op", op}});
  }
  static metrics::Counter& layer_errors(metrics::Registry& registry, const std::string& layer) {
    return registry.counter("provcache_layer_errors_total",
                            "Failed calls to a provcache layer (served from another)",
                            {{"layer", layer}});
  }

  metrics::Counter& invalidations_by(provcache::InvalidationKind kind) {
    return *invalidations[static_cast<std::size_t>(kind)];
  }

  metrics::Counter& requests;
  metrics::Counter& memory_hits;
  metrics::Counter& valkey_hits;
  metrics::Counter& postgres_hits;
  metrics::Counter& misses;
  metrics::Histogram& get_latency;
  metrics::Histogram& put_latency;
  metrics::Histogram& invalidate_latency;
  metrics::Gauge& items;
  metrics::Counter& valkey_errors;
  metrics::Counter& postgres_errors;
  metrics::Counter& bus_errors;
  std::array<metrics::Counter*, kInvalidationKinds.size()> invalidations{};
};

Result<std::unique_ptr<TieredProvcache>> TieredProvcache::open(TieredLayers layers,
                                                               TieredConfig config,
                                                               metrics::Registry* registry) {
  if (!layers.valkey && !layers.durable) {
    return make_error(ErrorCode::kInvalidArgument,
                      "tiered provcache: neither Valkey nor PostgreSQL is configured");
  }
  if (config.bus && !layers.valkey) {
    return make_error(ErrorCode::kInvalidArgument,
                      "tiered provcache: the invalidation bus needs Valkey");
  }
  if (!layers.durable) {
    spdlog::warn(
        "provcache: Valkey without PostgreSQL: decisions and revocations are not kept durably");
  }
  if (!config.bus && config.options.memory_cache_entries > 0) {
    spdlog::warn(
        "provcache: no invalidation bus: other replicas' in-process caches are not told about "
        "invalidations; run a single replica or set memory_cache_entries to 0");
  }
  const bool refresh_items = registry != nullptr;
  auto bus_options = config.bus;
  std::unique_ptr<TieredProvcache> store(
      new TieredProvcache(std::move(layers), std::move(config), registry));
  if (bus_options) {
    auto* self = store.get();
    InvalidationBus::Callbacks callbacks{.on_invalidation =
                                             [self](const InvalidationRequest& request) {
                                               self->drop_locally(request, wall_clock_seconds());
                                             },
                                         .on_resync = [self] { self->lru_.clear(); }};
    auto bus = InvalidationBus::start(std::move(*bus_options), std::move(callbacks));
    if (!bus.ok()) return bus.error();
    store->bus_ = std::move(*bus);
  }
  if (refresh_items)
    store->refresher_ = std::thread([self = store.get()] { self->run_items_refresher(); });
  return store;
}

TieredProvcache::TieredProvcache(TieredLayers layers, TieredConfig config,
                                 metrics::Registry* registry)
    : config_(std::move(config)),
      own_registry_(registry == nullptr ? std::make_unique<metrics::Registry>() : nullptr),
      metrics_(std::make_unique<Metrics>(registry != nullptr ? *registry : *own_registry_)),
      valkey_(std::move(layers.valkey)),
      durable_(std::move(layers.durable)),
      lru_(config_.options.memory_cache_entries) {
  if (durable_ && config_.options.enable_write_behind) {
    WriteBehindOptions queue_options;
    queue_options.flush_interval = config_.options.write_behind_flush_interval;
    queue_options.max_batch_size = config_.options.write_behind_max_batch_size;
    queue_options.max_queue = config_.options.write_behind_max_queue;
    queue_ = std::make_unique<WriteBehindQueue>(*durable_, queue_options, registry);
  }
}

TieredProvcache::~TieredProvcache() {
  {
    std::lock_guard lock(refresher_mutex_);
    refresher_stopping_ = true;
  }
  refresher_wake_.notify_all();
  if (refresher_.joinable()) refresher_.join();
  bus_.reset();    // no more callbacks into the LRU and the queue
  queue_.reset();  // flushes to the durable layer, which is still there
}

Result<Lookup> TieredProvcache::get(std::string_view veri_key, std::int64_t now_seconds) {
  LatencyTimer timer(metrics_->get_latency);
  metrics_->requests.inc();
  if (auto entry = lru_.get(veri_key, now_seconds)) {
    metrics_->memory_hits.inc();
    return Lookup{std::move(entry), LookupSource::kMemory};
  }
  auto found = get_from_lower_layers(veri_key, now_seconds);
  if (!found.ok()) return found;
  switch (found->source) {
    case LookupSource::kValkey:
      metrics_->valkey_hits.inc();
      break;
    case LookupSource::kPostgres:
      metrics_->postgres_hits.inc();
      break;
    default:
      metrics_->misses.inc();
      break;
  }
  return found;
}

Result<Lookup> TieredProvcache::get_from_lower_layers(std::string_view veri_key,
                                                      std::int64_t now_seconds) {
  const auto generation = lru_.generation();
  std::optional<Error> valkey_failure;
  if (valkey_) {
    auto cached = valkey_->get(veri_key, now_seconds);
    if (cached.ok() && cached->entry) {
      lru_.insert_if_current(*cached->entry, generation);
      return Lookup{std::move(cached->entry), LookupSource::kValkey};
    }
    if (!cached.ok()) {
      note_layer_error("valkey", cached.error());
      valkey_failure = cached.error();
    }
  }
  if (!durable_) {
    if (valkey_failure) return valkey_failure->with_context("provcache lookup");
    return Lookup{};
  }
  auto stored = durable_->get(veri_key, now_seconds);
  if (!stored.ok()) {
    note_layer_error("postgres", stored.error());
    return stored.error().with_context("provcache lookup");
  }
  if (!stored->entry) return Lookup{};
  backfill(*stored->entry, generation);
  return Lookup{std::move(stored->entry), LookupSource::kPostgres};
}

void TieredProvcache::backfill(const ProvcacheEntry& entry, std::uint64_t generation) {
  if (valkey_) {
    if (auto written = valkey_->put(entry); !written.ok()) {
      note_layer_error("valkey", written.error());
    } else if (lru_.generation() != generation) {
      // An invalidation ran while this lookup read PostgreSQL: the copy just
      // written may be revoked, and the invalidation may already be past Valkey.
      if (auto erased = valkey_->erase(entry.veri_key()); !erased.ok()) {
        note_layer_error("valkey", erased.error());
      }
      return;
    }
  }
  lru_.insert_if_current(entry, generation);
}

Status TieredProvcache::put(const ProvcacheEntry& entry) {
  LatencyTimer timer(metrics_->put_latency);
  // A bad entry must not reach the queue, where it would fail every batch.
  if (auto valid = provcache::entry_to_json(entry); !valid.ok()) return valid.error();
  lru_.insert(entry);
  Status cached = ok_status();
  if (valkey_) {
    cached = valkey_->put(entry);
    if (!cached.ok()) note_layer_error("valkey", cached.error());
  }
  if (!durable_) return cached;
  return write_durable(entry);
}

Status TieredProvcache::write_durable(const ProvcacheEntry& entry) {
  if (queue_ && queue_->enqueue(entry)) return ok_status();
  auto written = durable_->put(entry);
  if (!written.ok()) note_layer_error("postgres", written.error());
  return written;
}

Result<InvalidationResult> TieredProvcache::remove_matching(const InvalidationRequest& request,
                                                            std::int64_t now_seconds) {
  if (auto valid = provcache::validate(request); !valid.ok()) return valid.error();
  LatencyTimer timer(metrics_->invalidate_latency);
  metrics_->invalidations_by(request.by).inc();
  const auto matches = [&](const ProvcacheEntry& entry) {
    return provcache::matches(request, entry, now_seconds);
  };

  InvalidationResult removed = as_result(lru_.remove_if(matches));
  auto status = remove_from_layers(request, now_seconds, removed);
  if (bus_) {
    if (auto published = publish_to_replicas(request); !published.ok() && status.ok()) {
      status = published;
    }
    // Other replicas' backfills that raced this invalidation are done now
    // (or will erase themselves): clear Valkey once more.
    if (auto again = valkey_->remove_matching(request, now_seconds); again.ok()) {
      provcache::merge(removed, *again);
    } else {
      note_layer_error("valkey", again.error());
    }
  }
  // A lookup that read Valkey before it was cleared may have filled the LRU.
  provcache::merge(removed, as_result(lru_.remove_if(matches)));
  if (!status.ok()) return status.error();
  return removed;
}

Status TieredProvcache::remove_from_layers(const InvalidationRequest& request,
                                           std::int64_t now_seconds, InvalidationResult& removed) {
  Status first_failure = ok_status();
  if (queue_) provcache::merge(removed, queue_->remove_matching(request, now_seconds));
  if (valkey_) {
    if (auto from_valkey = valkey_->remove_matching(request, now_seconds); from_valkey.ok()) {
      provcache::merge(removed, *from_valkey);
    } else {
      note_layer_error("valkey", from_valkey.error());
      first_failure = from_valkey.error().with_context("invalidating Valkey");
    }
  }
  if (durable_) {
    if (auto from_durable = durable_->remove_matching(request, now_seconds); from_durable.ok()) {
      provcache::merge(removed, *from_durable);
    } else {
      note_layer_error("postgres", from_durable.error());
      if (first_failure.ok()) {
        first_failure = from_durable.error().with_context("invalidating PostgreSQL");
      }
    }
  }
  return first_failure;
}

Status TieredProvcache::publish_to_replicas(const InvalidationRequest& request) {
  auto published = bus_->publish(request, config_.options.invalidation_ack_timeout);
  if (!published.ok()) {
    // The other replicas were not told: fail, so the caller retries. (Their
    // subscribers, cut off from Valkey too, resync when they reconnect.)
    note_layer_error("bus", published.error());
    return published.error().with_context("telling the other replicas");
  }
  if (!published->complete()) {
    metrics_->bus_errors.inc();
    spdlog::warn("provcache: invalidation ({}) acknowledged by {} of {} replicas within {} ms",
                 provcache::to_string(request.by), published->acknowledged, published->receivers,
                 config_.options.invalidation_ack_timeout.count());
  }
  return ok_status();
}

void TieredProvcache::drop_locally(const InvalidationRequest& request, std::int64_t now_seconds) {
  lru_.remove_if(
      [&](const ProvcacheEntry& entry) { return provcache::matches(request, entry, now_seconds); });
  if (queue_) queue_->remove_matching(request, now_seconds);
}

Status TieredProvcache::record_revocation(const RevocationRecord& record) {
  if (!durable_) return no_durable_layer("recording a revocation");
  return durable_->record_revocation(record);
}

Result<std::vector<RevocationRecord>> TieredProvcache::revocations(std::size_t limit) {
  if (!durable_) return no_durable_layer("the revocation log");
  return durable_->revocations(limit);
}

Status TieredProvcache::put_evidence(const EvidenceManifest& manifest,
                                     std::span<const Bytes> chunks) {
  if (!durable_) return no_durable_layer("storing evidence");
  return durable_->put_evidence(manifest, chunks);
}

Result<std::optional<EvidenceManifest>> TieredProvcache::get_evidence(std::string_view proof_root) {
  if (!durable_) return no_durable_layer("evidence");
  return durable_->get_evidence(proof_root);
}

Result<std::optional<Bytes>> TieredProvcache::get_chunk(std::string_view proof_root,
                                                        std::uint64_t index) {
  if (!durable_) return no_durable_layer("evidence");
  return durable_->get_chunk(proof_root, index);
}

Result<std::uint64_t> TieredProvcache::count() {
  return durable_ ? durable_->count() : valkey_->count();
}

Status TieredProvcache::flush() {
  return queue_ ? queue_->flush() : ok_status();
}

Status TieredProvcache::refresh_items_gauge() {
  auto items = count();
  if (!items.ok()) return items.error();
  metrics_->items.set(static_cast<double>(*items));
  return ok_status();
}

bool TieredProvcache::bus_ready() const noexcept {
  return !bus_ || bus_->subscribed();
}

TieredProvcache::Stats TieredProvcache::stats() const {
  Stats stats;
  stats.requests = metrics_->requests.value();
  stats.memory_hits = metrics_->memory_hits.value();
  stats.valkey_hits = metrics_->valkey_hits.value();
  stats.postgres_hits = metrics_->postgres_hits.value();
  stats.misses = metrics_->misses.value();
  stats.valkey_errors = metrics_->valkey_errors.value();
  stats.postgres_errors = metrics_->postgres_errors.value();
  stats.bus_errors = metrics_->bus_errors.value();
  stats.memory_entries = lru_.size();
  if (queue_) stats.write_behind = queue_->stats();
  return stats;
}

void TieredProvcache::note_layer_error(std::string_view layer, const Error& error) {
  if (layer == "valkey") {
    metrics_->valkey_errors.inc();
  } else if (layer == "postgres") {
    metrics_->postgres_errors.inc();
  } else {
    metrics_->bus_errors.inc();
  }
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
          .count();
  auto last = last_error_log_ms_.load(std::memory_order_relaxed);
  if (now_ms - last < kErrorLogIntervalMs) return;
  if (!last_error_log_ms_.compare_exchange_strong(last, now_ms)) return;
  spdlog::warn(
      "provcache: {} layer failed (further errors counted in "
      "provcache_layer_errors_total, logged at most every {} s): {}",
      layer, kErrorLogIntervalMs / 1000, error.describe());
}

void TieredProvcache::run_items_refresher() {
  std::unique_lock lock(refresher_mutex_);
  while (!refresher_stopping_) {
    lock.unlock();
    if (auto refreshed = refresh_items_gauge(); !refreshed.ok()) {
      spdlog::debug("provcache: items gauge not refreshed: {}", refreshed.error().describe());
    }
    lock.lock();
    refresher_wake_.wait_for(lock, config_.items_refresh_interval,
                             [this] { return refresher_stopping_; });
  }
}

}  // namespace zastava::store
