#include "store/postgres_store.hpp"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <pqxx/binarystring>
#include <pqxx/connection>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>
#include <unordered_map>
#include <utility>

#include "provcache/bundle.hpp"
#include "store/postgres_migrations.hpp"
#include "store/postgres_pool.hpp"

namespace zastava::store {
namespace {

// ---- statements ------------------------------------------------------------

constexpr const char* kItemColumns =
    "digest_version, verdict_hash, proof_root, replay_seed::text, policy_hash, signer_set_hash, "
    "feed_epoch, trust_score, hit_count, extract(epoch FROM created_at)::bigint, "
    "extract(epoch FROM expires_at)::bigint, extract(epoch FROM updated_at)::bigint, "
    "source_hash, verdict";

constexpr const char* kUpsertTail =
    " ON CONFLICT (verikey) DO UPDATE SET digest_version = EXCLUDED.digest_version, "
    "verdict_hash = EXCLUDED.verdict_hash, proof_root = EXCLUDED.proof_root, "
    "replay_seed = EXCLUDED.replay_seed, policy_hash = EXCLUDED.policy_hash, "
    "signer_set_hash = EXCLUDED.signer_set_hash, feed_epoch = EXCLUDED.feed_epoch, "
    "trust_score = EXCLUDED.trust_score, hit_count = EXCLUDED.hit_count, "
    "created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at, "
    "updated_at = EXCLUDED.updated_at, source_hash = EXCLUDED.source_hash, "
    "verdict = EXCLUDED.verdict";

constexpr const char* kInsertColumns =
    "INSERT INTO provcache.provcache_items (verikey, digest_version, verdict_hash, proof_root, "
    "replay_seed, policy_hash, signer_set_hash, feed_epoch, trust_score, hit_count, created_at, "
    "expires_at, updated_at, source_hash, verdict) ";

// Declares every statement on a new connection (libpqxx prepares them on first use).
void prepare_statements(pqxx::connection& connection) {
  connection.prepare("get", std::string("SELECT ") + kItemColumns +
                                " FROM provcache.provcache_items WHERE verikey = $1 AND "
                                "expires_at > to_timestamp($2::bigint)");
  connection.prepare("put", std::string(kInsertColumns) +
                                "VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, "
                                "to_timestamp($11::bigint), to_timestamp($12::bigint), "
                                "to_timestamp($13::bigint), $14, $15)" +
                                kUpsertTail);
  connection.prepare(
      "put_many",
      std::string(kInsertColumns) +
          "SELECT k, dv, vh, pr, rs::jsonb, ph, ssh, fe, ts, hc, to_timestamp(ca), "
          "to_timestamp(ea), to_timestamp(ua), sh, vd FROM unnest($1::text[], $2::text[], "
          "$3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], "
          "$10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::text[], $15::text[]) "
          "AS t(k, dv, vh, pr, rs, ph, ssh, fe, ts, hc, ca, ea, ua, sh, vd)" +
          kUpsertTail);
  connection.prepare("remove_signer_set_hash",
                     "DELETE FROM provcache.provcache_items WHERE signer_set_hash = $1 "
                     "RETURNING verikey");
  connection.prepare("remove_policy_hash",
                     "DELETE FROM provcache.provcache_items WHERE policy_hash = $1 "
                     "RETURNING verikey");
  // compare_feed_epochs: by byte length, then bytes (the column is COLLATE "C";
  // the pair matches provcache_items_feed_epoch_idx).
  connection.prepare("remove_feed_epoch",
                     "DELETE FROM provcache.provcache_items WHERE "
                     "(octet_length(feed_epoch), feed_epoch) < "
                     "(octet_length($1::text), $1::text COLLATE \"C\") RETURNING verikey");
  connection.prepare("remove_expired",
                     "DELETE FROM provcache.provcache_items WHERE "
                     "expires_at <= to_timestamp($1::bigint) RETURNING verikey");
  connection.prepare("record_revocation",
                     "INSERT INTO provcache.prov_revocations (revocation_id, revocation_type, "
                     "target_hash, reason, actor, entries_affected, created_at) VALUES "
                     "($1::uuid, $2, $3, $4, $5, $6, to_timestamp($7::bigint)) "
                     "ON CONFLICT (revocation_id) DO NOTHING");
  connection.prepare("revocations",
                     "SELECT revocation_id::text, revocation_type, target_hash, "
                     "coalesce(reason, ''), coalesce(actor, ''), entries_affected, "
                     "extract(epoch FROM created_at)::bigint FROM provcache.prov_revocations "
                     "ORDER BY created_at DESC, seq DESC LIMIT $1");
  connection.prepare("put_evidence",
                     "INSERT INTO provcache.prov_evidence (proof_root, content_type, total_size, "
                     "chunk_count) VALUES ($1, $2, $3, $4) ON CONFLICT (proof_root) DO NOTHING");
  connection.prepare("put_chunk",
                     "INSERT INTO provcache.prov_evidence_chunks (proof_root, chunk_index, "
                     "chunk_hash, blob, blob_size, content_type) VALUES ($1, $2, $3, $4, $5, $6) "
                     "ON CONFLICT (proof_root, chunk_index) DO NOTHING");
  connection.prepare("get_evidence",
                     "SELECT content_type, total_size, chunk_count FROM provcache.prov_evidence "
                     "WHERE proof_root = $1");
  connection.prepare("get_chunk_metadata",
                     "SELECT chunk_index, chunk_hash, blob_size, content_type FROM "
                     "provcache.prov_evidence_chunks WHERE proof_root = $1 ORDER BY chunk_index");
  connection.prepare("get_chunk",
                     "SELECT blob FROM provcache.prov_evidence_chunks "
                     "WHERE proof_root = $1 AND chunk_index = $2");
  connection.prepare("count", "SELECT count(*) FROM provcache.provcache_items");
}

// ---- entries <-> rows ------------------------------------------------------

std::string replay_seed_json(const provcache::ReplaySeed& seed) {
  return nlohmann::json{{"feedIds", seed.feed_ids}, {"ruleIds", seed.rule_ids}}.dump();
}

Result<provcache::ReplaySeed> parse_replay_seed(const std::string& text) {
  try {
    const auto json = nlohmann::json::parse(text);
    provcache::ReplaySeed seed;
    seed.feed_ids = json.at("feedIds").get<std::vector<std::string>>();
    seed.rule_ids = json.at("ruleIds").get<std::vector<std::string>>();
    return seed;
  } catch (const nlohmann::json::exception& error) {
    return make_error(ErrorCode::kParse, std::string("replay_seed: ") + error.what());
  }
}

std::int64_t to_bigint(std::uint64_t value) {
  return static_cast<std::int64_t>(
      std::min<std::uint64_t>(value, std::numeric_limits<std::int64_t>::max()));
}

Result<ProvcacheEntry> entry_from_row(std::string_view veri_key, const pqxx::row& row) {
  ProvcacheEntry entry;
  entry.decision.veri_key = std::string(veri_key);
  entry.decision.digest_version = row[0].as<std::string>();
  entry.decision.verdict_hash = row[1].as<std::string>();
  entry.decision.proof_root = row[2].as<std::string>();
  auto seed = parse_replay_seed(row[3].as<std::string>());
  if (!seed.ok()) return seed.error().with_context(std::string(veri_key));
  entry.decision.replay_seed = std::move(*seed);
  entry.policy_hash = row[4].as<std::string>();
  entry.signer_set_hash = row[5].as<std::string>();
  entry.feed_epoch = row[6].as<std::string>();
  entry.decision.trust_score = row[7].as<int>();
  entry.hit_count =
      static_cast<std::uint64_t>(std::max<std::int64_t>(0, row[8].as<std::int64_t>()));
  entry.decision.created_at_seconds = row[9].as<std::int64_t>();
  entry.decision.expires_at_seconds = row[10].as<std::int64_t>();
  entry.updated_at_seconds = row[11].as<std::int64_t>();
  entry.source_hash = row[12].as<std::string>();
  entry.verdict_json = row[13].as<std::string>();
  return entry;
}

// A PostgreSQL array literal ({"a","b"}), built element by element.
class ArrayLiteral {
 public:
  explicit ArrayLiteral(std::size_t expected_bytes) { text_.reserve(expected_bytes + 2); }
  void add(std::string_view element) {
    text_ += text_.empty() ? "{\"" : ",\"";
    for (const char c : element) {
      if (c == '"' || c == '\\') text_ += '\\';
      text_ += c;
    }
    text_ += '"';
  }
  void add(std::int64_t number) {
    text_ += text_.empty() ? '{' : ',';
    text_ += std::to_string(number);
  }
  [[nodiscard]] std::string finish() && {
    if (text_.empty()) return "{}";
    text_ += '}';
    return std::move(text_);
  }

