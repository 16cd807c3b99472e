#pragma once
// From an image's final filesystem to one manifest per facet.

#include <span>
#include <string>
#include <vector>

#include "facet/definitions.hpp"
#include "facet/model.hpp"
#include "image/reader.hpp"

namespace zastava::facet {

// Classifies every file (FacetSet::classify) and builds a manifest for each
// facet of `facets`, in definition order, keeping only the ids in `only` when
// it is not empty (an unknown id is kInvalidArgument). Facets with no files
// get an empty manifest (the empty tree's root), so a facet that appears later
// shows up as drift.
Result<std::vector<FacetManifest>> extract_manifests(const image::ImageContents& contents,
                                                     const FacetSet& facets,
                                                     std::span<const std::string> only,
                                                     const std::string& extracted_at);

}  // namespace zastava::facet
