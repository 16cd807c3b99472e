#include "store/embedded_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <unordered_map>
#include <utility>

#include "json/canonical_json.hpp"
#include "provcache/bundle.hpp"
#include "provcache/json_fields.hpp"
#include "store/durable_file.hpp"
#include "store/record_log.hpp"

namespace zastava::store {
namespace {

constexpr const char* kLogName = "provcache.log";
constexpr const char* kChunksDir = "chunks";

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};
template <typename Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

// Each live value with the size of the framed record that carries it, so the
// store knows what a snapshot would weigh without writing one.
template <typename Value>
struct Sized {
  Value value;
  std::uint64_t record_bytes = 0;
};

std::uint64_t framed_size(std::string_view payload) {
  return kFrameHeaderSize + payload.size();
}

// --- Record payloads (canonical JSON: members in sorted order) ---

constexpr std::string_view kPutPrefix = "{\"entry\":";
constexpr std::string_view kPutSuffix = ",\"op\":\"put\"}";

Result<std::string> put_payload(const ProvcacheEntry& entry) {
  auto json = provcache::entry_to_json(entry);
  if (!json) return json.error();
  std::string payload;
  payload.reserve(kPutPrefix.size() + json->size() + kPutSuffix.size());
  payload.append(kPutPrefix).append(*json).append(kPutSuffix);
  return payload;
}

Result<std::string> remove_payload(const std::vector<std::string>& veri_keys) {
  return json::canonicalize(nlohmann::json{{"op", "remove"}, {"veriKeys", veri_keys}});
}

Result<std::string> revocation_payload(const RevocationRecord& record) {
  auto json = provcache::revocation_to_json(record);
  if (!json) return json.error();
  return "{\"op\":\"revocation\",\"record\":" + *json + "}";
}

Result<std::string> evidence_payload(const EvidenceManifest& manifest) {
  auto json = provcache::manifest_to_json(manifest);
  if (!json) return json.error();
  return "{\"manifest\":" + *json + ",\"op\":\"evidence\"}";
}

// "sha256:<hex>" -> "<hex>", the chunk directory's name. Precondition: a
// validated proofRoot.
std::string root_hex(std::string_view proof_root) {
  return std::string(proof_root.substr(proof_root.find(':') + 1));
}

void default_warn(const std::string& message) {
  spdlog::warn("{}", message);
}

}  // namespace

struct EmbeddedStore::State {
  State(std::filesystem::path dir, EmbeddedStoreOptions opts, DirectoryLock held)
      : directory(std::move(dir)), options(std::move(opts)), lock(std::move(held)) {}

  const std::filesystem::path directory;
  const EmbeddedStoreOptions options;
  DirectoryLock lock;

  // Writers hold write_mutex for the whole call (log order == memory order)
  // and data_mutex exclusively only to change the maps; readers take
  // data_mutex shared and never wait for the disk.
  std::mutex write_mutex;
  mutable std::shared_mutex data_mutex;

  StringMap<Sized<ProvcacheEntry>> entries;
  StringMap<Sized<EvidenceManifest>> manifests;
  std::vector<Sized<RevocationRecord>> revocations;  // log order
  std::uint64_t live_bytes = 0;

  std::optional<RecordLog> log;  // guarded by write_mutex
  std::uint64_t compactions = 0;

  // --- In-memory effects of a record (callers hold the locks) ---
  void apply_put(ProvcacheEntry entry, std::uint64_t record_bytes) {
    auto [it, inserted] = entries.try_emplace(entry.veri_key());
    if (!inserted) live_bytes -= it->second.record_bytes;
    it->second = Sized<ProvcacheEntry>{std::move(entry), record_bytes};
    live_bytes += record_bytes;
  }
  void apply_remove(const std::vector<std::string>& veri_keys) {
    for (const std::string& key : veri_keys) {
      const auto it = entries.find(key);
      if (it == entries.end()) continue;
      live_bytes -= it->second.record_bytes;
      entries.erase(it);
    }
  }
  void apply_revocation(RevocationRecord record, std::uint64_t record_bytes) {
    revocations.push_back({std::move(record), record_bytes});
    live_bytes += record_bytes;
  }
  void apply_evidence(EvidenceManifest manifest, std::uint64_t record_bytes) {
    auto [it, inserted] = manifests.try_emplace(manifest.proof_root);
    if (!inserted) live_bytes -= it->second.record_bytes;
    it->second = Sized<EvidenceManifest>{std::move(manifest), record_bytes};
    live_bytes += record_bytes;
  }