 private:
  std::string text_;
};

// The last entry for each VeriKey, in first-seen order: one upsert cannot
// touch a row twice.
std::vector<const ProvcacheEntry*> last_per_key(std::span<const ProvcacheEntry> entries) {
  std::unordered_map<std::string_view, std::size_t> position;
  position.reserve(entries.size());
  std::vector<const ProvcacheEntry*> unique;
  unique.reserve(entries.size());
  for (const auto& entry : entries) {
    const auto [it, inserted] = position.try_emplace(entry.veri_key(), unique.size());
    if (inserted) {
      unique.push_back(&entry);
    } else {
      unique[it->second] = &entry;
    }
  }
  return unique;
}

// ---- evidence ----------------------------------------------------------------

// The chunks are the manifest's: a well-formed manifest, every chunk's size
// and leaf hash as its row says, and together they reassemble to proofRoot
// and totalSize (the checks a proof bundle import makes).
Status verify_against_manifest(const EvidenceManifest& manifest, std::span<const Bytes> chunks) {
  if (auto json = provcache::manifest_to_json(manifest); !json.ok()) return json.error();
  for (std::size_t i = 0; i < chunks.size() && i < manifest.chunks.size(); ++i) {
    if (auto chunk = provcache::verify_manifest_chunk(manifest, i, chunks[i]); !chunk.ok()) {
      return chunk;
    }
  }
  return provcache::verify_complete_evidence(manifest, chunks);
}

}  // namespace

// ---- the store -----------------------------------------------------------------

class PostgresStore::Impl {
 public:
  explicit Impl(std::unique_ptr<PostgresPool> opened) : pool(std::move(opened)) {}

