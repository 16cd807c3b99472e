#include "facet/drift.hpp"

#include <algorithm>
#include <vector>

#include "facet/drift_causes.hpp"
#include "facet/inventory.hpp"

namespace zastava::facet {
namespace {

bool modified(const FileEntry& before, const FileEntry& after) {
  return before.content_hash != after.content_hash || before.size != after.size ||
         before.mode != after.mode || before.kind != after.kind;
}

bool by_path(const FileEntry& a, const FileEntry& b) {
  return a.path < b.path;
}

// The files of a manifest in path order: the manifest's own vector when it is
// sorted (it always is when built by manifest.hpp), else a sorted copy.
class SortedFiles {
 public:
  explicit SortedFiles(const FacetManifest& manifest) {
    if (std::is_sorted(manifest.files.begin(), manifest.files.end(), by_path)) {
      files_ = &manifest.files;
    } else {
      copy_ = manifest.files;
      std::stable_sort(copy_.begin(), copy_.end(), by_path);
      files_ = &copy_;
    }
  }
  [[nodiscard]] const std::vector<FileEntry>& files() const { return *files_; }

 private:
  std::vector<FileEntry> copy_;
  const std::vector<FileEntry>* files_ = nullptr;
};

DriftEntry make_entry(const FileEntry* before, const FileEntry* after,
                      const CauseContext& context) {
  DriftEntry entry;
  entry.path = before != nullptr ? before->path : after->path;
  if (before != nullptr) {
    entry.old_hash = before->content_hash;
    entry.old_size = before->size;
  }
  if (after != nullptr) {
    entry.new_hash = after->content_hash;
    entry.new_size = after->size;
  }
  attribute_cause(entry, before, after, context);
  return entry;
}

DriftScore score_of(const FacetDrift& drift, std::size_t baseline_files) {
  DriftScore score;
  score.added_count = static_cast<std::int64_t>(drift.added.size());
  score.removed_count = static_cast<std::int64_t>(drift.removed.size());
  score.modified_count = static_cast<std::int64_t>(drift.modified.size());
  score.total_changes = score.added_count + score.removed_count + score.modified_count;
  score.churn_percent = static_cast<double>(score.total_changes) /
                        static_cast<double>(std::max<std::size_t>(1, baseline_files)) * 100.0;
  return score;
}

}  // namespace

bool is_inventory_file(std::string_view path) {
  return inventory_format(path) != InventoryFormat::kNone;
}

Inventory build_inventory(const std::map<std::string, std::string>& captured) {
  Inventory inventory;
  for (const auto& [path, content] : captured) {
    const auto format = inventory_format(path);
    if (format == InventoryFormat::kNone) continue;
    if (auto packages = parse_inventory(format, content)) {
      inventory.by_file.emplace(path, std::move(*packages));
    }
  }
  return inventory;
}

FacetDrift compute_drift(const FacetManifest& baseline, const FacetManifest& current,
                         const Inventory* baseline_inventory, const Inventory* current_inventory) {
  FacetDrift drift;
  drift.facet_id = current.facet_id.empty() ? baseline.facet_id : current.facet_id;
  const CauseContext context{current.type, baseline_inventory, current_inventory};

  const SortedFiles old_files(baseline);
  const SortedFiles new_files(current);
  auto old_it = old_files.files().begin();
  auto new_it = new_files.files().begin();
  const auto old_end = old_files.files().end();
  const auto new_end = new_files.files().end();
  while (old_it != old_end || new_it != new_end) {
    if (new_it == new_end || (old_it != old_end && old_it->path < new_it->path)) {
      drift.removed.push_back(make_entry(&*old_it, nullptr, context));
      ++old_it;
    } else if (old_it == old_end || new_it->path < old_it->path) {
      drift.added.push_back(make_entry(nullptr, &*new_it, context));
      ++new_it;
    } else {
      if (modified(*old_it, *new_it)) {
        drift.modified.push_back(make_entry(&*old_it, &*new_it, context));
      }
      ++old_it;
      ++new_it;
    }
  }
  drift.score = score_of(drift, baseline.files.size());
  return drift;
}

}  // namespace zastava::facet
