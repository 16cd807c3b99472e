#pragma once
// PostgresStore: the durable provcache layer (seed 000 "Database Schema"),
// a ProvcacheStore over PostgreSQL through libpqxx.
//
//   auto store = PostgresStore::open({.url = "postgresql://zastava@db:5432/zastava"});
//   if (!store) ...;                        // kIo: server unreachable, names host:port
//   (*store)->put(entry);
//
// Connections. A small pool (options.pool_size connections, opened lazily).
// Each call borrows one and gives it back when done; a call that finds every
// connection busy waits for one. A connection that breaks (server restart,
// network) is dropped and a fresh one is opened by the next call: the call
// that saw the failure returns kIo naming the server (host:port, never the
// password); later calls work again once the server is back. Nothing hangs:
// connect_timeout bounds connecting and statement_timeout bounds each query.
//
// Schema. Everything lives in the `provcache` schema, created and upgraded
// by versioned migrations (postgres_migrations.hpp) when the store opens;
// see docs/postgres-schema.md for the tables and where they deviate from
// the seed.
//
// get() does not bump hit_count: a write per read would halve read
// throughput, and the tiered cache answers most reads before they get here.
//
// Thread safety: every method may be called from many threads at once.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "store/provcache_store.hpp"

namespace zastava::store {

struct PostgresOptions {
  std::string url{};  // libpq URL (postgresql://user@host:port/db) or key=value conninfo
  std::size_t pool_size = 4;
  std::chrono::seconds connect_timeout{2};            // libpq connect_timeout
  std::chrono::milliseconds statement_timeout{2000};  // server-side, every statement
  bool run_migrations = true;  // false: require the schema to be current already
};

class PostgresStore final : public ProvcacheStore {
 public:
  // Connects once (so a bad URL or a down server fails here, kIo), then
  // applies pending migrations when options.run_migrations. kInvalidArgument
  // for an empty URL or pool_size 0; kUnsupported when the database has a
  // newer schema than this binary knows.
  static Result<std::unique_ptr<PostgresStore>> open(const PostgresOptions& options);

  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  [[nodiscard]] std::string_view name() const noexcept override { return "postgres"; }

  Result<Lookup> get(std::string_view veri_key, std::int64_t now_seconds) override;
  Status put(const ProvcacheEntry& entry) override;
  // One transaction, one multi-row upsert statement.
  Status put_many(std::span<const ProvcacheEntry> entries) override;

  Result<InvalidationResult> remove_matching(const InvalidationRequest& request,
                                             std::int64_t now_seconds) override;

  Status record_revocation(const RevocationRecord& record) override;
  Result<std::vector<RevocationRecord>> revocations(std::size_t limit) override;

  Status put_evidence(const EvidenceManifest& manifest, std::span<const Bytes> chunks) override;
  Result<std::optional<EvidenceManifest>> get_evidence(std::string_view proof_root) override;
  Result<std::optional<Bytes>> get_chunk(std::string_view proof_root, std::uint64_t index) override;

  Result<std::uint64_t> count() override;

  // "host:port" of the server, for logs and error messages (no credentials).
  [[nodiscard]] const std::string& server() const noexcept;

 private:
  class Impl;
  explicit PostgresStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace zastava::store