  std::unique_ptr<PostgresPool> pool;
};

PostgresStore::PostgresStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PostgresStore::~PostgresStore() = default;

const std::string& PostgresStore::server() const noexcept {
  return impl_->pool->server();
}

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const PostgresOptions& options) {
  auto pool = open_postgres_pool(options, prepare_statements);
  if (!pool.ok()) return pool.error();
  const std::string where = "postgres " + (*pool)->server();
  std::unique_ptr<PostgresStore> store{new PostgresStore(std::make_unique<Impl>(std::move(*pool)))};
  auto schema = store->impl_->pool->run(
      "schema migration", Retry::kSafe, [&](pqxx::connection& connection) -> Status {
        if (options.run_migrations) {
          auto report = apply_migrations(connection);
          if (!report.ok()) return report.error().with_context(where);
          return {};
        }
        auto version = current_schema_version(connection);
        if (!version.ok()) return version.error().with_context(where);
        if (*version != latest_schema_version()) {
          return make_error(ErrorCode::kUnsupported,
                            where + ": the provcache schema is at version " +
                                std::to_string(*version) + ", this binary needs " +
                                std::to_string(latest_schema_version()) + " (migrations are off)");
        }
        return {};
      });
  if (!schema.ok()) return schema.error();
  return store;
}

Result<Lookup> PostgresStore::get(std::string_view veri_key, std::int64_t now_seconds) {
  const std::string key{veri_key};
  return impl_->pool->run("get", Retry::kSafe, [&](pqxx::connection& connection) -> Result<Lookup> {
    pqxx::nontransaction tx{connection};
    const auto rows = tx.exec_prepared("get", key, now_seconds);
    if (rows.empty()) return Lookup{};
    auto entry = entry_from_row(key, rows[0]);
    if (!entry.ok()) return entry.error();
    return Lookup{std::move(*entry), LookupSource::kPostgres};
  });
}

Status PostgresStore::put(const ProvcacheEntry& entry) {
  return impl_->pool->run("put", Retry::kSafe, [&](pqxx::connection& connection) -> Status {
    pqxx::nontransaction tx{connection};
    const auto& d = entry.decision;
    tx.exec_prepared("put", d.veri_key, d.digest_version, d.verdict_hash, d.proof_root,
                     replay_seed_json(d.replay_seed), entry.policy_hash, entry.signer_set_hash,
                     entry.feed_epoch, d.trust_score, to_bigint(entry.hit_count),
                     d.created_at_seconds, d.expires_at_seconds, entry.updated_at_seconds,
                     entry.source_hash, entry.verdict_json);
    return {};
  });
}

