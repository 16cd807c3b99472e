#pragma once
// The embedded artifact store: the default evidence store, in-process and
// persisted to one directory of its own (give it a different directory from
// the embedded provcache store: each takes its directory's lock).
//
//   DIR/LOCK            flock()ed by the one process using DIR (durable_file.hpp)
//   DIR/artifacts.log   append-only log of framed records (record_log.hpp),
//                       each canonical JSON:
//                         {"artifact":{..artifact_to_json..},"op":"put"}
//                         {"op":"approve","sealId":".."}
//
// Reads are served from memory under a shared lock and never wait for the
// disk. Writers are serialized; each mutating call appends its record and
// fdatasyncs before it changes the in-memory state and returns, so what a
// call reported stored survives a crash. Open replays the log with the
// record log's recovery rules (a torn last record is cut with a warning; a
// corrupt record followed by valid ones is kParse naming its offset).
//
// The log is not compacted: artifacts are immutable once stored (a put of
// an existing one writes nothing) and an approval is a record of a few dozen
// bytes written at most once a seal, so the log is never much larger than
// the live data.

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "store/artifact_store.hpp"

namespace zastava::store {

struct EmbeddedArtifactStoreOptions {
  // Where recovery warnings go; spdlog's default logger when empty.
  std::function<void(const std::string&)> warn;
};

class EmbeddedArtifactStore final : public ArtifactStore {
 public:
  // Creates DIR when needed, takes its lock and replays its log.
  static Result<std::unique_ptr<EmbeddedArtifactStore>> open(
      const std::filesystem::path& directory, EmbeddedArtifactStoreOptions options = {});
  ~EmbeddedArtifactStore() override;
  EmbeddedArtifactStore(const EmbeddedArtifactStore&) = delete;
  EmbeddedArtifactStore& operator=(const EmbeddedArtifactStore&) = delete;

  Status put(const StoredArtifact& artifact) override;
  Result<std::vector<StoredArtifact>> for_image(std::string_view image_digest) override;
  Result<std::optional<StoredArtifact>> latest_approved_seal(std::string_view repository,
                                                             std::string_view facet_id) override;
  Result<std::optional<StoredArtifact>> seal_by_id(std::string_view seal_id) override;
  Status approve_seal(std::string_view seal_id) override;

  // The log's size in bytes (for tests and the debug endpoint).
  [[nodiscard]] std::uint64_t log_bytes() const;

 private:
  struct State;
  explicit EmbeddedArtifactStore(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace zastava::store
