#pragma once
// Applying layers in order, the way a container runtime's union filesystem
// does: a layer's whiteouts and opaque directories first remove from the
// layers below it, then its entries are laid on top in tar order.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "image/layer_stream.hpp"
#include "image/reader.hpp"

namespace zastava::image::detail {

class Overlay {
 public:
  // Throws ImageError (kParse, naming `layer_name`) for a hard link whose
  // target is not a file of the image at that point.
  void apply(std::vector<LayerEntry> layer, const std::string& layer_name);

  // The final filesystem: files sorted by path, captured contents.
  void finish(ImageContents& contents) &&;

 private:
  struct Node {
    FileRecord record;
    std::optional<std::string> captured;
  };

  void remove_below(const std::string& directory);
  void remove_tree(const std::string& path);
  void put(LayerEntry&& entry);
  void link(const LayerEntry& entry, const std::string& layer_name);

  std::map<std::string, Node, std::less<>> files_;
};

}  // namespace zastava::image::detail