Status PostgresStore::put_many(std::span<const ProvcacheEntry> entries) {
  if (entries.empty()) return {};
  const auto unique = last_per_key(entries);
  constexpr std::size_t kColumns = 15;
  std::vector<ArrayLiteral> columns;
  columns.reserve(kColumns);
  for (std::size_t i = 0; i < kColumns; ++i) columns.emplace_back(unique.size() * 80);
  for (const ProvcacheEntry* entry : unique) {
    const auto& d = entry->decision;
    columns[0].add(d.veri_key);
    columns[1].add(d.digest_version);
    columns[2].add(d.verdict_hash);
    columns[3].add(d.proof_root);
    columns[4].add(replay_seed_json(d.replay_seed));
    columns[5].add(entry->policy_hash);
    columns[6].add(entry->signer_set_hash);
    columns[7].add(entry->feed_epoch);
    columns[8].add(std::int64_t{d.trust_score});
    columns[9].add(to_bigint(entry->hit_count));
    columns[10].add(d.created_at_seconds);
    columns[11].add(d.expires_at_seconds);
    columns[12].add(entry->updated_at_seconds);
    columns[13].add(entry->source_hash);
    columns[14].add(entry->verdict_json);
  }
  std::vector<std::string> arrays;
  arrays.reserve(kColumns);
  for (auto& column : columns) arrays.push_back(std::move(column).finish());

  return impl_->pool->run("put_many", Retry::kSafe, [&](pqxx::connection& connection) -> Status {
    pqxx::work tx{connection};
    tx.exec_prepared("put_many", arrays[0], arrays[1], arrays[2], arrays[3], arrays[4], arrays[5],
                     arrays[6], arrays[7], arrays[8], arrays[9], arrays[10], arrays[11], arrays[12],
                     arrays[13], arrays[14]);
    tx.commit();
    return {};
  });
}

Result<InvalidationResult> PostgresStore::remove_matching(const InvalidationRequest& request,
                                                          std::int64_t now_seconds) {
  if (auto valid = provcache::validate(request); !valid.ok()) return valid.error();
  return impl_->pool->run("remove_matching", Retry::kNever,
                          [&](pqxx::connection& connection) -> Result<InvalidationResult> {
                            pqxx::work tx{connection};
                            pqxx::result rows;
                            switch (request.by) {
                              case provcache::InvalidationKind::kSignerSetHash:
                                rows = tx.exec_prepared("remove_signer_set_hash", request.value);
                                break;
                              case provcache::InvalidationKind::kPolicyHash:
                                rows = tx.exec_prepared("remove_policy_hash", request.value);
                                break;
                              case provcache::InvalidationKind::kFeedEpoch:
                                rows = tx.exec_prepared("remove_feed_epoch", request.value);
                                break;
                              case provcache::InvalidationKind::kExpired:
                                rows = tx.exec_prepared("remove_expired", now_seconds);
                                break;
                            }
                            tx.commit();
                            InvalidationResult result;
                            result.veri_keys.reserve(rows.size());
                            for (const auto& row : rows)
                              result.veri_keys.push_back(row[0].as<std::string>());
                            std::sort(result.veri_keys.begin(), result.veri_keys.end());
                            return result;
                          });
}

Status PostgresStore::record_revocation(const RevocationRecord& record) {
  return impl_->pool->run(
      "record_revocation", Retry::kSafe, [&](pqxx::connection& connection) -> Status {
        pqxx::nontransaction tx{connection};
        tx.exec_prepared("record_revocation", record.revocation_id, record.revocation_type,
                         record.target_hash, record.reason, record.actor,
                         to_bigint(record.entries_affected), record.created_at_seconds);
        return {};
      });
}

