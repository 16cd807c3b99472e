#pragma once
// TieredProvcache: what production replicas run (seed 000, "Cache Lookup
// Flow"). Three layers behind the one ProvcacheStore interface:
//
//   in-process LRU  ->  Valkey (shared cache)  ->  PostgreSQL (durable)
//
// get   LRU, then Valkey, then PostgreSQL. A Valkey hit fills the LRU; a
//       PostgreSQL hit backfills Valkey and the LRU. Valkey failing is not
//       fatal: the lookup falls through to PostgreSQL (counted, logged at most
//       every few seconds). PostgreSQL failing after a Valkey miss is a kIo
//       error, not a miss, so the webhook applies its failure policy.
// put   LRU and Valkey at once; PostgreSQL through the write-behind queue
//       (write_behind_queue.hpp), or synchronously when write-behind is off
//       or the queue is full. Valkey failing on put is counted and logged; the
//       durable write still happens.
// remove_matching (invalidation) every layer: LRU, the queue, Valkey,
//       PostgreSQL, then publishes the request on the InvalidationBus and
//       waits until every other replica dropped its matching LRU entries and
//       queued writes, so a revoked decision is served nowhere once the call
//       returns. The keys of all layers are merged.
// revocations and evidence live in PostgreSQL only (kUnsupported without).
//
// Invalidation races. A lookup takes the LRU generation before reading the
// lower layers and fills the LRU only if no invalidation ran meanwhile
// (LruCache::insert_if_current). A Valkey backfill that raced an invalidation
// is erased again. The invalidating replica clears Valkey once more after the
// other replicas acknowledged (their in-flight backfills are then either
// erased by themselves or by this second pass) and its own LRU once more at
// the end.
//
// Any layer may be missing: Valkey only (a cache with no durable copy) or
// PostgreSQL only (no shared cache and no bus: replicas cannot tell each
// other about invalidations, so run one replica with an LRU, or set
// memory_cache_entries to 0; a warning is logged).
//
// Metrics (docs/provcache-stores.md): provcache_requests_total,
// provcache_hits_total{layer}, provcache_misses_total,
// provcache_latency_seconds{op}, provcache_items_count,
// provcache_invalidations_total{by}, provcache_layer_errors_total{layer}, and
// the write-behind queue's.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "provcache/lru_cache.hpp"
#include "store/invalidation_bus.hpp"
#include "store/provcache_store.hpp"
#include "store/store_factory.hpp"
#include "store/valkey_store.hpp"
#include "store/write_behind_queue.hpp"

namespace zastava::metrics {
class Registry;
class Counter;
class Gauge;
class Histogram;
}  // namespace zastava::metrics

namespace zastava::store {

struct TieredLayers {
  std::unique_ptr<ValkeyStore> valkey;      // null: no shared cache (and no bus)
  std::unique_ptr<ProvcacheStore> durable;  // null: no durable layer (PostgreSQL in production)
};

struct TieredConfig {
  TieredOptions options;
  // The bus between replicas; needs Valkey. nullopt: no bus (one replica).
  std::optional<InvalidationBusOptions> bus;
  std::chrono::seconds items_refresh_interval{10};  // provcache_items_count
};

class TieredProvcache final : public ProvcacheStore {
 public:
  // kInvalidArgument when no layer is given or a bus is asked for without
  // Valkey (or its options are invalid). `registry` may be null (metrics are
  // then kept privately, see stats()); it must outlive the store.
  static Result<std::unique_ptr<TieredProvcache>> open(TieredLayers layers, TieredConfig config,
                                                       metrics::Registry* registry);
  ~TieredProvcache() override;  // stops the bus, then flushes the write-behind queue
  TieredProvcache(const TieredProvcache&) = delete;
  TieredProvcache& operator=(const TieredProvcache&) = delete;

  [[nodiscard]] std::string_view name() const noexcept override { return "tiered"; }

  Result<Lookup> get(std::string_view veri_key, std::int64_t now_seconds) override;
  Status put(const ProvcacheEntry& entry) override;
  Result<InvalidationResult> remove_matching(const InvalidationRequest& request,
                                             std::int64_t now_seconds) override;

  Status record_revocation(const RevocationRecord& record) override;
  Result<std::vector<RevocationRecord>> revocations(std::size_t limit) override;
  Status put_evidence(const EvidenceManifest& manifest, std::span<const Bytes> chunks) override;
  Result<std::optional<EvidenceManifest>> get_evidence(std::string_view proof_root) override;
  Result<std::optional<Bytes>> get_chunk(std::string_view proof_root, std::uint64_t index) override;
  // The durable layer's count, or Valkey's without one.
  Result<std::uint64_t> count() override;

  // Writes every queued entry to the durable layer now (tests, shutdown).
  Status flush();
  // Sets provcache_items_count from count(); the /metrics handler may call it
  // before rendering (a background thread also does every 10 s).
  Status refresh_items_gauge();
  // Whether the invalidation bus is subscribed (readiness; true without a bus).
  [[nodiscard]] bool bus_ready() const noexcept;

  struct Stats {
    std::uint64_t requests = 0;
    std::uint64_t memory_hits = 0;
    std::uint64_t valkey_hits = 0;
    std::uint64_t postgres_hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t valkey_errors = 0;
    std::uint64_t postgres_errors = 0;
    std::uint64_t bus_errors = 0;  // publish failed or not every replica acknowledged
    std::size_t memory_entries = 0;
    WriteBehindQueue::Stats write_behind;  // zero without a queue
  };
  [[nodiscard]] Stats stats() const;

 private:
  struct Metrics;
  TieredProvcache(TieredLayers layers, TieredConfig config, metrics::Registry* registry);

  Result<Lookup> get_from_lower_layers(std::string_view veri_key, std::int64_t now_seconds);
  void backfill(const ProvcacheEntry& entry, std::uint64_t generation);
  Status write_durable(const ProvcacheEntry& entry);
  Status remove_from_layers(const InvalidationRequest& request, std::int64_t now_seconds,
                            InvalidationResult& removed);
  Status publish_to_replicas(const InvalidationRequest& request);
  void drop_locally(const InvalidationRequest& request, std::int64_t now_seconds);
  void note_layer_error(std::string_view layer, const Error& error);
  void run_items_refresher();

  const TieredConfig config_;
  std::unique_ptr<metrics::Registry> own_registry_;  // when none was given
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<ValkeyStore> valkey_;
  std::unique_ptr<ProvcacheStore> durable_;
  provcache::LruCache lru_;
  std::unique_ptr<WriteBehindQueue> queue_;  // null: write-through
  std::unique_ptr<InvalidationBus> bus_;     // after lru_ and queue_: its callbacks use them
  std::atomic<std::int64_t> last_error_log_ms_{-1000000000};  // steady ms of the last error log

  std::mutex refresher_mutex_;
  std::condition_variable refresher_wake_;
  bool refresher_stopping_ = false;
  std::thread refresher_;  // last: stopped first
};

}  // namespace zastava::store
