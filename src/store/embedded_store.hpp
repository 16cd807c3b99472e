#pragma once
// The embedded provcache store: the laptop default, in-process and persisted
// to one directory (design and recovery rules: docs/embedded-store.md).
//
//   DIR/LOCK                       flock()ed by the one process using DIR
//   DIR/provcache.log              append-only log of framed records
//                                  (store/record_log.hpp), each canonical JSON
//                                  {"op":"put"|"remove"|"revocation"|"evidence",..}
//   DIR/chunks/<root hex>/<index>  evidence chunk bytes, content-addressed
//
// Reads are served from memory (entries by VeriKey, manifests by proofRoot,
// revocations) under a shared lock, so a get() costs about a microsecond and
// never waits for the disk. Writers are serialized by a second mutex; each
// mutating call appends its record(s) and fdatasyncs before it changes the
// in-memory state and returns (put_many: one write and one fdatasync for the
// whole batch). Chunk files are written atomically and durably BEFORE the
// evidence record that points at them.
//
// Open replays the log: a torn last record (a crash mid-append) is cut off
// with a warning; a corrupt record followed by valid ones is kParse naming
// its offset. When the log grows past twice the size of the live records and
// past 1 MiB it is rewritten as a snapshot (temp file, fsync, rename, fsync
// the directory).
//
// Semantics: an expired entry is a miss on get() and stays until
// remove_matching(kExpired) sweeps it; count() counts every entry held,
// swept or not, as the other backends count rows. Hit counts are not tracked
// here (a hit would cost a disk write).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "store/provcache_store.hpp"

namespace zastava::store {

struct EmbeddedStoreOptions {
  // Compaction runs when the log is larger than both of these.
  std::uint64_t compaction_min_bytes = 1U << 20;
  double compaction_ratio = 2.0;  // log size / live record size
  // Where recovery warnings go; spdlog's default logger when empty.
  std::function<void(const std::string&)> warn;
};

class EmbeddedStore final : public ProvcacheStore {
 public:
  // Creates DIR when needed, takes its lock and replays its log.
  static Result<std::unique_ptr<EmbeddedStore>> open(const std::filesystem::path& directory,
                                                     EmbeddedStoreOptions options = {});
  ~EmbeddedStore() override;
  EmbeddedStore(const EmbeddedStore&) = delete;
  EmbeddedStore& operator=(const EmbeddedStore&) = delete;

  [[nodiscard]] std::string_view name() const noexcept override { return "embedded"; }
  Result<Lookup> get(std::string_view veri_key, std::int64_t now_seconds) override;
  Status put(const ProvcacheEntry& entry) override;
  Status put_many(std::span<const ProvcacheEntry> entries) override;
  Result<InvalidationResult> remove_matching(const InvalidationRequest& request,
                                             std::int64_t now_seconds) override;
  Status record_revocation(const RevocationRecord& record) override;
  Result<std::vector<RevocationRecord>> revocations(std::size_t limit) override;
  Status put_evidence(const EvidenceManifest& manifest, std::span<const Bytes> chunks) override;
  Result<std::optional<EvidenceManifest>> get_evidence(std::string_view proof_root) override;
  Result<std::optional<Bytes>> get_chunk(std::string_view proof_root, std::uint64_t index) override;
  Result<std::uint64_t> count() override;

  // Rewrites the log as a snapshot of the live records now.
  Status compact();

  struct Stats {
    std::uint64_t log_bytes = 0;
    std::uint64_t live_bytes = 0;       // what a snapshot would hold
    std::uint64_t truncated_bytes = 0;  // torn tail cut at open
    std::uint64_t compactions = 0;      // since open
  };
  [[nodiscard]] Stats stats() const;

 private:
  struct State;
  explicit EmbeddedStore(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace zastava::store
