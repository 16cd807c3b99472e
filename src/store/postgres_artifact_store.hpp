#pragma once
// PostgresArtifactStore: the artifact store (artifact_store.hpp) over
// PostgreSQL through libpqxx, for webhook replicas that share their evidence.
//
//   auto store = PostgresArtifactStore::open({.url = "postgresql://zastava@db:5432/zastava"});
//
// Connections, timeouts and error reporting are the provcache PostgresStore's
// (the same PostgresOptions, connection pool and conninfo handling): kIo
// naming "postgres host:port" when the server is down, never hanging.
//
// Schema `artifacts`, created and upgraded by its own versioned migrations
// (postgres_migration_runner.hpp, recorded in artifacts.schema_migrations):
//   artifacts.artifacts(id PK, kind, image_digest, repository, facet_id,
//                       seal_id UNIQUE (NULL for non-seals), approved,
//                       created_at bigint seconds, envelope text, ingested_at)
// with indexes by image digest and, for approved seals, by
// (repository, facet_id, created_at DESC, id DESC): the baseline lookup.
//
// put() classifies against the stored rows (classify_put) inside one
// transaction; a concurrent insert of the same artifact is retried once, so
// put stays idempotent under races. Thread-safe.

#include <memory>

#include "store/artifact_store.hpp"
#include "store/postgres_store.hpp"

namespace zastava::store {

class PostgresArtifactStore final : public ArtifactStore {
 public:
  // Connects once (kIo when the server is down), then migrates (or, with
  // run_migrations false, requires the current schema: kUnsupported).
  static Result<std::unique_ptr<PostgresArtifactStore>> open(const PostgresOptions& options);
  ~PostgresArtifactStore() override;
  PostgresArtifactStore(const PostgresArtifactStore&) = delete;
  PostgresArtifactStore& operator=(const PostgresArtifactStore&) = delete;

  Status put(const StoredArtifact& artifact) override;
  Result<std::vector<StoredArtifact>> for_image(std::string_view image_digest) override;
  Result<std::optional<StoredArtifact>> latest_approved_seal(std::string_view repository,
                                                             std::string_view facet_id) override;
  Result<std::optional<StoredArtifact>> seal_by_id(std::string_view seal_id) override;
  Status approve_seal(std::string_view seal_id) override;

  // "host:port" of the server (no credentials).
  [[nodiscard]] const std::string& server() const noexcept;

 private:
  class Impl;
  explicit PostgresArtifactStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The artifact schema's migrations (for tests and docs).
int latest_artifact_schema_version() noexcept;

}  // namespace zastava::store
