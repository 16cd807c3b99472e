#pragma once
// The ingestion API: how seals, VEX, SBOMs and findings reach the webhook's
// artifact store (store/artifact_store.hpp). Hosted on the API port beside
// the provcache API, pure over the store like it (each endpoint a function of
// the request, unit-tested without sockets). docs/ingestion.md has examples.
//
//   POST /v1/seals                  {"image":"<ref>@sha256:..","approve":bool,"sealsFile":{..}}
//                                   the file `stella seal --output` writes; 201 (200 when every
//                                   seal was already stored) {"imageDigest","repository","scope",
//                                   "seals":[{"id","sealId","facetId","approved","created"}]}
//   POST /v1/seals/{sealId}/approve 200 {"sealId","approved":true}; 404 when absent
//   POST /v1/attestations           a DSSE envelope of an in-toto Statement v1 with exactly one
//                                   subject (name: the image repository, digest: sha256 of the
//                                   image) and predicateType
//                                     https://openvex.dev/ns/v0.2.0       vex
//                                     https://cyclonedx.org/bom           sbom
//                                     https://stellaops.io/findings/v1    findings (SARIF 2.1.0,
//                                       or {"feedId"?: "..", "findings": [findings list]})
//                                   201 / 200 {"id","kind","imageDigest","scope","created"}
//   GET  /v1/images/{digest}/artifacts   200 {"imageDigest","artifacts":[{"id","kind",
//                                   "facetId","sealId","repository","approved","createdAt"}]}
//
// Trust: everything is verified against the policy's trusted keys before it
// is stored. The scope is chosen by image only (an upload names no
// namespace): every scope, in document order, whose images match the
// normalized reference, up to and including the first one that covers every
// namespace, else followed by the defaults. That is every scope that can
// govern the image in some namespace; the upload is accepted when it
// verifies (keys and signatureThreshold) against one of them, and the answer
// names it. The admission path verifies again against the pod's own scope.
//
// Errors: 401 (with WWW-Authenticate: Bearer) for an unauthenticated POST,
// exactly as the provcache API; 415 for a non-JSON body; 400 for a body that
// is not the documented shape; 422 with the reason for a well-formed upload
// that is refused (digest mismatch, a signature that does not verify, an
// unknown predicate type, a predicate its parser rejects); 409 when a seal id
// is already stored as another envelope; 503 when no policy is loaded or the
// store is down. Nothing is written unless every check passed.
//
// Metrics (with a registry): ingestion_api_requests_total{endpoint,code}.

#include <functional>
#include <memory>
#include <string_view>

#include "api/provcache_api.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "store/artifact_store.hpp"

namespace zastava::policy {
struct CompiledPolicy;
}

namespace zastava::api {

inline constexpr std::string_view kVexPredicateType = "https://openvex.dev/ns/v0.2.0";
inline constexpr std::string_view kSbomPredicateType = "https://cyclonedx.org/bom";
inline constexpr std::string_view kFindingsPredicateType = "https://stellaops.io/findings/v1";

// The policy in force now (the webhook's watcher); nullptr before one loads.
using PolicySource = std::function<std::shared_ptr<const policy::CompiledPolicy>()>;

class IngestionApi {
 public:
  // `store` and `registry` must outlive the API and every handler it made.
  IngestionApi(store::ArtifactStore& store, PolicySource policy, Clock now,
               metrics::Registry* registry = nullptr,
               std::shared_ptr<spdlog::logger> logger = nullptr);

  // Adds the four routes; they call this object, which must outlive them.
  void add_routes(http::Router& router);
  // A handler serving only these routes (404/405 for the rest).
  [[nodiscard]] http::Handler handler();

  http::Response post_seals(const http::Request& request);
  http::Response approve_seal(const http::Request& request, std::string_view seal_id);
  http::Response post_attestation(const http::Request& request);
  http::Response get_artifacts(const http::Request& request, std::string_view image_digest);

 private:
  http::Response seals_subpath(const http::Request& request, std::string_view rest);
  http::Response images_subpath(const http::Request& request, std::string_view rest);
  http::Response store_failure(const Error& error);
  http::Response counted(std::string_view endpoint, http::Response response);

  store::ArtifactStore& store_;
  PolicySource policy_;
  Clock now_;
  metrics::Registry* registry_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace zastava::api