  // Replay: decode one record and apply it.
  Status replay(std::string_view payload) {
    // Fast path for the common record, exactly as put_payload writes it:
    // parse the entry text in place instead of parsing the record twice.
    if (payload.starts_with(kPutPrefix) && payload.ends_with(kPutSuffix)) {
      auto entry = provcache::parse_entry(payload.substr(
          kPutPrefix.size(), payload.size() - kPutPrefix.size() - kPutSuffix.size()));
      if (!entry) return entry.error();
      apply_put(std::move(*entry), framed_size(payload));
      return ok_status();
    }
    auto parsed = json::parse_strict(payload);
    if (!parsed) return parsed.error();
    try {
      const provcache::JsonFields fields(*parsed, "log record");
      const std::string op = fields.string("op");
      const std::uint64_t bytes = framed_size(payload);
      if (op == "put") {
        fields.allow_only({"op", "entry"});
        auto entry = provcache::parse_entry(fields.object("entry").dump());
        if (!entry) return entry.error();
        apply_put(std::move(*entry), bytes);
      } else if (op == "remove") {
        fields.allow_only({"op", "veriKeys"});
        std::vector<std::string> keys;
        for (const nlohmann::json& key : fields.array("veriKeys")) {
          if (!key.is_string()) fields.fail("\"veriKeys\" must hold only strings");
          keys.push_back(key.get<std::string>());
        }
        apply_remove(keys);
      } else if (op == "revocation") {
        fields.allow_only({"op", "record"});
        auto record = provcache::parse_revocation(fields.object("record").dump());
        if (!record) return record.error();
        apply_revocation(std::move(*record), bytes);
      } else if (op == "evidence") {
        fields.allow_only({"op", "manifest"});
        auto manifest = provcache::parse_manifest(fields.object("manifest").dump());
        if (!manifest) return manifest.error();
        apply_evidence(std::move(*manifest), bytes);
      } else {
        fields.fail("unknown op \"" + op + "\"");
      }
      return ok_status();
    } catch (const provcache::FieldError& failure) {
      return make_error(ErrorCode::kParse, failure.message);
    }
  }

  // --- Writes (callers hold write_mutex) ---
  Status append(std::string_view frames) { return log->append(frames); }

  Status compact_locked() {
    std::string frames;
    {
      const std::shared_lock read(data_mutex);
      frames.reserve(live_bytes);
      for (const auto& revocation : revocations) {
        append_frame(revocation_payload(revocation.value).value(), frames);
      }
      for (const auto& [root, manifest] : manifests) {
        append_frame(evidence_payload(manifest.value).value(), frames);
      }
      for (const auto& [key, entry] : entries) {
        append_frame(put_payload(entry.value).value(), frames);
      }
    }
    if (Status status = log->replace(frames); !status) return status;
    ++compactions;
    return ok_status();
  }

  Status maybe_compact_locked() {
    const double size = static_cast<double>(log->size());
    if (log->size() <= options.compaction_min_bytes ||
        size <= options.compaction_ratio * static_cast<double>(live_bytes)) {
      return ok_status();
    }
    return compact_locked();
  }

  Status write_chunks(const EvidenceManifest& manifest, std::span<const Bytes> chunks) const {
    const std::filesystem::path chunks_dir = directory / kChunksDir;
    const std::filesystem::path dir = chunks_dir / root_hex(manifest.proof_root);
    std::error_code error;
    std::filesystem::create_directories(dir, error);
    if (error) {
      return make_error(ErrorCode::kIo,
                        "cannot create chunk directory " + dir.string() + ": " + error.message());
    }
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      if (Status status = write_file_atomically(dir / std::to_string(i), chunks[i], false);
          !status) {
        return status;
      }
    }
    for (const std::filesystem::path& synced : {dir, chunks_dir, directory}) {
      if (Status status = sync_directory(synced); !status) return status;
    }
    return ok_status();
  }
};

