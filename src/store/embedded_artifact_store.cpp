#include "store/embedded_artifact_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <utility>

#include "json/canonical_json.hpp"
#include "provcache/json_fields.hpp"
#include "store/durable_file.hpp"
#include "store/record_log.hpp"

namespace zastava::store {
namespace {

constexpr const char* kLogName = "artifacts.log";

template <typename Value>
using SortedMap = std::map<std::string, Value, std::less<>>;

// --- Record payloads (canonical JSON: members in sorted order) ---

Result<std::string> put_payload(const StoredArtifact& artifact) {
  auto json = artifact_to_json(artifact);
  if (!json) return json.error();
  return "{\"artifact\":" + *json + ",\"op\":\"put\"}";
}

Result<std::string> approve_payload(std::string_view seal_id) {
  return json::canonicalize(nlohmann::json{{"op", "approve"}, {"sealId", seal_id}});
}

std::string facet_key(std::string_view repository, std::string_view facet_id) {
  std::string key;
  key.reserve(repository.size() + 1 + facet_id.size());
  key.append(repository).append(1, '\n').append(facet_id);
  return key;
}

void default_warn(const std::string& message) {
  spdlog::warn("{}", message);
}

}  // namespace

struct EmbeddedArtifactStore::State {
  explicit State(DirectoryLock held) : lock(std::move(held)) {}

  DirectoryLock lock;

  // Writers hold write_mutex for the whole call (log order == memory order)
  // and data_mutex exclusively only to change the maps; readers take
  // data_mutex shared.
  std::mutex write_mutex;
  mutable std::shared_mutex data_mutex;

  SortedMap<StoredArtifact> artifacts;           // by id
  SortedMap<std::vector<std::string>> by_image;  // image digest -> ids, listed_before order
  SortedMap<std::string> by_seal;                // seal id -> id
  SortedMap<std::vector<std::string>> by_facet;  // facet_key -> seal artifact ids
  std::optional<RecordLog> log;                  // guarded by write_mutex

  [[nodiscard]] const StoredArtifact* find(std::string_view id) const {
    const auto it = artifacts.find(id);
    return it == artifacts.end() ? nullptr : &it->second;
  }
  [[nodiscard]] StoredArtifact* find_seal(std::string_view seal_id) {
    const auto it = by_seal.find(seal_id);
    return it == by_seal.end() ? nullptr : &artifacts.at(it->second);
  }

  // --- In-memory effects of a record (callers hold the locks) ---
  void apply_insert(const StoredArtifact& artifact) {
    artifacts.emplace(artifact.id, artifact);
    // Kept in for_image's order, so reads copy without sorting.
    std::vector<std::string>& of_image = by_image[artifact.image_digest];
    const auto position = std::lower_bound(of_image.begin(), of_image.end(), artifact,
                                           [this](const std::string& id, const auto& a) {
                                             return listed_before(artifacts.at(id), a);
                                           });
    of_image.insert(position, artifact.id);
    if (artifact.kind == ArtifactKind::kSeal) {
      by_seal.emplace(artifact.seal_id, artifact.id);
      by_facet[facet_key(artifact.repository, artifact.facet_id)].push_back(artifact.id);
    }
  }

  // What put() would do, checked against the maps (callers hold write_mutex).
  Result<PutEffect> effect_of(const StoredArtifact& artifact) {
    const StoredArtifact* same_seal =
        artifact.kind == ArtifactKind::kSeal ? find_seal(artifact.seal_id) : nullptr;
    return classify_put(find(artifact.id), same_seal, artifact);
  }

  // Replay: decode one record and apply it; a record that contradicts the
  // ones before it is corruption.
  Status replay(std::string_view payload) {
    auto parsed = json::parse_strict(payload);
    if (!parsed) return parsed.error();
    try {
      const provcache::JsonFields fields(*parsed, "artifact log record");
      const std::string op = fields.string("op");
      if (op == "put") {
        fields.allow_only({"op", "artifact"});
        auto artifact = parse_artifact(fields.object("artifact").dump());
        if (!artifact) return artifact.error();
        auto effect = effect_of(*artifact);
        if (!effect) return make_error(ErrorCode::kParse, effect.error().message);
        if (*effect == PutEffect::kInsert) apply_insert(*artifact);
        if (*effect == PutEffect::kApprove) find_seal(artifact->seal_id)->approved = true;
      } else if (op == "approve") {
        fields.allow_only({"op", "sealId"});
        StoredArtifact* seal = find_seal(fields.string("sealId"));
        if (seal == nullptr) fields.fail("approves a seal that was never put");
        seal->approved = true;
      } else {
        fields.fail("unknown op \"" + op + "\"");
      }
      return ok_status();
    } catch (const provcache::FieldError& failure) {
      return make_error(ErrorCode::kParse, failure.message);
    }
  }

