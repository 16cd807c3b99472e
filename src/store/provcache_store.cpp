#include "store/provcache_store.hpp"

namespace zastava::store {

std::string_view to_string(LookupSource source) noexcept {
  switch (source) {
    case LookupSource::kNone:
      return "none";
    case LookupSource::kMemory:
      return "memory";
    case LookupSource::kValkey:
      return "valkey";
    case LookupSource::kPostgres:
      return "postgres";
    case LookupSource::kEmbedded:
      return "embedded";
  }
  return "unknown";
}

Status ProvcacheStore::put_many(std::span<const ProvcacheEntry> entries) {
  for (const ProvcacheEntry& entry : entries) {
    if (Status status = put(entry); !status) return status;
  }
  return ok_status();
}

Result<RevocationRecord> invalidate(ProvcacheStore& store, const InvalidationRequest& request,
                                    std::int64_t now_seconds) {
  if (Status status = provcache::validate(request); !status) return status.error();
  auto removed = store.remove_matching(request, now_seconds);
  if (!removed) return removed.error();
  RevocationRecord record =
      provcache::make_revocation_record(request, removed->entries_affected(), now_seconds);
  // A pure cache keeps no audit trail (kUnsupported); the removal still stands.
  if (Status status = store.record_revocation(record);
      !status && status.error().code != ErrorCode::kUnsupported) {
    return status.error().with_context("invalidation removed " +
                                       std::to_string(removed->entries_affected()) +
                                       " entries but its audit record failed");
  }
  return record;
}

}  // namespace zastava::store
