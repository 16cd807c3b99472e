#include "drift_input.hpp"

#include <fstream>
#include <set>

#include "base/bytes.hpp"
#include "cli_io.hpp"
#include "commands.hpp"
#include "dsse/trust_set.hpp"
#include "facet/definitions.hpp"
#include "facet/extract.hpp"
#include "facet/manifest.hpp"
#include "facet/names.hpp"
#include "facet/quota.hpp"
#include "facet/seal.hpp"
#include "image_input.hpp"

namespace zastava::cli {
namespace {

bool has_image_prefix(const std::string& spec) {
  return spec.starts_with("oci:") || spec.starts_with("docker-archive:") ||
         spec.starts_with("dir:");
}

bool is_seals_file(const std::string& spec) {
  if (has_image_prefix(spec)) return false;
  if (spec.ends_with(".json")) return true;
  std::ifstream file(spec, std::ios::binary);
  char first = '\0';
  while (file.get(first)) {
    if (first != ' ' && first != '\t' && first != '\n' && first != '\r') return first == '{';
  }
  return false;
}

// The seals of a seals file without keys: each payload parsed and its
// manifest's Merkle root recomputed, with the same consistency checks as
// facet::verify_seals_file (image, one seal a facet), but no signatures.
Result<std::vector<facet::FacetSeal>> open_unverified(const facet::SealsFile& file) {
  std::vector<facet::FacetSeal> seals;
  std::set<std::string> facet_ids;
  for (std::size_t index = 0; index < file.seals.size(); ++index) {
    const std::string where = "seals[" + std::to_string(index) + "]";
    const dsse::Envelope& envelope = file.seals[index];
    if (envelope.payload_type != facet::kFacetSealPayloadType) {
      return make_error(ErrorCode::kVerification,
                        where + ": payload type is '" + envelope.payload_type + "', not '" +
                            std::string(facet::kFacetSealPayloadType) + "'");
    }
    auto seal = facet::parse_seal_payload(as_string(envelope.payload));
    if (!seal) return seal.error().with_context(where);
    const std::string facet = where + " (facet " + seal->manifest.facet_id + ")";
    if (Status checked = facet::verify_manifest(seal->manifest); !checked) {
      return checked.error().with_context(facet);
    }
    if (seal->image_ref != file.image_ref || seal->image_digest != file.image_digest) {
      return make_error(ErrorCode::kVerification,
                        facet + ": is for image " + seal->image_ref + " (" + seal->image_digest +
                            "), the file for " + file.image_ref + " (" + file.image_digest + ")");
    }
    if (!facet_ids.insert(seal->manifest.facet_id).second) {
      return make_error(ErrorCode::kVerification, facet + ": the facet is sealed twice");
    }
    seals.push_back(std::move(seal).value());
  }
  return seals;
}

Result<DriftSide> read_seals_side(const std::string& path, const dsse::TrustSet& trust,
                                  std::size_t threshold) {
  auto text = read_text_file(path, kMaxSealsFileBytes);
  if (!text) return text.error();
  auto file = facet::parse_seals_file(*text);
  if (!file) return file.error().with_context(path);
  std::vector<facet::FacetSeal> seals;
  if (trust.empty()) {
    auto opened = open_unverified(*file);
    if (!opened) return opened.error().with_context(path);
    seals = std::move(opened).value();
  } else {
    auto verified = facet::verify_seals_file(*file, trust, threshold);
    if (!verified) return verified.error().with_context(path);
    for (auto& one : *verified) seals.push_back(std::move(one.seal));
  }
  DriftSide side;
  side.origin =
      trust.empty() ? DriftSide::Origin::kUnverifiedSeals : DriftSide::Origin::kVerifiedSeals;
  side.spec = path;
  side.image_name = file->image_ref;
  side.image_digest = file->image_digest;
  for (auto& seal : seals) {
    side.seal_ids.push_back(seal.seal_id);
    side.quotas.push_back(seal.quota);
    side.manifests.push_back(std::move(seal.manifest));
  }
  return side;
}

Result<DriftSide> read_image_side(const std::string& spec, const facet::FacetSet& facets,
                                  const std::vector<std::string>& only) {
  auto image = read_image_input(spec, ImageReadRequest{.capture_inventory = true});
  if (!image) return image.error();
  const std::string now = facet::format_time(now_seconds());
  auto manifests = facet::extract_manifests(image->contents, facets, only, now);
  if (!manifests) return manifests.error().with_context(spec);
  DriftSide side;
  side.origin = DriftSide::Origin::kImage;
  side.spec = spec;
  side.image_name = image->name;
  side.image_digest = image->contents.image_digest;
  side.manifests = std::move(manifests).value();
  side.seal_ids.assign(side.manifests.size(), "");
  side.quotas.assign(side.manifests.size(), std::nullopt);
  side.inventory = facet::build_inventory(image->contents.captured);
  return side;
}

std::vector<std::string> facet_ids_of(const DriftSide& side) {
  std::vector<std::string> ids;
  for (const auto& manifest : side.manifests) ids.push_back(manifest.facet_id);
  return ids;
}

std::optional<std::size_t> index_of(const DriftSide& side, const std::string& facet_id) {
  for (std::size_t index = 0; index < side.manifests.size(); ++index) {
    if (side.manifests[index].facet_id == facet_id) return index;
  }
  return std::nullopt;
}

struct AppliedQuota {
  facet::FacetQuota quota;
  std::string source;
};

AppliedQuota quota_for(const std::string& facet_id, const DriftSide& baseline,
                       std::size_t baseline_index, const facet::FacetSet& facets,
                       bool facets_from_file) {
  const facet::FacetDefinition* definition = facets.find(facet_id);
  if (facets_from_file && definition != nullptr) return {definition->quota, "facets file"};
  if (const auto& sealed = baseline.quotas[baseline_index]) return {*sealed, "baseline seal"};
  if (definition != nullptr) {
    return {definition->quota, facets_from_file ? "facets file" : "built-in definition"};
  }
  return {facet::FacetQuota{}, "seed default"};
}

Result<facet::FacetSet> load_facets(const std::optional<std::string>& facets_file) {
  if (!facets_file) return facet::FacetSet::defaults();
  auto facets = facet::FacetSet::load(*facets_file);
  if (!facets) return facets.error().with_context(*facets_file);
  return facets;
}

}  // namespace

Result<DriftRequest> make_drift_request(const Args& args, std::string baseline_spec,
                                        std::string current_spec) {
  DriftRequest request{std::move(baseline_spec), std::move(current_spec), args.value("facets-file"),
                       args.values("pub"), 1};
  if (const auto text = args.value("threshold")) {
    auto parsed = parse_threshold(*text);
    if (!parsed) return parsed.error();
    if (request.public_key_paths.empty()) {
      return make_error(ErrorCode::kInvalidArgument, "--threshold needs --pub keys");
    }
    request.threshold = *parsed;
  }
  return request;
}

Result<DriftReport> compute_drift_report(const DriftRequest& request) {
  auto facets = load_facets(request.facets_file);
  if (!facets) return facets.error();
  auto trust = load_trust_set(request.public_key_paths);
  if (!trust) return trust.error();

  // Seals first: they decide which facets an image side is cut into.
  const bool baseline_sealed = is_seals_file(request.baseline_spec);
  const bool current_sealed = is_seals_file(request.current_spec);
  std::optional<DriftSide> baseline;
  std::optional<DriftSide> current;
  if (baseline_sealed) {
    auto side = read_seals_side(request.baseline_spec, *trust, request.threshold);
    if (!side) return side.error().with_context("baseline");
    baseline = std::move(side).value();
  }
  if (current_sealed) {
    auto side = read_seals_side(request.current_spec, *trust, request.threshold);
    if (!side) return side.error().with_context("current");
    current = std::move(side).value();
  }
  if (!baseline) {
    auto side = read_image_side(request.baseline_spec, *facets,
                                current ? facet_ids_of(*current) : std::vector<std::string>{});
    if (!side) return side.error().with_context("baseline");
    baseline = std::move(side).value();
  }
  if (!current) {
    auto side =
        read_image_side(request.current_spec, *facets,
                        baseline_sealed ? facet_ids_of(*baseline) : std::vector<std::string>{});
    if (!side) return side.error().with_context("current");
    current = std::move(side).value();
  }

  DriftReport report{std::move(*baseline), std::move(*current), {}, {}, std::nullopt};
  const facet::Inventory* baseline_inventory =
      report.baseline.inventory ? &*report.baseline.inventory : nullptr;
  const facet::Inventory* current_inventory =
      report.current.inventory ? &*report.current.inventory : nullptr;
  std::vector<facet::QuotaVerdict> verdicts;
  for (std::size_t b = 0; b < report.baseline.manifests.size(); ++b) {
    const facet::FacetManifest& old_manifest = report.baseline.manifests[b];
    const auto c = index_of(report.current, old_manifest.facet_id);
    if (!c) {
      report.notes.push_back("facet " + old_manifest.facet_id +
                             " is only in the baseline; not compared");
      continue;
    }
    const facet::FacetManifest& new_manifest = report.current.manifests[*c];
    FacetComparison comparison;
    comparison.drift =
        facet::compute_drift(old_manifest, new_manifest, baseline_inventory, current_inventory);
    comparison.drift.baseline_seal_id = report.baseline.seal_ids[b];
    comparison.drift.current_seal_id = report.current.seal_ids[*c];
    comparison.baseline_files = old_manifest.file_count;
    comparison.current_files = new_manifest.file_count;
    auto applied = quota_for(old_manifest.facet_id, report.baseline, b, *facets,
                             request.facets_file.has_value());
    comparison.quota = applied.quota;
    comparison.quota_source = applied.source;
    comparison.drift.quota_verdict =
        facet::evaluate_quota(old_manifest.facet_id, comparison.drift.score, comparison.quota);
    verdicts.push_back(comparison.drift.quota_verdict);
    report.facets.push_back(std::move(comparison));
  }
  for (const auto& manifest : report.current.manifests) {
    if (!index_of(report.baseline, manifest.facet_id)) {
      report.notes.push_back("facet " + manifest.facet_id +
                             " is only in the current side; not compared");
    }
  }
  report.action = facet::strictest_action(verdicts);
  return report;
}

std::string describe_origin(DriftSide::Origin origin) {
  switch (origin) {
    case DriftSide::Origin::kImage:
      return "image";
    case DriftSide::Origin::kVerifiedSeals:
      return "seals (signatures verified)";
    case DriftSide::Origin::kUnverifiedSeals:
      return "seals (signatures NOT verified, no --pub given; Merkle roots checked)";
  }
  return "";
}

int exit_code_for(const std::optional<facet::QuotaAction>& action) {
  if (!action) return kExitOk;
  switch (*action) {
    case facet::QuotaAction::kWarn:
      return kExitOk;
    case facet::QuotaAction::kBlock:
      return kExitQuotaBlocked;
    case facet::QuotaAction::kRequireVex:
      return kExitRequireVex;
  }
  return kExitFailure;
}

}  // namespace zastava::cli
