#pragma once
// The versioned-migration runner shared by the PostgreSQL stores (provcache,
// artifacts). A store describes its schema as a MigrationSet: the schema
// name, its ordered migrations {version, name, sql} (versions 1, 2, 3, ...)
// and an advisory lock key. Which migrations a database has seen is recorded
// in <schema>.schema_migrations(version int PRIMARY KEY, name text,
// applied_at timestamptz). run_migrations() applies the pending ones in
// order, each in its own transaction together with its schema_migrations row
// and under pg_advisory_xact_lock(lock_key): replicas starting together
// serialise on the lock and the second finds the work done. Running it again
// is a no-op. A database whose newest version is above the set's latest was
// migrated by a newer binary: kUnsupported, rather than writing it with an
// older idea of the tables.
//
// pqxx::broken_connection propagates (the connection pool's business); other
// failures are kIo naming the migration.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace pqxx {
class connection_base;
}

namespace zastava::store {

struct Migration {
  int version = 0;
  std::string_view name;
  std::string_view sql;
};

struct MigrationSet {
  std::string_view schema;  // "provcache": also names the set in messages
  std::span<const Migration> migrations;
  std::int64_t lock_key = 0;

  [[nodiscard]] int latest_version() const noexcept {
    return migrations.empty() ? 0 : migrations.back().version;
  }
};

struct MigrationReport {
  int version_before = 0;  // 0: a fresh database
  int version_after = 0;
  std::vector<int> applied;  // the versions this call applied
};

Result<MigrationReport> run_migrations(pqxx::connection_base& connection, const MigrationSet& set);

// The newest version recorded, 0 when there is none (no table yet).
Result<int> recorded_schema_version(pqxx::connection_base& connection, const MigrationSet& set);

}  // namespace zastava::store
