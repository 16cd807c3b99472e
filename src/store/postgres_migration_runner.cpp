#include "store/postgres_migration_runner.hpp"

#include <pqxx/connection>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/transaction>
#include <string>

namespace zastava::store {
namespace {

std::string table(const MigrationSet& set) {
  return std::string(set.schema) + ".schema_migrations";
}

// Not a migration: the table that records them (and its schema).
std::string bootstrap_sql(const MigrationSet& set) {
  return "CREATE SCHEMA IF NOT EXISTS " + std::string(set.schema) +
         ";\nCREATE TABLE IF NOT EXISTS " + table(set) +
         " (\n  version    INTEGER PRIMARY KEY,\n  name       TEXT NOT NULL,\n"
         "  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()\n);\n";
}

std::string lock_sql(const MigrationSet& set) {
  return "SELECT pg_advisory_xact_lock(" + std::to_string(set.lock_key) + ")";
}

std::string max_version_sql(const MigrationSet& set) {
  return "SELECT coalesce(max(version), 0) FROM " + table(set);
}

Error newer_schema_error(const MigrationSet& set, int database_version) {
  return make_error(ErrorCode::kUnsupported,
                    "the " + std::string(set.schema) + " schema in this database is at version " +
                        std::to_string(database_version) + ", newer than this binary knows (" +
                        std::to_string(set.latest_version()) + "); run a newer zastava against it");
}

Error failed(std::string_view step, const std::exception& error) {
  return make_error(ErrorCode::kIo, "schema migration: " + std::string(step) + ": " + error.what());
}

void bootstrap(pqxx::connection_base& connection, const MigrationSet& set) {
  pqxx::work tx{connection, std::string(set.schema) + "_migrations_bootstrap"};
  tx.exec(lock_sql(set));
  tx.exec(bootstrap_sql(set));
  tx.commit();
}

// Applies `migration` unless it is there already; true when this call applied
// it. Refuses a database that a newer binary has migrated meanwhile.
Result<bool> apply_one(pqxx::connection_base& connection, const MigrationSet& set,
                       const Migration& migration) {
  pqxx::work tx{connection, std::string(set.schema) + "_migration"};
  tx.exec(lock_sql(set));  // held until commit: other replicas wait here
  const int database_version = tx.exec1(max_version_sql(set))[0].as<int>();
  if (database_version > set.latest_version()) return newer_schema_error(set, database_version);
  const auto existing =
      tx.exec_params("SELECT 1 FROM " + table(set) + " WHERE version = $1", migration.version);
  if (!existing.empty()) return false;
  tx.exec(std::string(migration.sql));
  tx.exec_params("INSERT INTO " + table(set) + " (version, name) VALUES ($1, $2)",
                 migration.version, std::string(migration.name));
  tx.commit();
  return true;
}

}  // namespace

Result<int> recorded_schema_version(pqxx::connection_base& connection, const MigrationSet& set) {
  try {
    pqxx::nontransaction tx{connection};
    const auto exists =
        tx.exec_params1("SELECT to_regclass($1) IS NOT NULL", table(set))[0].as<bool>();
    if (!exists) return 0;
    return tx.exec1(max_version_sql(set))[0].as<int>();
  } catch (const pqxx::broken_connection&) {
    throw;  // the pool's business
  } catch (const std::exception& error) {
    return failed("reading the schema version", error);
  }
}

Result<MigrationReport> run_migrations(pqxx::connection_base& connection, const MigrationSet& set) {
  MigrationReport report;
  try {
    bootstrap(connection, set);
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const std::exception& error) {
    return failed("creating " + table(set), error);
  }
  auto before = recorded_schema_version(connection, set);
  if (!before.ok()) return before.error();
  report.version_before = *before;
  if (report.version_before > set.latest_version()) {
    return newer_schema_error(set, report.version_before);
  }
  for (const Migration& migration : set.migrations) {
    if (migration.version <= report.version_before) continue;
    try {
      auto applied = apply_one(connection, set, migration);
      if (!applied.ok()) return applied.error();
      if (*applied) report.applied.push_back(migration.version);
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const std::exception& error) {
      return failed(std::to_string(migration.version) + " (" + std::string(migration.name) + ")",
                    error);
    }
  }
  auto after = recorded_schema_version(connection, set);
  if (!after.ok()) return after.error();
  report.version_after = *after;
  return report;
}

}  // namespace zastava::store