EmbeddedStore::EmbeddedStore(std::unique_ptr<State> state) : state_(std::move(state)) {}
EmbeddedStore::~EmbeddedStore() = default;

Result<std::unique_ptr<EmbeddedStore>> EmbeddedStore::open(const std::filesystem::path& directory,
                                                           EmbeddedStoreOptions options) {
  if (!options.warn) options.warn = default_warn;
  auto lock = DirectoryLock::acquire(directory);
  if (!lock) return lock.error();
  auto state = std::make_unique<State>(directory, std::move(options), std::move(*lock));
  State& s = *state;
  auto log = RecordLog::open(
      directory / kLogName,
      [&s](std::string_view payload, std::uint64_t) { return s.replay(payload); }, s.options.warn);
  if (!log) return log.error().with_context("embedded store");
  s.log.emplace(std::move(*log));
  if (Status status = s.maybe_compact_locked(); !status) {
    return status.error().with_context("embedded store: compaction");
  }
  return std::unique_ptr<EmbeddedStore>(new EmbeddedStore(std::move(state)));
}

Result<Lookup> EmbeddedStore::get(std::string_view veri_key, std::int64_t now_seconds) {
  const std::shared_lock read(state_->data_mutex);
  const auto it = state_->entries.find(veri_key);
  if (it == state_->entries.end() || it->second.value.expires_at() <= now_seconds) {
    return Lookup{};
  }
  return Lookup{it->second.value, LookupSource::kEmbedded};
}

Status EmbeddedStore::put(const ProvcacheEntry& entry) {
  return put_many(std::span<const ProvcacheEntry>(&entry, 1));
}

Status EmbeddedStore::put_many(std::span<const ProvcacheEntry> entries) {
  State& s = *state_;
  std::vector<std::pair<const ProvcacheEntry*, std::uint64_t>> changed;
  std::string frames;
  const std::lock_guard write(s.write_mutex);
  for (const ProvcacheEntry& entry : entries) {
    const auto existing = s.entries.find(entry.veri_key());
    if (existing != s.entries.end() && existing->second.value == entry) continue;  // idempotent
    auto payload = put_payload(entry);
    if (!payload) return payload.error().with_context("embedded store: put");
    append_frame(*payload, frames);
    changed.emplace_back(&entry, framed_size(*payload));
  }
  if (changed.empty()) return ok_status();
  if (Status status = s.append(frames); !status) return status;
  {
    const std::unique_lock update(s.data_mutex);
    for (const auto& [entry, bytes] : changed) s.apply_put(*entry, bytes);
  }
  return s.maybe_compact_locked();
}

Result<InvalidationResult> EmbeddedStore::remove_matching(const InvalidationRequest& request,
                                                          std::int64_t now_seconds) {
  if (Status status = provcache::validate(request); !status) return status.error();
  State& s = *state_;
  const std::lock_guard write(s.write_mutex);
  InvalidationResult result;
  for (const auto& [key, entry] : s.entries) {  // only writers change entries: no data lock
    if (provcache::matches(request, entry.value, now_seconds)) result.veri_keys.push_back(key);
  }
  if (result.veri_keys.empty()) return result;
  std::sort(result.veri_keys.begin(), result.veri_keys.end());
  auto payload = remove_payload(result.veri_keys);
  if (!payload) return payload.error();
  std::string frames;
  append_frame(*payload, frames);
  if (Status status = s.append(frames); !status) return status.error();
  {
    const std::unique_lock update(s.data_mutex);
    s.apply_remove(result.veri_keys);
  }
  if (Status status = s.maybe_compact_locked(); !status) return status.error();
  return result;
}

Status EmbeddedStore::record_revocation(const RevocationRecord& record) {
  auto payload = revocation_payload(record);
  if (!payload) return payload.error().with_context("embedded store: revocation");
  State& s = *state_;
  std::string frames;
  append_frame(*payload, frames);
  const std::lock_guard write(s.write_mutex);
  if (Status status = s.append(frames); !status) return status;
  {
    const std::unique_lock update(s.data_mutex);
    s.apply_revocation(record, framed_size(*payload));
  }
  return s.maybe_compact_locked();
}