  Status append(std::string_view payload) {
    std::string frame;
    append_frame(payload, frame);
    return log->append(frame);
  }
};

EmbeddedArtifactStore::EmbeddedArtifactStore(std::unique_ptr<State> state)
    : state_(std::move(state)) {}
EmbeddedArtifactStore::~EmbeddedArtifactStore() = default;

Result<std::unique_ptr<EmbeddedArtifactStore>> EmbeddedArtifactStore::open(
    const std::filesystem::path& directory, EmbeddedArtifactStoreOptions options) {
  if (!options.warn) options.warn = default_warn;
  auto lock = DirectoryLock::acquire(directory);
  if (!lock) return lock.error();
  auto state = std::make_unique<State>(std::move(*lock));
  State& s = *state;
  auto log = RecordLog::open(
      directory / kLogName,
      [&s](std::string_view payload, std::uint64_t) { return s.replay(payload); }, options.warn);
  if (!log) return log.error().with_context("embedded artifact store");
  s.log.emplace(std::move(*log));
  return std::unique_ptr<EmbeddedArtifactStore>(new EmbeddedArtifactStore(std::move(state)));
}

Status EmbeddedArtifactStore::put(const StoredArtifact& artifact) {
  State& s = *state_;
  const std::lock_guard write(s.write_mutex);
  auto effect = s.effect_of(artifact);
  if (!effect) return effect.error().with_context("embedded artifact store: put");
  if (*effect == PutEffect::kNothing) return ok_status();
  auto payload =
      *effect == PutEffect::kInsert ? put_payload(artifact) : approve_payload(artifact.seal_id);
  if (!payload) return payload.error().with_context("embedded artifact store: put");
  if (Status status = s.append(*payload); !status) return status;
  const std::unique_lock update(s.data_mutex);
  if (*effect == PutEffect::kInsert) {
    s.apply_insert(artifact);
  } else {
    s.find_seal(artifact.seal_id)->approved = true;
  }
  return ok_status();
}

Result<std::vector<StoredArtifact>> EmbeddedArtifactStore::for_image(
    std::string_view image_digest) {
  std::vector<StoredArtifact> found;
  {
    const std::shared_lock read(state_->data_mutex);
    const auto it = state_->by_image.find(image_digest);
    if (it == state_->by_image.end()) return found;
    found.reserve(it->second.size());
    for (const std::string& id : it->second) found.push_back(state_->artifacts.at(id));
  }
  return found;  // by_image is kept sorted
}

Result<std::optional<StoredArtifact>> EmbeddedArtifactStore::latest_approved_seal(
    std::string_view repository, std::string_view facet_id) {
  const std::shared_lock read(state_->data_mutex);
  const auto it = state_->by_facet.find(facet_key(repository, facet_id));
  const StoredArtifact* latest = nullptr;
  if (it != state_->by_facet.end()) {
    for (const std::string& id : it->second) {
      const StoredArtifact& seal = state_->artifacts.at(id);
      if (seal.approved && (latest == nullptr || newer_baseline(seal, *latest))) latest = &seal;
    }
  }
  if (latest == nullptr) return std::optional<StoredArtifact>();
  return std::optional<StoredArtifact>(*latest);
}

Result<std::optional<StoredArtifact>> EmbeddedArtifactStore::seal_by_id(std::string_view seal_id) {
  const std::shared_lock read(state_->data_mutex);
  const StoredArtifact* seal = state_->find_seal(seal_id);
  if (seal == nullptr) return std::optional<StoredArtifact>();
  return std::optional<StoredArtifact>(*seal);
}

Status EmbeddedArtifactStore::approve_seal(std::string_view seal_id) {
  State& s = *state_;
  const std::lock_guard write(s.write_mutex);
  StoredArtifact* seal = s.find_seal(seal_id);
  if (seal == nullptr) {
    return make_error(ErrorCode::kNotFound, "no seal " + std::string(seal_id));
  }
  if (seal->approved) return ok_status();
  auto payload = approve_payload(seal_id);
  if (!payload) return payload.error();
  if (Status status = s.append(*payload); !status) return status;
  const std::unique_lock update(s.data_mutex);
  seal->approved = true;
  return ok_status();
}

std::uint64_t EmbeddedArtifactStore::log_bytes() const {
  const std::lock_guard write(state_->write_mutex);
  return state_->log->size();
}

}  // namespace zastava::store
