// provcache_replica: one webhook replica's provcache, driven over a line
// protocol, so two_replica_test.cpp can run two real processes that share a
// PostgreSQL and a Valkey and talk over the invalidation bus.
//
//   provcache_replica --replica-id A [--postgres URL] [--valkey URL] [--prefix P]
//
// Prints "ready" once its invalidation bus is subscribed (or "error <msg>"
// and exits 1), then answers one line per command:
//   get <verikey>             hit <memory|valkey|postgres> | miss
//   put <entry json>          ok
//   invalidate <request json> ok <entries removed>
//   flush                     ok
//   memory-size               ok <entries in the in-process LRU>
//   quit                      (exits 0)
// Any failure answers "error <message>" on the same line.

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>

#include "store/postgres_store.hpp"
#include "store/tiered_provcache.hpp"
#include "store/valkey_store.hpp"

namespace {

using namespace zastava;
using namespace zastava::store;

struct Arguments {
  std::string replica_id;
  std::string postgres_url;
  std::string valkey_url;
  std::string prefix{kDefaultValkeyKeyPrefix};
};

Result<Arguments> parse_arguments(int argc, char** argv) {
  Arguments arguments;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    std::string value = argv[i + 1];
    if (flag == "--replica-id") {
      arguments.replica_id = std::move(value);
    } else if (flag == "--postgres") {
      arguments.postgres_url = std::move(value);
    } else if (flag == "--valkey") {
      arguments.valkey_url = std::move(value);
    } else if (flag == "--prefix") {
      arguments.prefix = std::move(value);
    } else {
      return make_error(ErrorCode::kInvalidArgument, "unknown flag " + std::string(flag));
    }
  }
  if (arguments.replica_id.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "--replica-id is required");
  }
  return arguments;
}

Result<std::unique_ptr<TieredProvcache>> open_replica(const Arguments& arguments) {
  TieredLayers layers;
  TieredConfig config;
  config.options.valkey_key_prefix = arguments.prefix;
  if (!arguments.postgres_url.empty()) {
    auto durable = PostgresStore::open(PostgresOptions{.url = arguments.postgres_url});
    if (!durable.ok()) return durable.error();
    layers.durable = std::move(*durable);
  }
  if (!arguments.valkey_url.empty()) {
    ValkeyConnectionOptions connection;
    connection.url = arguments.valkey_url;
    auto valkey = ValkeyStore::open(ValkeyStoreOptions{connection, arguments.prefix});
    if (!valkey.ok()) return valkey.error();
    layers.valkey = std::move(*valkey);
    InvalidationBusOptions bus;
    bus.connection = connection;
    bus.key_prefix = arguments.prefix;
    bus.replica_id = arguments.replica_id;
    config.bus = bus;
  }
  return TieredProvcache::open(std::move(layers), std::move(config), nullptr);
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool wait_for_bus(const TieredProvcache& cache) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!cache.bus_ready()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

std::string answer(TieredProvcache& cache, std::string_view command, std::string_view argument) {
  const auto failed = [](const Error& error) { return "error " + error.describe(); };
  if (command == "get") {
    auto found = cache.get(argument, now_seconds());
    if (!found.ok()) return failed(found.error());
    if (!found->entry) return "miss";
    return "hit " + std::string(to_string(found->source));
  }
  if (command == "put") {
    auto entry = provcache::parse_entry(argument);
    if (!entry.ok()) return failed(entry.error());
    auto written = cache.put(*entry);
    return written.ok() ? "ok" : failed(written.error());
  }
  if (command == "invalidate") {
    auto request = provcache::parse_invalidation(argument);
    if (!request.ok()) return failed(request.error());
    auto removed = cache.remove_matching(*request, now_seconds());
    if (!removed.ok()) return failed(removed.error());
    return "ok " + std::to_string(removed->entries_affected());
  }
  if (command == "flush") {
    auto flushed = cache.flush();
    return flushed.ok() ? "ok" : failed(flushed.error());
  }
  if (command == "memory-size") {
    return "ok " + std::to_string(cache.stats().memory_entries);
  }
  return "error unknown command " + std::string(command);
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  auto arguments = parse_arguments(argc, argv);
  if (!arguments.ok()) {
    std::cout << "error " << arguments.error().describe() << std::endl;
    return 1;
  }
  auto cache = open_replica(*arguments);
  if (!cache.ok()) {
    std::cout << "error " << cache.error().describe() << std::endl;
    return 1;
  }
  if (!wait_for_bus(**cache)) {
    std::cout << "error the invalidation bus did not subscribe within 20 s" << std::endl;
    return 1;
  }
  std::cout << "ready" << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line == "quit") break;
    const auto space = line.find(' ');
    const std::string_view text = line;
    const auto command = text.substr(0, space);
    const auto argument =
        space == std::string_view::npos ? std::string_view{} : text.substr(space + 1);
    std::cout << answer(**cache, command, argument) << std::endl;
  }
  return 0;
}
