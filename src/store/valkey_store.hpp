#pragma once
// The Valkey (Redis) layer of provcache: a shared, pure cache in front of
// PostgreSQL that every webhook replica reads and fills (seed 000).
//
// Keys, under a prefix (default "stellaops:prov:"):
//   <prefix>entry:<verikey>        the entry's canonical JSON
//                                  (provcache::entry_to_json), PEXPIREAT expiresAt
//   <prefix>idx:signer:<hash>      set of VeriKeys with that signerSetHash
//   <prefix>idx:policy:<hash>      set of VeriKeys with that policyHash
//   <prefix>idx:epochs             set of feed epochs in use
//   <prefix>idx:epoch:<epoch>      set of VeriKeys with that feedEpoch
// A put writes the entry and adds it to its index sets in one MULTI/EXEC; the
// index sets expire no earlier than their latest member (PEXPIREAT NX, then
// GT: needs Redis >= 7.0 or Valkey). An entry already
// expired is not written.
//
// Invalidation reads candidates from an index set (by signer or policy hash;
// every epoch set older than the value for feed_epoch), GETs them, keeps only
// those provcache::matches() accepts, and DELs and SREMs them. Index sets are
// allowed to be stale (an entry replaced with different hashes leaves its
// VeriKey in the old set), which is why the entry itself is always checked:
// a stale member is dropped from the set, never deleted. by=expired removes
// nothing (Valkey expires entries itself) and only cleans index members whose
// entry is gone.
//
// Pure cache: record_revocation, revocations and the evidence calls answer
// kUnsupported. count() SCANs for <prefix>entry:* (exact, O(keys); it serves
// the provcache_items_count gauge, not the request path).
//
// Errors: kIo when Valkey is unreachable or times out (naming host:port);
// kParse for a stored value that is not a valid entry (it is deleted, so the
// next lookup is a clean miss). Thread safe.

#include <chrono>
#include <memory>
#include <string>

#include "store/provcache_store.hpp"
#include "store/valkey_connection.hpp"

namespace zastava::store {

inline constexpr std::string_view kDefaultValkeyKeyPrefix = "stellaops:prov:";

struct ValkeyStoreOptions {
  ValkeyConnectionOptions connection{};
  std::string key_prefix{kDefaultValkeyKeyPrefix};
};

class ValkeyStore final : public ProvcacheStore {
 public:
  // Checks the options and the URL; does not connect (see ping()).
  static Result<std::unique_ptr<ValkeyStore>> open(ValkeyStoreOptions options);
  ~ValkeyStore() override;

  [[nodiscard]] std::string_view name() const noexcept override { return "valkey"; }

  // A hit's source is LookupSource::kValkey.
  Result<Lookup> get(std::string_view veri_key, std::int64_t now_seconds) override;
  Status put(const ProvcacheEntry& entry) override;
  // One MULTI/EXEC for the whole batch (all or nothing), each index set's
  // expiry updated once.
  Status put_many(std::span<const ProvcacheEntry> entries) override;
  Result<InvalidationResult> remove_matching(const InvalidationRequest& request,
                                             std::int64_t now_seconds) override;

  Status record_revocation(const RevocationRecord& record) override;  // kUnsupported
  Result<std::vector<RevocationRecord>> revocations(std::size_t limit) override;
  Status put_evidence(const EvidenceManifest& manifest, std::span<const Bytes> chunks) override;
  Result<std::optional<EvidenceManifest>> get_evidence(std::string_view proof_root) override;
  Result<std::optional<Bytes>> get_chunk(std::string_view proof_root, std::uint64_t index) override;

  Result<std::uint64_t> count() override;

  // Readiness: PING answered PONG.
  Status ping();

  // Removes one entry (and its index memberships); absent is fine.
  Status erase(std::string_view veri_key);

  [[nodiscard]] const std::string& key_prefix() const noexcept { return prefix_; }
  // "<prefix>entry:<verikey>", for tests and tools.
  [[nodiscard]] std::string entry_key(std::string_view veri_key) const;

 private:
  ValkeyStore(std::unique_ptr<ValkeyPool> pool, std::string prefix);
  std::unique_ptr<ValkeyPool> pool_;
  std::string prefix_;
};

}  // namespace zastava::store
