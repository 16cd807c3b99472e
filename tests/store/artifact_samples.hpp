#pragma once
// Artifacts for the artifact store tests (embedded and PostgreSQL). The
// stores keep envelopes as given (the ingestion API is what verifies them),
// so an envelope here is a small JSON text named by a tag.

#include <cstdint>
#include <string>
#include <string_view>

#include "store/artifact_store.hpp"

namespace zastava::store::testing {

inline const std::string kImage = "sha256:" + std::string(64, 'a');
inline const std::string kOtherImage = "sha256:" + std::string(64, 'b');
inline constexpr std::string_view kRepository = "registry.example.com/app";

inline StoredArtifact artifact(ArtifactKind kind, const std::string& tag,
                               const std::string& image = kImage) {
  StoredArtifact a;
  a.kind = kind;
  a.envelope_json = "{\"payload\":\"" + tag + "\"}";
  a.id = artifact_id(a.envelope_json);
  a.image_digest = image;
  a.created_at_seconds = 1'700'000'000;
  return a;
}

inline StoredArtifact seal(const std::string& seal_id, std::int64_t sealed_at,
                           bool approved = false, const std::string& facet = "os-packages",
                           const std::string& image = kImage) {
  StoredArtifact a = artifact(ArtifactKind::kSeal, "seal-" + seal_id + "-" + facet, image);
  a.repository = std::string(kRepository);
  a.facet_id = facet;
  a.seal_id = seal_id;
  a.created_at_seconds = sealed_at;
  a.approved = approved;
  return a;
}

}  // namespace zastava::store::testing
