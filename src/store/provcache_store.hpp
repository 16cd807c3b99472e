#pragma once
// The one interface every provcache store layer implements: the embedded
// store (the laptop default), PostgreSQL (durable), Valkey/Redis (shared
// cache) and TieredProvcache (in-process LRU -> Valkey -> PostgreSQL with
// write-behind, what production replicas run). The HTTP API, the webhook and
// `stella prov` only see this interface.
//
// Errors: kIo when the backing server is unreachable or a query fails (the
// message names the server and says what failed); kParse when stored data is
// corrupt. Absence is not an error: get() returns std::nullopt.
//
// Thread safety: every implementation is safe to call from many threads.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "provcache/entry.hpp"
#include "provcache/invalidation.hpp"

namespace zastava::store {

using provcache::EvidenceManifest;
using provcache::InvalidationRequest;
using provcache::InvalidationResult;
using provcache::ProvcacheEntry;
using provcache::RevocationRecord;

// Where a lookup was answered from (the seed's CacheResult source).
enum class LookupSource { kNone, kMemory, kValkey, kPostgres, kEmbedded };
std::string_view to_string(LookupSource source) noexcept;

struct Lookup {
  std::optional<ProvcacheEntry> entry;  // nullopt: a miss
  LookupSource source = LookupSource::kNone;
};

class ProvcacheStore {
 public:
  virtual ~ProvcacheStore() = default;

  // "embedded", "postgres", "valkey", "tiered": for logs and errors.
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;

  // An entry whose expiresAt <= now_seconds is a miss (and may be removed).
  virtual Result<Lookup> get(std::string_view veri_key, std::int64_t now_seconds) = 0;

  // Upsert by VeriKey. Idempotent: putting the same entry twice leaves one.
  virtual Status put(const ProvcacheEntry& entry) = 0;
  // Many at once (the write-behind flush); all or nothing where the backend
  // has transactions. The default calls put() in a loop.
  virtual Status put_many(std::span<const ProvcacheEntry> entries);

  // Removes the entries `request` matches (provcache::matches) and returns
  // their keys. Does NOT write an audit record: see invalidate() below.
  virtual Result<InvalidationResult> remove_matching(const InvalidationRequest& request,
                                                     std::int64_t now_seconds) = 0;

  // The audit trail (prov_revocations). A pure cache (Valkey) answers
  // kUnsupported for both.
  virtual Status record_revocation(const RevocationRecord& record) = 0;
  // Newest first, at most `limit`.
  virtual Result<std::vector<RevocationRecord>> revocations(std::size_t limit) = 0;

  // Evidence chunks under their proofRoot. put_evidence is idempotent and
  // refuses chunks that do not match the manifest (hashes, sizes, root).
  virtual Status put_evidence(const EvidenceManifest& manifest, std::span<const Bytes> chunks) = 0;
  virtual Result<std::optional<EvidenceManifest>> get_evidence(std::string_view proof_root) = 0;
  virtual Result<std::optional<Bytes>> get_chunk(std::string_view proof_root,
                                                 std::uint64_t index) = 0;

  // Live (unexpired or not yet swept) entries, for provcache_items_count.
  virtual Result<std::uint64_t> count() = 0;
};

// remove_matching + record_revocation with the number removed: one
// invalidation as the API and the CLI run it against a single store.
Result<RevocationRecord> invalidate(ProvcacheStore& store, const InvalidationRequest& request,
                                    std::int64_t now_seconds);

}  // namespace zastava::store
