#include "store/postgres_artifact_store.hpp"

#include <algorithm>
#include <array>
#include <pqxx/connection>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>
#include <utility>

#include "store/postgres_migration_runner.hpp"
#include "store/postgres_pool.hpp"

namespace zastava::store {
namespace {

// Hashes and ids are COLLATE "C": byte order, as std::string compares them,
// so "created_at DESC, id DESC" is newer_baseline's order.
constexpr std::string_view kArtifactsTableSql = R"sql(
CREATE TABLE artifacts.artifacts (
  id           TEXT COLLATE "C" PRIMARY KEY,
  kind         TEXT NOT NULL CHECK (kind IN ('seal', 'vex', 'sbom', 'findings')),
  image_digest TEXT COLLATE "C" NOT NULL,
  repository   TEXT COLLATE "C" NOT NULL DEFAULT '',
  facet_id     TEXT COLLATE "C" NOT NULL DEFAULT '',
  seal_id      TEXT COLLATE "C" UNIQUE,
  approved     BOOLEAN NOT NULL DEFAULT false,
  created_at   BIGINT NOT NULL,
  envelope     TEXT NOT NULL,
  ingested_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX artifacts_image_digest_idx ON artifacts.artifacts (image_digest);
CREATE INDEX artifacts_baseline_idx ON artifacts.artifacts
  (repository, facet_id, created_at DESC, id DESC) WHERE approved;
)sql";

constexpr std::array kArtifactMigrations{
    Migration{1, "artifacts table", kArtifactsTableSql},
};

// "zastava-artifacts" as a number (the provcache set's key + 1).
constexpr std::int64_t kArtifactLockKey = 0x7a61737461766132;

MigrationSet artifact_set() noexcept {
  return MigrationSet{"artifacts", kArtifactMigrations, kArtifactLockKey};
}

constexpr const char* kColumns =
    "id, kind, image_digest, repository, facet_id, coalesce(seal_id, ''), approved, created_at, "
    "envelope";

void prepare_statements(pqxx::connection& connection) {
  const std::string select = std::string("SELECT ") + kColumns + " FROM artifacts.artifacts ";
  connection.prepare("by_id_or_seal", select + "WHERE id = $1 OR seal_id = $2");
  connection.prepare("insert",
                     "INSERT INTO artifacts.artifacts (id, kind, image_digest, repository, "
                     "facet_id, seal_id, approved, created_at, envelope) VALUES ($1, $2, $3, $4, "
                     "$5, NULLIF($6, ''), $7, $8, $9)");
  connection.prepare("approve_id", "UPDATE artifacts.artifacts SET approved = true WHERE id = $1");
  connection.prepare("for_image", select + "WHERE image_digest = $1");
  connection.prepare("latest_approved",
                     select +
                         "WHERE approved AND kind = 'seal' AND repository = $1 AND facet_id = $2 "
                         "ORDER BY created_at DESC, id DESC LIMIT 1");
  connection.prepare("seal_by_id", select + "WHERE seal_id = $1");
  connection.prepare("approve_seal",
                     "UPDATE artifacts.artifacts SET approved = true WHERE seal_id = $1 "
                     "RETURNING id");
}

Result<StoredArtifact> artifact_from_row(const pqxx::row& row) {
  StoredArtifact artifact;
  artifact.id = row[0].as<std::string>();
  const auto kind = parse_artifact_kind(row[1].as<std::string>());
  if (!kind) return make_error(ErrorCode::kParse, "artifact " + artifact.id + ": unknown kind");
  artifact.kind = *kind;
  artifact.image_digest = row[2].as<std::string>();
  artifact.repository = row[3].as<std::string>();
  artifact.facet_id = row[4].as<std::string>();
  artifact.seal_id = row[5].as<std::string>();
  artifact.approved = row[6].as<bool>();
  artifact.created_at_seconds = row[7].as<std::int64_t>();
  artifact.envelope_json = row[8].as<std::string>();
  return artifact;
}

Result<std::optional<StoredArtifact>> first_artifact(const pqxx::result& rows) {
  if (rows.empty()) return std::optional<StoredArtifact>();
  auto artifact = artifact_from_row(rows[0]);
  if (!artifact) return artifact.error();
  return std::optional<StoredArtifact>(std::move(*artifact));
}

// One attempt at put() in one transaction; nullopt when a concurrent writer
// inserted the same id or seal id first (the caller classifies again).
Result<std::optional<PutEffect>> put_once(pqxx::connection& connection,
                                          const StoredArtifact& artifact) {
  pqxx::work tx{connection, "artifact_put"};
  const auto rows = tx.exec_prepared("by_id_or_seal", artifact.id, artifact.seal_id);
  std::optional<StoredArtifact> existing;
  std::optional<StoredArtifact> same_seal;
  for (const auto& row : rows) {
    auto stored = artifact_from_row(row);
    if (!stored) return stored.error();
    if (stored->id == artifact.id) {
      existing = std::move(*stored);
    } else if (artifact.kind == ArtifactKind::kSeal) {
      same_seal = std::move(*stored);
    }
  }
  auto effect =
      classify_put(existing ? &*existing : nullptr, same_seal ? &*same_seal : nullptr, artifact);
  if (!effect) return effect.error();
  try {
    if (*effect == PutEffect::kInsert) {
      tx.exec_prepared("insert", artifact.id, std::string(to_string(artifact.kind)),
                       artifact.image_digest, artifact.repository, artifact.facet_id,
                       artifact.seal_id, artifact.approved, artifact.created_at_seconds,
                       artifact.envelope_json);
    } else if (*effect == PutEffect::kApprove) {
      tx.exec_prepared("approve_id", artifact.id);
    }
    tx.commit();
  } catch (const pqxx::unique_violation&) {
    return std::optional<PutEffect>();
  }
  return std::optional<PutEffect>(*effect);
}

}  // namespace

int latest_artifact_schema_version() noexcept {
  return artifact_set().latest_version();
}

class PostgresArtifactStore::Impl {
 public:
  explicit Impl(std::unique_ptr<PostgresPool> opened) : pool(std::move(opened)) {}

