// Test-only: prints what provcache's CycloneDX parser read from a file, as
// JSON, so the interop script can compare it with what
// @cyclonedx/cyclonedx-library built. (No stella command parses SBOMs yet.)
//
//   sbom_probe FILE   -> {"specVersion", "serialNumber", "canonicalHash",
//                         "metadataComponent", "components": [...]}; exit 0
//                        on error: "sbom_probe: <reason>" on stderr, exit 1

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "provcache/cyclonedx.hpp"

namespace {

nlohmann::json to_json(const zastava::provcache::SbomComponent& component) {
  return {{"bomRef", component.bom_ref},      {"type", component.type},
          {"name", component.name},           {"version", component.version},
          {"purl", component.purl},           {"hasLicenses", component.has_licenses},
          {"hasHashes", component.has_hashes}};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: sbom_probe FILE\n";
    return 64;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::cerr << "sbom_probe: cannot open " << argv[1] << "\n";
    return 1;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto sbom = zastava::provcache::parse_cyclonedx(text.str());
  if (!sbom.ok()) {
    std::cerr << "sbom_probe: " << sbom.error().describe() << "\n";
    return 1;
  }
  nlohmann::json components = nlohmann::json::array();
  for (const auto& component : sbom->components) components.push_back(to_json(component));
  const nlohmann::json summary = {
      {"specVersion", sbom->spec_version},
      {"serialNumber", sbom->serial_number},
      {"canonicalHash", sbom->canonical_hash},
      {"metadataComponent",
       sbom->metadata_component ? to_json(*sbom->metadata_component) : nlohmann::json()},
      {"components", components}};
  std::cout << summary.dump() << "\n";
  return 0;
}
