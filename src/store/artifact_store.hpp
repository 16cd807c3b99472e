#pragma once
// The webhook's evidence store: the signed artifacts it checks images
// against, keyed by image digest. Everything here arrived through the
// ingestion API or the CLI as a DSSE envelope whose signatures verified
// against the policy's trusted keys; the store keeps the envelope as
// received, so the admission path re-verifies (and caches the result by
// envelope id) rather than trusting the store.
//
//   kind      payload                                         from
//   seal      facet seal (facet/seal.hpp), one per facet      stella seal
//   vex       OpenVEX document in an in-toto Statement        stella vex gen, vendors
//   sbom      CycloneDX 1.6 JSON in an in-toto Statement      SBOM generators
//   findings  SARIF 2.1.0 / findings list in a Statement      scanners
//
// Baselines: a seal may be approved (at ingestion, or later); the baseline of
// an image's facet is the latest approved seal (by sealedAt, then id) of the
// same repository and facet, unless the policy pins one.
//
// Implementations: embedded (a directory, the default) and PostgreSQL
// (table artifacts.artifacts, versioned migrations). Thread-safe.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace zastava::store {

enum class ArtifactKind { kSeal, kVex, kSbom, kFindings };
std::string_view to_string(ArtifactKind kind) noexcept;  // "seal", "vex", "sbom", "findings"
std::optional<ArtifactKind> parse_artifact_kind(std::string_view text) noexcept;

struct StoredArtifact {
  std::string id;  // "sha256:<hex>" of the envelope's canonical JSON (content-addressed)
  ArtifactKind kind = ArtifactKind::kSeal;
  std::string image_digest;  // the subject: "sha256:<hex>"
  std::string repository;    // normalized repository, "docker.io/library/nginx"; seals only
  std::string facet_id;      // seals only
  std::string seal_id;       // seals only (the payload's sealId)
  bool approved = false;     // seals: an approved baseline
  std::int64_t created_at_seconds = 0;  // seals: sealedAt; others: ingestion time
  std::string envelope_json;            // the DSSE envelope, canonical JSON

  friend bool operator==(const StoredArtifact&, const StoredArtifact&) = default;
};

// --- Shared by every implementation (artifact_store.cpp) ---

// The id of an envelope: "sha256:<hex>" of its canonical JSON text.
std::string artifact_id(std::string_view canonical_envelope_json);

// kInvalidArgument naming the field unless: id and image_digest are sha256
// content ids, envelope_json is non-empty, and a seal has repository,
// facet_id and seal_id while other kinds have none of them and approved false.
Status validate_artifact(const StoredArtifact& artifact);

// The artifact as canonical JSON (the embedded log's record body):
// {"approved","createdAt","envelope","facetId","id","imageDigest","kind",
//  "repository","sealId"}. parse_artifact reads it back strictly (kParse).
Result<std::string> artifact_to_json(const StoredArtifact& artifact);
Result<StoredArtifact> parse_artifact(std::string_view json_text);

// for_image's order: kind (seal, vex, sbom, findings), then id.
bool listed_before(const StoredArtifact& a, const StoredArtifact& b) noexcept;
// The baseline order: a later created_at, then a greater id, is newer.
bool newer_baseline(const StoredArtifact& a, const StoredArtifact& b) noexcept;

// What put() does with `incoming` given what the store holds under its id
// (`existing`, or nullptr) and under its seal id (`same_seal`, or nullptr):
// kInsert; kNothing (the same artifact, or approval already given);
// kApprove (the same seal put again with approved=true). kInvalidArgument
// when the id is held with other metadata, or the seal id by another envelope.
enum class PutEffect { kInsert, kNothing, kApprove };
Result<PutEffect> classify_put(const StoredArtifact* existing, const StoredArtifact* same_seal,
                               const StoredArtifact& incoming);

class ArtifactStore {
 public:
  virtual ~ArtifactStore() = default;

  // Idempotent by id. Putting an existing seal again with approved=true
  // approves it (approval is never revoked by a put).
  virtual Status put(const StoredArtifact& artifact) = 0;
  // Every artifact whose subject is `image_digest`, sorted by (kind, id).
  virtual Result<std::vector<StoredArtifact>> for_image(std::string_view image_digest) = 0;
  // The latest approved seal of (repository, facet_id), by created_at then id.
  virtual Result<std::optional<StoredArtifact>> latest_approved_seal(std::string_view repository,
                                                                     std::string_view facet_id) = 0;
  virtual Result<std::optional<StoredArtifact>> seal_by_id(std::string_view seal_id) = 0;
  // kNotFound when there is no such seal.
  virtual Status approve_seal(std::string_view seal_id) = 0;
};

}  // namespace zastava::store
