#pragma once
// OpenVEX v0.2.0 from drift: one statement per drifted facet, naming the
// current image as product, for a person to review and justify.

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
};

// "pkg:oci/<name>@sha256%3A<hex>" per the purl spec (':' in the version is
// percent-encoded), with ?repository_url=<registry/namespace> when the name
// has a registry part.
Result<std::string> oci_purl(std::string_view image_name, std::string_view image_digest);

// Statements only for drifts with changes; vulnerability name
// "stella:facet-drift/<facetId>"; status_notes summarize the score; the
// justification (for not_affected) is left empty for a person to fill in.
// @id is "https://stellaops.io/vex/" + sha256 of the canonical document
// without @id. Canonical JSON.
Result<std::string> vex_from_drift(std::span<const FacetDrift> drifts, const VexOptions& options);

}  // namespace zastava::facet