Result<std::vector<RevocationRecord>> PostgresStore::revocations(std::size_t limit) {
  const auto capped = to_bigint(limit);
  return impl_->pool->run(
      "revocations", Retry::kSafe,
      [&](pqxx::connection& connection) -> Result<std::vector<RevocationRecord>> {
        pqxx::nontransaction tx{connection};
        const auto rows = tx.exec_prepared("revocations", capped);
        std::vector<RevocationRecord> records;
        records.reserve(rows.size());
        for (const auto& row : rows) {
          RevocationRecord record;
          record.revocation_id = row[0].as<std::string>();
          record.revocation_type = row[1].as<std::string>();
          record.target_hash = row[2].as<std::string>();
          record.reason = row[3].as<std::string>();
          record.actor = row[4].as<std::string>();
          record.entries_affected =
              static_cast<std::uint64_t>(std::max<std::int64_t>(0, row[5].as<std::int64_t>()));
          record.created_at_seconds = row[6].as<std::int64_t>();
          records.push_back(std::move(record));
        }
        return records;
      });
}

Status PostgresStore::put_evidence(const EvidenceManifest& manifest,
                                   std::span<const Bytes> chunks) {
  if (auto verified = verify_against_manifest(manifest, chunks); !verified.ok()) {
    return verified.error();
  }
  return impl_->pool->run(
      "put_evidence", Retry::kSafe, [&](pqxx::connection& connection) -> Status {
        pqxx::work tx{connection};
        tx.exec_prepared("put_evidence", manifest.proof_root, manifest.content_type,
                         to_bigint(manifest.total_size), static_cast<std::int64_t>(chunks.size()));
        for (std::size_t i = 0; i < chunks.size(); ++i) {
          const pqxx::binarystring blob{chunks[i].data(), chunks[i].size()};
          tx.exec_prepared("put_chunk", manifest.proof_root, static_cast<std::int64_t>(i),
                           manifest.chunks[i].hash, blob,
                           static_cast<std::int64_t>(chunks[i].size()),
                           manifest.chunks[i].content_type);
        }
        tx.commit();
        return {};
      });
}

Result<std::optional<EvidenceManifest>> PostgresStore::get_evidence(std::string_view proof_root) {
  const std::string root{proof_root};
  return impl_->pool->run(
      "get_evidence", Retry::kSafe,
      [&](pqxx::connection& connection) -> Result<std::optional<EvidenceManifest>> {
        pqxx::read_transaction tx{connection};
        const auto head = tx.exec_prepared("get_evidence", root);
        if (head.empty()) return std::optional<EvidenceManifest>{};
        EvidenceManifest manifest;
        manifest.proof_root = root;
        manifest.content_type = head[0][0].as<std::string>();
        manifest.total_size = head[0][1].as<std::uint64_t>();
        const auto chunk_count = head[0][2].as<std::size_t>();
        const auto rows = tx.exec_prepared("get_chunk_metadata", root);
        for (const auto& row : rows) {
          manifest.chunks.push_back(
              provcache::ChunkMetadata{row[0].as<std::uint64_t>(), row[1].as<std::string>(),
                                       row[2].as<std::uint64_t>(), row[3].as<std::string>()});
        }
        if (manifest.chunks.size() != chunk_count) {
          return make_error(ErrorCode::kParse,
                            "evidence " + root + ": " + std::to_string(manifest.chunks.size()) +
                                " chunks stored, expected " + std::to_string(chunk_count));
        }
        return std::optional<EvidenceManifest>{std::move(manifest)};
      });
}

Result<std::optional<Bytes>> PostgresStore::get_chunk(std::string_view proof_root,
                                                      std::uint64_t index) {
  if (index > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
    return std::optional<Bytes>{};
  }
  const std::string root{proof_root};
  const auto position = static_cast<std::int64_t>(index);
  return impl_->pool->run("get_chunk", Retry::kSafe,
                          [&](pqxx::connection& connection) -> Result<std::optional<Bytes>> {
                            pqxx::nontransaction tx{connection};
                            const auto rows = tx.exec_prepared("get_chunk", root, position);
                            if (rows.empty()) return std::optional<Bytes>{};
                            const pqxx::binarystring blob{rows[0][0]};
                            return std::optional<Bytes>{Bytes(blob.begin(), blob.end())};
                          });
}

Result<std::uint64_t> PostgresStore::count() {
  return impl_->pool->run("count", Retry::kSafe,
                          [&](pqxx::connection& connection) -> Result<std::uint64_t> {
                            pqxx::nontransaction tx{connection};
                            return tx.exec_prepared("count")[0][0].as<std::uint64_t>();
                          });
}

}  // namespace zastava::store
