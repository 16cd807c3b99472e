// StoreHealth (the store probes behind /readyz): the report's rules with
// scripted probes, then the probes webhook_app.cpp builds run against real
// stores: the embedded ones in a temporary directory, and PostgreSQL 15 +
// Redis 7 servers (tests/harness) stopped and started again under them.

#include "store_health.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "metrics/registry.hpp"
#include "store/embedded_artifact_store.hpp"
#include "store/postgres_artifact_store.hpp"
#include "store/postgres_store.hpp"
#include "store/store_factory.hpp"
#include "store/valkey_store.hpp"
#include "temp_dir.hpp"
#include "test_servers.hpp"

namespace zastava::webhook {
namespace {

using namespace std::chrono_literals;
using zastava::testing::PostgresServer;
using zastava::testing::RedisServer;

constexpr std::string_view kUpHelp = "1 when the store answered the last readiness probe";

bool eventually(const std::function<bool()>& condition, std::chrono::seconds limit = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

double store_up(metrics::Registry& registry, const std::string& store) {
  return registry.gauge("webhook_store_up", std::string(kUpHelp), {{"store", store}}).value();
}

// A copy (reports are returned by value); throws when `name` is not probed.
StoreState find_store(const StoreHealthReport& report, std::string_view name) {
  for (const StoreState& store : report.stores) {
    if (store.name == name) return store;
  }
  throw std::runtime_error("no store '" + std::string(name) + "' in the report");
}

// --- The report's rules ---

TEST(StoreHealthReport, NotProbedIsNotReady) {
  const StoreHealthReport report;
  EXPECT_FALSE(report.ready());
  EXPECT_FALSE(report.degraded());
  EXPECT_EQ(report.unready_reason(), "stores not probed yet");
}

TEST(StoreHealthReport, RequiredStoresDecideReadinessOptionalOnesDegradeIt) {
  StoreHealthReport report;
  report.probed = true;
  report.stores = {{"provcache", true, true, ""},
                   {"artifacts", true, true, ""},
                   {"valkey", false, false, "connection refused"}};
  EXPECT_TRUE(report.ready());
  EXPECT_TRUE(report.degraded());
  EXPECT_EQ(report.unready_reason(), "");

  report.stores[0] = {"provcache", false, true, "timeout"};
  report.stores[1] = {"artifacts", false, true, "refused"};
  EXPECT_FALSE(report.ready());
  // Only the required stores down, in probe order.
  EXPECT_EQ(report.unready_reason(), "provcache: timeout; artifacts: refused");
}

// --- StoreHealth with scripted probes ---

// A probe whose answer the test sets; counts its calls.
struct ScriptedProbe {
  std::atomic<bool> up{true};
  std::atomic<int> calls{0};
  std::string failure = "store unreachable";

  StoreProbe probe(std::string name, bool required) {
    return {std::move(name),
            [this]() -> Status {
              ++calls;
              if (up) return ok_status();
              return make_error(ErrorCode::kIo, failure);
            },
            required};
  }
};

TEST(StoreHealth, ProbesOnceBeforeTheConstructorReturns) {
  ScriptedProbe store;
  store.up = false;
  const StoreHealth health({store.probe("provcache", true)}, 1h, nullptr);
  EXPECT_EQ(store.calls.load(), 1);
  const StoreHealthReport report = health.report();
  EXPECT_TRUE(report.probed);
  EXPECT_FALSE(report.ready());
  EXPECT_EQ(report.unready_reason(), "provcache: store unreachable");
}

TEST(StoreHealth, FollowsTheProbesAndSetsTheGauges) {
  metrics::Registry registry;
  ScriptedProbe required;
  ScriptedProbe optional;
  const StoreHealth health({required.probe("provcache", true), optional.probe("valkey", false)},
                           10ms, &registry);
  EXPECT_TRUE(health.report().ready());
  EXPECT_FALSE(health.report().degraded());
  EXPECT_EQ(store_up(registry, "provcache"), 1.0);
  EXPECT_EQ(store_up(registry, "valkey"), 1.0);

  optional.up = false;  // degraded, still ready
  ASSERT_TRUE(eventually([&] { return health.report().degraded(); }));
  EXPECT_TRUE(health.report().ready());
  EXPECT_EQ(store_up(registry, "valkey"), 0.0);
  const StoreState valkey = find_store(health.report(), "valkey");
  EXPECT_FALSE(valkey.up);
  EXPECT_FALSE(valkey.required);
  EXPECT_EQ(valkey.error, "store unreachable");

  required.up = false;  // not ready
  ASSERT_TRUE(eventually([&] { return !health.report().ready(); }));
  EXPECT_EQ(health.report().unready_reason(), "provcache: store unreachable");
  EXPECT_EQ(store_up(registry, "provcache"), 0.0);

  required.up = true;
  optional.up = true;
  ASSERT_TRUE(eventually([&] {
    const StoreHealthReport report = health.report();
    return report.ready() && !report.degraded();
  }));
  EXPECT_EQ(store_up(registry, "provcache"), 1.0);
  EXPECT_EQ(store_up(registry, "valkey"), 1.0);
  EXPECT_EQ(find_store(health.report(), "valkey").error, "");
}

TEST(StoreHealth, DestructorDoesNotWaitForTheNextRound) {
  ScriptedProbe store;
  const auto started = std::chrono::steady_clock::now();
  { const StoreHealth health({store.probe("provcache", true)}, 1h, nullptr); }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);  // not the hour
  EXPECT_EQ(store.calls.load(), 1);
}

// --- The webhook's probes against real stores ---

// Keys no admission ever looks up (as in webhook_app.cpp).
constexpr std::string_view kProbeVeriKey =
    "sha256:0000000000000000000000000000000000000000000000000000000000000000";
constexpr std::string_view kProbeRepository = "zastava.invalid/readiness-probe";

std::int64_t unix_seconds_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The probes webhook_app.cpp's start_store_health() builds (it does not
// export them; keep the two in step).
std::vector<StoreProbe> webhook_probes(store::ProvcacheStore& provcache,
                                       store::ArtifactStore& artifacts,
                                       store::ValkeyStore* valkey) {
  std::vector<StoreProbe> probes;
  probes.push_back({"provcache", [&provcache]() -> Status {
                      auto lookup = provcache.get(kProbeVeriKey, unix_seconds_now());
                      if (!lookup) return lookup.error();
                      return ok_status();
                    }});
  probes.push_back({"artifacts", [&artifacts]() -> Status {
                      auto seal = artifacts.latest_approved_seal(kProbeRepository, "probe");
                      if (!seal) return seal.error();
                      return ok_status();
                    }});
  if (valkey != nullptr) probes.push_back({"valkey", [valkey] { return valkey->ping(); }, false});
  return probes;
}

using zastava::testing::TempDir;

TEST(StoreHealthWithStores, EmbeddedStoresAreUp) {
  TempDir dir;
  metrics::Registry registry;
  store::StoreSettings settings;
  settings.embedded_dir = (dir.path() / "provcache").string();
  auto provcache = store::open_store(settings, &registry);
  ASSERT_TRUE(provcache.ok()) << provcache.error().describe();
  auto artifacts = store::EmbeddedArtifactStore::open(dir.path() / "artifacts");
  ASSERT_TRUE(artifacts.ok()) << artifacts.error().describe();

  std::vector<StoreProbe> probes = webhook_probes(**provcache, **artifacts, nullptr);
  auto rounds = std::make_shared<std::atomic<int>>(0);  // counts the provcache probe's calls
  probes[0].check = [check = probes[0].check, rounds] {
    ++*rounds;
    return check();
  };
  const StoreHealth health(std::move(probes), 20ms, &registry);
  const StoreHealthReport report = health.report();
  EXPECT_TRUE(report.ready()) << report.unready_reason();
  EXPECT_FALSE(report.degraded());
  ASSERT_EQ(report.stores.size(), 2u);
  for (const StoreState& store : report.stores) {
    EXPECT_TRUE(store.up) << store.name << ": " << store.error;
    EXPECT_TRUE(store.required) << store.name;
  }
  EXPECT_EQ(store_up(registry, "provcache"), 1.0);
  EXPECT_EQ(store_up(registry, "artifacts"), 1.0);
  // Still up in the thread's rounds after the first (the one in the constructor).
  ASSERT_TRUE(eventually([&] { return rounds->load() >= 3; }));
  EXPECT_TRUE(health.report().ready()) << health.report().unready_reason();
}

TEST(StoreHealthWithStores, ValkeyDownDegradesPostgresDownMakesUnready) {
  const auto postgres = PostgresServer::start();
  const auto redis = RedisServer::start();
  metrics::Registry registry;

  store::StoreSettings settings;
  settings.postgres_url = postgres->connection_url();
  settings.valkey_url = redis->url();
  auto provcache = store::open_store(settings, &registry);  // tiered
  ASSERT_TRUE(provcache.ok()) << provcache.error().describe();
  auto artifacts = store::PostgresArtifactStore::open({.url = postgres->connection_url()});
  ASSERT_TRUE(artifacts.ok()) << artifacts.error().describe();
  store::ValkeyConnectionOptions connection;
  connection.url = redis->url();
  connection.pool_size = 1;
  auto valkey = store::ValkeyStore::open(
      store::ValkeyStoreOptions{connection, std::string(store::kDefaultValkeyKeyPrefix)});
  ASSERT_TRUE(valkey.ok()) << valkey.error().describe();

  const StoreHealth health(webhook_probes(**provcache, **artifacts, valkey->get()), 100ms,
                           &registry);
  {
    const StoreHealthReport report = health.report();
    EXPECT_TRUE(report.ready()) << report.unready_reason();
    EXPECT_FALSE(report.degraded());
    ASSERT_EQ(report.stores.size(), 3u);
    EXPECT_EQ(store_up(registry, "valkey"), 1.0);
  }

  // Valkey down: the tiered store falls through to PostgreSQL.
  redis->stop();
  ASSERT_TRUE(eventually([&] { return health.report().degraded(); }));
  {
    const StoreHealthReport report = health.report();
    EXPECT_TRUE(report.ready()) << report.unready_reason();
    EXPECT_TRUE(find_store(report, "provcache").up) << find_store(report, "provcache").error;
    EXPECT_TRUE(find_store(report, "artifacts").up) << find_store(report, "artifacts").error;
    EXPECT_FALSE(find_store(report, "valkey").error.empty());
    EXPECT_EQ(store_up(registry, "valkey"), 0.0);
  }

  redis->start_again();
  ASSERT_TRUE(eventually([&] {
    const StoreHealthReport report = health.report();
    return report.ready() && !report.degraded();
  })) << find_store(health.report(), "valkey").error;
  EXPECT_EQ(store_up(registry, "valkey"), 1.0);

  // PostgreSQL down: both required stores fail.
  postgres->stop();
  ASSERT_TRUE(eventually([&] {
    const StoreHealthReport report = health.report();
    return !find_store(report, "provcache").up && !find_store(report, "artifacts").up;
  }));
  {
    const StoreHealthReport report = health.report();
    EXPECT_FALSE(report.ready());
    EXPECT_NE(report.unready_reason().find("provcache: "), std::string::npos)
        << report.unready_reason();
    EXPECT_NE(report.unready_reason().find("artifacts: "), std::string::npos)
        << report.unready_reason();
    EXPECT_EQ(store_up(registry, "provcache"), 0.0);
    EXPECT_EQ(store_up(registry, "artifacts"), 0.0);
  }

  postgres->start_again();
  ASSERT_TRUE(eventually([&] { return health.report().ready(); }))
      << health.report().unready_reason();
  EXPECT_FALSE(health.report().degraded());
  EXPECT_EQ(store_up(registry, "provcache"), 1.0);
  EXPECT_EQ(store_up(registry, "artifacts"), 1.0);
}

}  // namespace
}  // namespace zastava::webhook
