#include "provcache/cyclonedx.hpp"

#include <nlohmann/json.hpp>

#include "base/bytes.hpp"
#include "digest/content_id.hpp"
#include "json/canonical_json.hpp"
#include "provcache/document_reader.hpp"

namespace zastava::provcache {
namespace {

using detail::child;
using detail::DocumentError;

bool is_supported_spec_version(std::string_view version) {
  return version == "1.4" || version == "1.5" || version == "1.6";
}

bool non_empty_array(const nlohmann::json& object, std::string_view key,
                     const std::string& pointer) {
  const nlohmann::json* value = detail::member(object, key);
  if (value == nullptr) return false;
  return !detail::require_array(*value, child(pointer, key)).empty();
}

SbomComponent read_component(const nlohmann::json& value, const std::string& pointer) {
  detail::require_object(value, pointer);
  SbomComponent component;
  component.bom_ref = detail::optional_string(value, "bom-ref", pointer);
  component.type = detail::required_string(value, "type", pointer);
  component.name = detail::required_string(value, "name", pointer);
  component.version = detail::optional_string(value, "version", pointer);
  component.purl = detail::optional_string(value, "purl", pointer);
  component.has_licenses = non_empty_array(value, "licenses", pointer);
  component.has_hashes = non_empty_array(value, "hashes", pointer);
  return component;
}

// Depth-first, parent before its children, so the order is the document's.
void read_components(const nlohmann::json& array, const std::string& pointer,
                     std::vector<SbomComponent>& out) {
  detail::require_array(array, pointer);
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string at = child(pointer, i);
    out.push_back(read_component(array[i], at));
    if (const nlohmann::json* nested = detail::member(array[i], "components")) {
      read_components(*nested, child(at, "components"), out);
    }
  }
}

Result<Sbom> read_sbom(const nlohmann::json& document) {
  detail::require_object(document, "");
  if (detail::member(document, "bomFormat") == nullptr) {
    throw DocumentError("/bomFormat", "missing: not a CycloneDX SBOM");
  }
  if (detail::optional_string(document, "bomFormat", "") != "CycloneDX") {
    throw DocumentError("/bomFormat", "expected \"CycloneDX\": not a CycloneDX SBOM");
  }
  Sbom sbom;
  sbom.spec_version = detail::required_string(document, "specVersion", "");
  if (!is_supported_spec_version(sbom.spec_version)) {
    return make_error(ErrorCode::kUnsupported,
                      "CycloneDX SBOM: /specVersion: \"" + sbom.spec_version +
                          "\" is not supported (expected 1.4, 1.5 or 1.6)");
  }
  sbom.serial_number = detail::optional_string(document, "serialNumber", "");
  if (const nlohmann::json* metadata = detail::member(document, "metadata")) {
    detail::require_object(*metadata, "/metadata");
    if (const nlohmann::json* component = detail::member(*metadata, "component")) {
      sbom.metadata_component = read_component(*component, "/metadata/component");
    }
  }
  if (const nlohmann::json* components = detail::member(document, "components")) {
    read_components(*components, "/components", sbom.components);
  }
  auto hash = canonical_sbom_hash(document);
  if (!hash.ok()) return hash.error().with_context("CycloneDX SBOM");
  sbom.canonical_hash = std::move(*hash);
  return sbom;
}

}  // namespace

Result<Sbom> parse_cyclonedx(std::string_view text) {
  return detail::parse_document<Sbom>(text, "CycloneDX SBOM", read_sbom);
}

Result<std::string> canonical_sbom_hash(const nlohmann::json& document) {
  auto canonical = json::canonicalize(document);
  if (!canonical.ok()) return canonical.error();
  return digest::ContentId::sha256_of(as_bytes(*canonical)).to_string();
}

}  // namespace zastava::provcache
