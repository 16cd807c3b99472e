#pragma once
// Opens the provcache store a binary is configured for: the embedded store
// (the laptop default) or, for production, TieredProvcache over PostgreSQL
// and Valkey. The webhook, the API and `stella prov` all open their store
// here, from the same settings.
//
// Settings as flags (stella) or config keys (webhook):
//   embedded:  --store-dir DIR                       {"store":{"embedded":{"dir":DIR}}}
//   tiered:    --postgres URL --valkey URL           {"store":{"postgres":{"url":..},
//                                                              "valkey":{"url":..}}}
// Either PostgreSQL or Valkey may be given alone (PostgreSQL alone: durable,
// no shared cache; Valkey alone: a cache with no durable layer, allowed but
// logged as a warning).

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "base/result.hpp"
#include "provcache/decision_digest.hpp"
#include "store/provcache_store.hpp"

namespace zastava::metrics {
class Registry;
}

namespace zastava::store {

struct TieredOptions {
  std::string valkey_key_prefix = "stellaops:prov:";            // seed: valkeyKeyPrefix
  bool enable_write_behind = true;                              // seed: enableWriteBehind
  std::chrono::milliseconds write_behind_flush_interval{5000};  // seed: 5s
  std::size_t write_behind_max_batch_size = 100;                // seed: 100
  std::size_t write_behind_max_queue = 100000;               // bound; a full queue writes through
  std::size_t memory_cache_entries = 100000;                 // in-process LRU capacity
  std::chrono::milliseconds invalidation_ack_timeout{2000};  // wait for other replicas
};

struct StoreSettings {
  std::optional<std::string> embedded_dir;  // the default when nothing else is set
  std::optional<std::string> postgres_url;  // postgresql://user@host:port/db
  std::optional<std::string> valkey_url;    // redis://host:port[/db]
  TieredOptions tiered;
};

// kInvalidArgument when embedded_dir is combined with postgres/valkey, or no
// store at all is configured; kIo when a server cannot be reached at open
// time (the message names it). `registry` may be null (no metrics).
Result<std::unique_ptr<ProvcacheStore>> open_store(const StoreSettings& settings,
                                                   metrics::Registry* registry);

}  // namespace zastava::store
