#pragma once
// Versioned schema migrations for the PostgreSQL provcache store.
//
// The schema is an ordered list of migrations, each {version, name, sql},
// versions 1, 2, 3, ... Which ones a database has seen is recorded in
//   provcache.schema_migrations(version int PRIMARY KEY, name text, applied_at timestamptz)
// apply_migrations() applies the pending ones in order, each in its own
// transaction together with its schema_migrations row, and each under
// pg_advisory_xact_lock(kMigrationLockKey): two replicas that start at the
// same time serialise on the lock, and the second finds the work done.
// Running it again is a no-op. A database whose newest version is above
// latest_schema_version() was migrated by a newer binary: it is refused
// (kUnsupported) instead of being written with an older idea of the tables.
//
// To change the schema, append a migration; never edit one that shipped.
// The tables are described in docs/postgres-schema.md.
//
// This header is for the PostgreSQL store and its tests only (it names
// libpqxx's connection type). The runner is shared with the artifact store
// (postgres_migration_runner.hpp).

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "store/postgres_migration_runner.hpp"

namespace zastava::store {

// Every migration this binary knows, in version order.
std::span<const Migration> postgres_migrations() noexcept;
int latest_schema_version() noexcept;

// The advisory lock key migrations hold ("zastava-provcache" as a number).
inline constexpr std::int64_t kMigrationLockKey = 0x7a61737461766131;

// kUnsupported for a database newer than this binary; kIo when a statement
// fails (the message says which migration).
Result<MigrationReport> apply_migrations(pqxx::connection_base& connection);

// The newest version recorded in the database, 0 when there is none (no
// schema_migrations table yet).
Result<int> current_schema_version(pqxx::connection_base& connection);

}  // namespace zastava::store
