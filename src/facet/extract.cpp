#include "facet/extract.hpp"

#include <algorithm>

#include "base/hex.hpp"
#include "facet/manifest.hpp"

namespace zastava::facet {
namespace {

FileEntry to_entry(const image::FileRecord& record) {
  FileEntry entry;
  entry.path = record.path;
  entry.content_hash = "sha256:" + encoding::hex_encode(record.sha256);
  entry.size = record.size;
  entry.mode = record.mode & 07777u;
  entry.mtime = record.mtime;
  entry.kind =
      record.kind == image::FileRecord::Kind::kSymlink ? EntryKind::kSymlink : EntryKind::kRegular;
  return entry;
}

Status check_selection(const FacetSet& facets, std::span<const std::string> only) {
  for (const std::string& id : only) {
    if (facets.find(id) != nullptr) continue;
    std::string known;
    for (const FacetDefinition& definition : facets.definitions()) {
      known += (known.empty() ? "" : ", ") + definition.id;
    }
    return make_error(ErrorCode::kInvalidArgument,
                      "no facet \"" + id + "\" is defined (defined: " + known + ")");
  }
  return ok_status();
}

bool selected(std::span<const std::string> only, const std::string& id) {
  return only.empty() || std::find(only.begin(), only.end(), id) != only.end();
}

}  // namespace

Result<std::vector<FacetManifest>> extract_manifests(const image::ImageContents& contents,
                                                     const FacetSet& facets,
                                                     std::span<const std::string> only,
                                                     const std::string& extracted_at) {
  if (Status status = check_selection(facets, only); !status) return status.error();
  const std::vector<FacetDefinition>& definitions = facets.definitions();
  // Classification is done for every file whatever `only` says, so a facet's
  // manifest does not depend on which other facets were asked for.
  std::vector<std::vector<FileEntry>> members(definitions.size());
  for (const image::FileRecord& record : contents.files) {
    const FacetDefinition* definition = facets.classify(record.path);
    if (definition == nullptr) continue;
    const auto index = static_cast<std::size_t>(definition - definitions.data());
    if (!selected(only, definition->id)) continue;
    members[index].push_back(to_entry(record));
  }
  std::vector<FacetManifest> manifests;
  for (std::size_t i = 0; i < definitions.size(); ++i) {
    if (!selected(only, definitions[i].id)) continue;
    auto manifest =
        build_manifest(definitions[i].id, definitions[i].type, std::move(members[i]), extracted_at);
    if (!manifest) return manifest.error().with_context("extracting facets");
    manifests.push_back(std::move(manifest).value());
  }
  return manifests;
}

}  // namespace zastava::facet