Result<std::vector<RevocationRecord>> EmbeddedStore::revocations(std::size_t limit) {
  std::vector<RevocationRecord> newest_first;
  {
    const std::shared_lock read(state_->data_mutex);
    newest_first.reserve(state_->revocations.size());
    for (auto it = state_->revocations.rbegin(); it != state_->revocations.rend(); ++it) {
      newest_first.push_back(it->value);
    }
  }
  // Later records first among equal times: the log order breaks ties.
  std::stable_sort(newest_first.begin(), newest_first.end(),
                   [](const RevocationRecord& a, const RevocationRecord& b) {
                     return a.created_at_seconds > b.created_at_seconds;
                   });
  if (newest_first.size() > limit) newest_first.resize(limit);
  return newest_first;
}

Status EmbeddedStore::put_evidence(const EvidenceManifest& manifest,
                                   std::span<const Bytes> chunks) {
  auto payload = evidence_payload(manifest);
  if (!payload) return payload.error().with_context("embedded store: evidence");
  for (std::size_t i = 0; i < chunks.size() && i < manifest.chunks.size(); ++i) {
    if (Status status = provcache::verify_manifest_chunk(manifest, i, chunks[i]); !status) {
      return status;
    }
  }
  if (Status status = provcache::verify_complete_evidence(manifest, chunks); !status) {
    return status;
  }
  State& s = *state_;
  const std::lock_guard write(s.write_mutex);
  if (const auto existing = s.manifests.find(manifest.proof_root); existing != s.manifests.end()) {
    if (existing->second.value == manifest) return ok_status();  // idempotent
    return make_error(ErrorCode::kInvalidArgument,
                      "embedded store: evidence " + manifest.proof_root +
                          " is already stored with a different manifest");
  }
  // Chunk files first, durably: the record must never point at missing bytes.
  if (Status status = s.write_chunks(manifest, chunks); !status) return status;
  std::string frames;
  append_frame(*payload, frames);
  if (Status status = s.append(frames); !status) return status;
  {
    const std::unique_lock update(s.data_mutex);
    s.apply_evidence(manifest, framed_size(*payload));
  }
  return s.maybe_compact_locked();
}

Result<std::optional<EvidenceManifest>> EmbeddedStore::get_evidence(std::string_view proof_root) {
  const std::shared_lock read(state_->data_mutex);
  const auto it = state_->manifests.find(proof_root);
  if (it == state_->manifests.end()) return std::optional<EvidenceManifest>();
  return std::optional<EvidenceManifest>(it->second.value);
}

Result<std::optional<Bytes>> EmbeddedStore::get_chunk(std::string_view proof_root,
                                                      std::uint64_t index) {
  EvidenceManifest manifest;
  {
    const std::shared_lock read(state_->data_mutex);
    const auto it = state_->manifests.find(proof_root);
    if (it == state_->manifests.end() || index >= it->second.value.chunks.size()) {
      return std::optional<Bytes>();
    }
    manifest = it->second.value;
  }
  const std::filesystem::path path =
      state_->directory / kChunksDir / root_hex(proof_root) / std::to_string(index);
  auto data = read_whole_file(path);
  if (!data) {
    if (data.error().code == ErrorCode::kNotFound) {
      return make_error(ErrorCode::kParse, "embedded store: chunk file " + path.string() +
                                               " of a stored manifest is missing");
    }
    return data.error();
  }
  if (Status status = provcache::verify_manifest_chunk(manifest, index, *data); !status) {
    return make_error(ErrorCode::kParse, "embedded store: chunk file " + path.string() +
                                             " is corrupt: " + status.error().message);
  }
  return std::optional<Bytes>(std::move(*data));
}

Result<std::uint64_t> EmbeddedStore::count() {
  const std::shared_lock read(state_->data_mutex);
  return static_cast<std::uint64_t>(state_->entries.size());
}

Status EmbeddedStore::compact() {
  const std::lock_guard write(state_->write_mutex);
  return state_->compact_locked();
}

EmbeddedStore::Stats EmbeddedStore::stats() const {
  const std::lock_guard write(state_->write_mutex);
  const std::shared_lock read(state_->data_mutex);
  return Stats{state_->log->size(), state_->live_bytes, state_->log->truncated_bytes(),
               state_->compactions};
}

}  // namespace zastava::store
