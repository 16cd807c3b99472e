#include "store/postgres_migrations.hpp"

#include <array>

namespace zastava::store {
namespace {

// Seed 000 "Database Schema", with the deviations in docs/postgres-schema.md.
// Hashes, keys and feed epochs are COLLATE "C": byte order, which is what
// feed epochs are compared by, and much cheaper to index than a locale's.
constexpr std::string_view kProvcacheTablesSql = R"sql(
CREATE TABLE provcache.provcache_items (
  verikey         TEXT COLLATE "C" PRIMARY KEY,
  digest_version  TEXT NOT NULL,
  verdict_hash    TEXT NOT NULL,
  proof_root      TEXT COLLATE "C" NOT NULL,
  replay_seed     JSONB NOT NULL,
  policy_hash     TEXT COLLATE "C" NOT NULL,
  signer_set_hash TEXT COLLATE "C" NOT NULL,
  feed_epoch      TEXT COLLATE "C" NOT NULL,
  trust_score     INTEGER NOT NULL,
  hit_count       BIGINT NOT NULL DEFAULT 0,
  created_at      TIMESTAMPTZ NOT NULL,
  expires_at      TIMESTAMPTZ NOT NULL,
  updated_at      TIMESTAMPTZ NOT NULL,
  source_hash     TEXT NOT NULL,
  verdict         TEXT NOT NULL
);

CREATE TABLE provcache.prov_evidence (
  proof_root   TEXT COLLATE "C" PRIMARY KEY,
  content_type TEXT NOT NULL,
  total_size   BIGINT NOT NULL,
  chunk_count  INTEGER NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE provcache.prov_evidence_chunks (
  chunk_id     UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  proof_root   TEXT COLLATE "C" NOT NULL REFERENCES provcache.prov_evidence (proof_root) ON DELETE CASCADE,
  chunk_index  INTEGER NOT NULL,
  chunk_hash   TEXT NOT NULL,
  blob         BYTEA NOT NULL,
  blob_size    INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (proof_root, chunk_index)
);

CREATE TABLE provcache.prov_revocations (
  revocation_id    UUID PRIMARY KEY,
  revocation_type  TEXT NOT NULL,
  target_hash      TEXT NOT NULL,
  reason           TEXT,
  actor            TEXT,
  entries_affected BIGINT NOT NULL,
  created_at       TIMESTAMPTZ NOT NULL,
  seq              BIGINT GENERATED ALWAYS AS IDENTITY
);
)sql";

// The feed epoch index is on the (byte length, bytes) pair that "older than"
// compares (see remove_feed_epoch in postgres_store.cpp).
constexpr std::string_view kLookupIndexesSql = R"sql(
CREATE INDEX provcache_items_signer_set_hash_idx ON provcache.provcache_items (signer_set_hash);
CREATE INDEX provcache_items_policy_hash_idx ON provcache.provcache_items (policy_hash);
CREATE INDEX provcache_items_feed_epoch_idx
  ON provcache.provcache_items ((octet_length(feed_epoch)), feed_epoch);
CREATE INDEX provcache_items_expires_at_idx ON provcache.provcache_items (expires_at);
CREATE INDEX prov_revocations_created_at_idx ON provcache.prov_revocations (created_at DESC, seq DESC);
)sql";

constexpr std::array kMigrations{
    Migration{1, "provcache tables", kProvcacheTablesSql},
    Migration{2, "lookup indexes", kLookupIndexesSql},
};

MigrationSet provcache_set() noexcept {
  return MigrationSet{"provcache", kMigrations, kMigrationLockKey};
}

}  // namespace

std::span<const Migration> postgres_migrations() noexcept {
  return kMigrations;
}

int latest_schema_version() noexcept {
  return kMigrations.back().version;
}

Result<int> current_schema_version(pqxx::connection_base& connection) {
  return recorded_schema_version(connection, provcache_set());
}

Result<MigrationReport> apply_migrations(pqxx::connection_base& connection) {
  return run_migrations(connection, provcache_set());
}

}  // namespace zastava::store
