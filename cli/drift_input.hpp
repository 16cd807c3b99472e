#pragma once
// The two sides of `stella drift` and `stella vex gen --from-drift`, and the
// per-facet drift between them.
//
// A side is a seals file when its path ends in ".json" or the file starts
// with '{'; otherwise it is an image spec (oci:, docker-archive:, dir:).
// Seals are verified against --pub keys when given; without keys only each
// manifest's Merkle root is recomputed (verify_manifest), and the report says
// the signatures were not checked.
//
// Which facets are compared: every facet of an image side (all definitions);
// when a side is a seals file, its facets, and the other side is restricted
// to them. A facet present on only one side is not compared (a note says so).
//
// Which quota applies to a facet: the --facets-file definition's when a file
// is given; else the quota recorded in the baseline seal; else the built-in
// definition's; else the seed's defaults.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "args.hpp"
#include "base/result.hpp"
#include "facet/drift.hpp"
#include "facet/model.hpp"

namespace zastava::cli {

struct DriftRequest {
  std::string baseline_spec;
  std::string current_spec;
  std::optional<std::string> facets_file;
  std::vector<std::string> public_key_paths;  // empty: seals' signatures are not checked
  std::size_t threshold = 1;
};

// The request from the common options (--facets-file, --pub, --threshold) of
// `drift` and `vex gen`; kInvalidArgument (a usage error) for a bad threshold
// or a threshold without --pub keys.
Result<DriftRequest> make_drift_request(const Args& args, std::string baseline_spec,
                                        std::string current_spec);

struct DriftSide {
  enum class Origin { kImage, kVerifiedSeals, kUnverifiedSeals } origin = Origin::kImage;
  std::string spec;
  std::string image_name;  // the image's own name, or a seals file's imageRef
  std::string image_digest;
  std::vector<facet::FacetManifest> manifests;
  std::vector<std::string> seal_ids;                     // parallel to manifests (seals only)
  std::vector<std::optional<facet::FacetQuota>> quotas;  // parallel to manifests (seals only)
  std::optional<facet::Inventory> inventory;             // images only
};

struct FacetComparison {
  facet::FacetDrift drift;  // with its quota verdict
  std::uint64_t baseline_files = 0;
  std::uint64_t current_files = 0;
  facet::FacetQuota quota;
  std::string
      quota_source;  // "facets file", "baseline seal", "built-in definition", "seed default"
};

struct DriftReport {
  DriftSide baseline;
  DriftSide current;
  std::vector<FacetComparison> facets;
  std::vector<std::string> notes;            // facets not compared, and why
  std::optional<facet::QuotaAction> action;  // strictest among failed verdicts
};

Result<DriftReport> compute_drift_report(const DriftRequest& request);

// "image", "seals (signatures verified)", "seals (signatures NOT verified: no --pub; Merkle roots
// checked)"
std::string describe_origin(DriftSide::Origin origin);

// The exit code for an action: none/Warn 0, Block 2, RequireVex 3.
int exit_code_for(const std::optional<facet::QuotaAction>& action);

}  // namespace zastava::cli
