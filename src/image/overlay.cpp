#include "image/overlay.hpp"

#include <utility>

namespace zastava::image::detail {

void Overlay::apply(std::vector<LayerEntry> layer, const std::string& layer_name) {
  // Whiteouts and opaque markers only hide what lower layers put there,
  // wherever they appear in this layer's tar.
  for (const auto& entry : layer) {
    if (entry.kind == LayerEntry::Kind::kWhiteout) remove_tree(entry.path);
    if (entry.kind == LayerEntry::Kind::kOpaque) remove_below(entry.path);
  }
  for (auto& entry : layer) {
    switch (entry.kind) {
      case LayerEntry::Kind::kWhiteout:
      case LayerEntry::Kind::kOpaque:
        break;
      case LayerEntry::Kind::kDirectory:
        files_.erase(entry.path);  // a directory replaces a file; merges with a directory
        break;
      case LayerEntry::Kind::kOther:
        remove_tree(entry.path);
        break;
      case LayerEntry::Kind::kHardLink:
        link(entry, layer_name);
        break;
      case LayerEntry::Kind::kRegular:
      case LayerEntry::Kind::kSymlink:
        put(std::move(entry));
        break;
    }
  }
}

void Overlay::remove_below(const std::string& directory) {
  const std::string prefix = directory == "/" ? "/" : directory + "/";
  auto first = files_.lower_bound(prefix);
  auto last = first;
  while (last != files_.end() && last->first.starts_with(prefix)) ++last;
  files_.erase(first, last);
}

void Overlay::remove_tree(const std::string& path) {
  files_.erase(path);
  remove_below(path);
}

void Overlay::put(LayerEntry&& entry) {
  remove_below(entry.path);  // a file replaces a directory and all under it
  Node node;
  node.record.kind = entry.kind == LayerEntry::Kind::kSymlink ? FileRecord::Kind::kSymlink
                                                              : FileRecord::Kind::kRegular;
  node.record.path = entry.path;
  node.record.mode = entry.mode;
  node.record.mtime = entry.mtime;
  node.record.size = entry.size;
  node.record.sha256 = entry.sha256;
  node.record.link_target = std::move(entry.link_target);
  node.captured = std::move(entry.captured);
  files_.insert_or_assign(std::move(entry.path), std::move(node));
}

// A hard link shares its target's inode: content, mode and mtime.
void Overlay::link(const LayerEntry& entry, const std::string& layer_name) {
  const auto target = files_.find(entry.link_target);
  if (target == files_.end()) {
    throw ImageError(ErrorCode::kParse, layer_name + ": hard link " + entry.path + " -> " +
                                            entry.link_target +
                                            " names a file that is not in the image");
  }
  Node node = target->second;
  node.record.path = entry.path;
  remove_below(entry.path);
  files_.insert_or_assign(entry.path, std::move(node));
}

void Overlay::finish(ImageContents& contents) && {
  contents.files.clear();
  contents.files.reserve(files_.size());
  for (auto& [path, node] : files_) {
    if (node.captured) contents.captured.emplace(path, std::move(*node.captured));
    contents.files.push_back(std::move(node.record));
  }
  files_.clear();
}

}  // namespace zastava::image::detail
