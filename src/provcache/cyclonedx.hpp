#pragma once
// CycloneDX JSON SBOMs (specVersion 1.4 to 1.6): the parts the gate and the
// trust score read, and the canonical SBOM hash that goes into the VeriKey.
//
// Strict about shape, not about every optional field: a document must say
// bomFormat "CycloneDX" and a supported specVersion, and `components` (when
// present) must be an array of objects each with a string `type` and `name`.
// Nested components (component.components) are flattened depth-first, parent
// before children, so `components` lists every component the SBOM names.

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace zastava::provcache {

struct SbomComponent {
  std::string bom_ref;  // "" when absent
  std::string type;     // "library", "container", "application", ...
  std::string name;
  std::string version;        // "" when absent
  std::string purl;           // "" when absent
  bool has_licenses = false;  // a non-empty `licenses` array
  bool has_hashes = false;    // a non-empty `hashes` array

  friend bool operator==(const SbomComponent&, const SbomComponent&) = default;
};

struct Sbom {
  std::string spec_version;                         // "1.4", "1.5" or "1.6"
  std::string serial_number;                        // "urn:uuid:..." or "" when absent
  std::optional<SbomComponent> metadata_component;  // what the SBOM describes (the image)
  std::vector<SbomComponent> components;            // flattened, in document order
  std::string canonical_hash;                       // canonical_sbom_hash of the document
};

// Parses and checks a CycloneDX JSON document (strict JSON: duplicate keys and
// invalid UTF-8 are rejected). Errors: kParse for malformed JSON or a document
// that is not a CycloneDX SBOM, kUnsupported for another specVersion; the
// message names the offending field by JSON Pointer.
Result<Sbom> parse_cyclonedx(std::string_view text);

// "sha256:<hex>" of the document's RFC 8785 canonical form, so the same SBOM
// hashes the same however it was formatted. Errors from canonicalization.
Result<std::string> canonical_sbom_hash(const nlohmann::json& document);

}  // namespace zastava::provcache