  std::unique_ptr<PostgresPool> pool;
};

PostgresArtifactStore::PostgresArtifactStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PostgresArtifactStore::~PostgresArtifactStore() = default;

const std::string& PostgresArtifactStore::server() const noexcept {
  return impl_->pool->server();
}

Result<std::unique_ptr<PostgresArtifactStore>> PostgresArtifactStore::open(
    const PostgresOptions& options) {
  auto pool = open_postgres_pool(options, prepare_statements);
  if (!pool.ok()) return pool.error();
  const std::string where = "postgres " + (*pool)->server();
  std::unique_ptr<PostgresArtifactStore> store{
      new PostgresArtifactStore(std::make_unique<Impl>(std::move(*pool)))};
  const MigrationSet set = artifact_set();
  auto schema = store->impl_->pool->run(
      "artifact schema migration", Retry::kSafe, [&](pqxx::connection& connection) -> Status {
        if (options.run_migrations) {
          auto report = run_migrations(connection, set);
          if (!report.ok()) return report.error().with_context(where);
          return {};
        }
        auto version = recorded_schema_version(connection, set);
        if (!version.ok()) return version.error().with_context(where);
        if (*version != set.latest_version()) {
          return make_error(ErrorCode::kUnsupported,
                            where + ": the artifacts schema is at version " +
                                std::to_string(*version) + ", this binary needs " +
                                std::to_string(set.latest_version()) + " (migrations are off)");
        }
        return {};
      });
  if (!schema.ok()) return schema.error();
  return store;
}

Status PostgresArtifactStore::put(const StoredArtifact& artifact) {
  if (Status valid = validate_artifact(artifact); !valid) return valid;
  return impl_->pool->run(
      "put artifact", Retry::kSafe, [&](pqxx::connection& connection) -> Status {
        for (int attempt = 0; attempt < 2; ++attempt) {
          auto effect = put_once(connection, artifact);
          if (!effect) return effect.error();
          if (effect->has_value()) return {};
        }
        return make_error(ErrorCode::kIo, "put artifact " + artifact.id + ": kept racing writers");
      });
}

Result<std::vector<StoredArtifact>> PostgresArtifactStore::for_image(
    std::string_view image_digest) {
  const std::string digest{image_digest};
  return impl_->pool->run("artifacts for image", Retry::kSafe,
                          [&](pqxx::connection& connection) -> Result<std::vector<StoredArtifact>> {
                            pqxx::nontransaction tx{connection};
                            std::vector<StoredArtifact> found;
                            for (const auto& row : tx.exec_prepared("for_image", digest)) {
                              auto artifact = artifact_from_row(row);
                              if (!artifact) return artifact.error();
                              found.push_back(std::move(*artifact));
                            }
                            std::sort(found.begin(), found.end(), listed_before);
                            return found;
                          });
}

Result<std::optional<StoredArtifact>> PostgresArtifactStore::latest_approved_seal(
    std::string_view repository, std::string_view facet_id) {
  const std::string repo{repository};
  const std::string facet{facet_id};
  return impl_->pool->run("latest approved seal", Retry::kSafe, [&](pqxx::connection& connection) {
    pqxx::nontransaction tx{connection};
    return first_artifact(tx.exec_prepared("latest_approved", repo, facet));
  });
}

Result<std::optional<StoredArtifact>> PostgresArtifactStore::seal_by_id(std::string_view seal_id) {
  const std::string id{seal_id};
  return impl_->pool->run("seal by id", Retry::kSafe, [&](pqxx::connection& connection) {
    pqxx::nontransaction tx{connection};
    return first_artifact(tx.exec_prepared("seal_by_id", id));
  });
}

Status PostgresArtifactStore::approve_seal(std::string_view seal_id) {
  const std::string id{seal_id};
  return impl_->pool->run("approve seal", Retry::kSafe,
                          [&](pqxx::connection& connection) -> Status {
                            pqxx::work tx{connection, "artifact_approve"};
                            const auto rows = tx.exec_prepared("approve_seal", id);
                            tx.commit();
                            if (rows.empty())
                              return make_error(ErrorCode::kNotFound, "no seal " + id);
                            return {};
                          });
}

}  // namespace zastava::store
