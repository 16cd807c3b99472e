#pragma once
// The decision tests' world: real embedded stores in a temp directory (the
// artifact store and the provcache store), real keys, real seals signed over
// manifests built here, real VEX / SBOM / findings statements in signed
// in-toto envelopes, and a policy compiled from a JSON document.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "admission/admission_request.hpp"
#include "crypto/private_key.hpp"
#include "decision/decider.hpp"
#include "decision/namespace_labels.hpp"
#include "policy/policy_document.hpp"
#include "store/embedded_artifact_store.hpp"
#include "store/embedded_store.hpp"

namespace zastava::decision::testing {

inline constexpr std::int64_t kNow = 1795000000;  // 2026-11-18
inline constexpr std::string_view kRepo = "registry.example.com/shop/api";

// "sha256:<hex>" of `name`: a stand-in image digest.
std::string digest_of(std::string_view name);
// "registry.example.com/shop/api@<digest>".
std::string image_at(std::string_view digest, std::string_view repository = kRepo);

// A file entry with content `content` at `path`.
facet::FileEntry file(std::string path, std::string_view content);
// `count` files /usr/lib/f<i> with content `prefix`<i>.
std::vector<facet::FileEntry> files(int count, std::string_view prefix);

admission::AdmissionRequest pod_request(std::vector<std::pair<std::string, std::string>> containers,
                                        std::string namespace_name = "shop");

// A provcache store double: every call fails with kIo.
class UnavailableStore final : public store::ProvcacheStore {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "unavailable"; }
  Result<store::Lookup> get(std::string_view, std::int64_t) override { return down(); }
  Status put(const store::ProvcacheEntry&) override { return down(); }
  Result<store::InvalidationResult> remove_matching(const store::InvalidationRequest&,
                                                    std::int64_t) override {
    return down();
  }
  Status record_revocation(const store::RevocationRecord&) override { return down(); }
  Result<std::vector<store::RevocationRecord>> revocations(std::size_t) override { return down(); }
  Status put_evidence(const store::EvidenceManifest&, std::span<const Bytes>) override {
    return down();
  }
  Result<std::optional<store::EvidenceManifest>> get_evidence(std::string_view) override {
    return down();
  }
  Result<std::optional<Bytes>> get_chunk(std::string_view, std::uint64_t) override {
    return down();
  }
  Result<std::uint64_t> count() override { return down(); }

 private:
  static Error down() {
    return make_error(ErrorCode::kIo, "valkey 10.0.0.9:6379: connection refused");
  }
};

class DecisionFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // The policy document the tests start from (then edit): Enforce, Fail, one
  // trusted key (key_), os quota maxChangedFiles 2 with onExceed Block,
  // provcache minTrustScore 0 and onMiss evaluate.
  nlohmann::json base_policy() const;
  static policy::CompiledPolicy compile(const nlohmann::json& document);

  // Seals one facet of an image and stores it; returns the seal id.
  std::string seal(std::string_view digest, std::string_view facet_id,
                   std::vector<facet::FileEntry> entries, bool approved = false,
                   const crypto::PrivateKey* key = nullptr, std::string_view repository = kRepo,
                   std::int64_t sealed_at = kNow - 3600);
  // A signed in-toto statement about `digest` with `predicate`, stored as `kind`.
  void put_statement(store::ArtifactKind kind, std::string_view digest,
                     const nlohmann::json& predicate, const crypto::PrivateKey* key = nullptr,
                     std::int64_t created_at = kNow - 60);
  // An OpenVEX document with one statement about the image.
  static nlohmann::json vex_document(std::string_view digest, std::string_view status,
                                     std::string_view justification, bool name_product = true,
                                     std::string_view vulnerability = "stella:facet-drift/os");
  static nlohmann::json sbom_document(int components, std::string_view name = "zlib");

  AdmissionOutcome decide(const policy::CompiledPolicy& policy,
                          const admission::AdmissionRequest& request, std::int64_t now = kNow);

  std::filesystem::path dir_;
  std::unique_ptr<store::EmbeddedArtifactStore> artifacts_;
  std::unique_ptr<store::EmbeddedStore> provcache_;
  NamespaceLabelTable labels_;
  std::optional<crypto::PrivateKey> key_;
  std::optional<crypto::PrivateKey> other_key_;
  std::unique_ptr<Decider> decider_;
};

// Whether some element of `lines` contains `needle`.
bool any_contains(const std::vector<std::string>& lines, std::string_view needle);
// The audit annotation `key`, or "".
std::string annotation(const AdmissionOutcome& outcome, std::string_view key);

}  // namespace zastava::decision::testing
