#include "store/store_factory.hpp"

#include <unistd.h>

#include <array>
#include <random>
#include <utility>

#include "base/hex.hpp"
#include "store/embedded_store.hpp"
#include "store/postgres_store.hpp"
#include "store/tiered_provcache.hpp"
#include "store/valkey_store.hpp"

namespace zastava::store {

namespace {

// "<hostname>-<pid>-<random>": unique per process, readable in ack lists
// (the hostname is the pod name in Kubernetes).
std::string make_replica_id() {
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  std::random_device random;
  std::array<std::uint8_t, 4> salt{};
  for (auto& byte : salt) byte = static_cast<std::uint8_t>(random());
  const std::string name = host[0] != '\0' ? std::string(host.data()) : "replica";
  return name + "-" + std::to_string(::getpid()) + "-" + encoding::hex_encode(salt);
}

Result<std::unique_ptr<ProvcacheStore>> open_tiered(const StoreSettings& settings,
                                                    metrics::Registry* registry) {
  TieredLayers layers;
  TieredConfig config;
  config.options = settings.tiered;
  if (settings.postgres_url) {
    auto durable = PostgresStore::open(PostgresOptions{.url = *settings.postgres_url});
    if (!durable.ok()) return durable.error();
    layers.durable = std::move(*durable);
  }
  if (settings.valkey_url) {
    ValkeyConnectionOptions connection;
    connection.url = *settings.valkey_url;
    auto valkey =
        ValkeyStore::open(ValkeyStoreOptions{connection, settings.tiered.valkey_key_prefix});
    if (!valkey.ok()) return valkey.error();
    if (auto reachable = (*valkey)->ping(); !reachable.ok()) return reachable.error();
    layers.valkey = std::move(*valkey);
    InvalidationBusOptions bus;
    bus.connection = connection;
    bus.key_prefix = settings.tiered.valkey_key_prefix;
    bus.replica_id = make_replica_id();
    config.bus = std::move(bus);
  }
  auto tiered = TieredProvcache::open(std::move(layers), std::move(config), registry);
  if (!tiered.ok()) return tiered.error();
  return std::unique_ptr<ProvcacheStore>(std::move(*tiered));
}

}  // namespace

Result<std::unique_ptr<ProvcacheStore>> open_store(const StoreSettings& settings,
                                                   metrics::Registry* registry) {
  const bool tiered = settings.postgres_url.has_value() || settings.valkey_url.has_value();
  if (settings.embedded_dir && tiered) {
    return make_error(ErrorCode::kInvalidArgument,
                      "provcache store: choose the embedded store (--store-dir) or "
                      "PostgreSQL/Valkey (--postgres/--valkey), not both");
  }
  if (tiered) return open_tiered(settings, registry);
  if (!settings.embedded_dir) {
    return make_error(ErrorCode::kInvalidArgument,
                      "provcache store: none configured (give --store-dir, or --postgres "
                      "and/or --valkey)");
  }
  auto embedded = EmbeddedStore::open(*settings.embedded_dir);
  if (!embedded.ok()) return embedded.error();
  return std::unique_ptr<ProvcacheStore>(std::move(*embedded));
}

}  // namespace zastava::store
