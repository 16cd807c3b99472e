#pragma once
// OpenVEX v0.2.0 (https://github.com/openvex/spec) from drift: one statement
// per drifted facet, naming the current image as product, for a person to
// review and justify.

#include <span>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "facet/model.hpp"

namespace zastava::facet {

struct VexOptions {
  std::string product_purl;  // oci_purl(...) of the current image
  std::string status =
      "under_investigation";  // not_affected | affected | fixed | under_investigation
  std::string author = "stella";
  std::string timestamp;  // RFC 3339; the document's and each statement's

  // What the spec requires for some statuses. Stella never invents these:
  // whether drift is harmless is a person's call.
  //  - not_affected MUST carry a justification label (one of
  //    component_not_present, vulnerable_code_not_present,
  //    vulnerable_code_not_in_execute_path,
  //    vulnerable_code_cannot_be_controlled_by_adversary,
  //    inline_mitigations_already_exist) or a free-text impact statement;
  //    without either, vex_from_drift rejects the status.
  //  - affected MUST carry an action statement; when empty, a generic one is
  //    written ("Review the files that drifted in facet <id>: re-seal the
  //    image if the change is intended, otherwise rebuild it from the
  //    baseline.").
  // Giving a justification or impact statement for another status, or an
  // action statement for a status other than affected, is an error.
  std::string justification;
  std::string impact_statement;
  std::string action_statement;
};

// "pkg:oci/<name>@sha256%3A<hex>" per the purl spec's oci type: <name> is the
// last segment of the repository, lower-cased; the version is the digest with
// ':' percent-encoded. When the image name has a registry part (its first
// segment has a '.' or ':' or is "localhost"), ?repository_url=<registry>/
// <repository> names where the image lives, as in the spec's examples
// ("pkg:oci/debian@sha256%3A...?repository_url=docker.io/library/debian").
// A ":tag" on the name becomes the tag qualifier; an "@digest" on it must
// equal `image_digest`. Errors (kInvalidArgument): empty or malformed name,
// digest not "sha256:<64 lower-case hex>".
Result<std::string> oci_purl(std::string_view image_name, std::string_view image_digest);

// Statements only for drifts with changes, in the order given; vulnerability
// name "stella:facet-drift/<facetId>"; status_notes summarize the score, the
// causes, the seals and the quota verdict. Requirements per status: see
// VexOptions. @id is "https://stellaops.io/vex/sha256:<hex>", the SHA-256 of
// the canonical document without @id. Canonical JSON (RFC 8785).
// Errors (kInvalidArgument): unknown status, missing requirements of a
// status, an unknown justification label, empty author or timestamp, a
// product that is not a purl.
Result<std::string> vex_from_drift(std::span<const FacetDrift> drifts, const VexOptions& options);

}  // namespace zastava::facet
