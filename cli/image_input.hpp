#pragma once
// The IMAGE argument of the facet commands: parsing it, reading the image
// (with a progress bar on a terminal) and finding the name the image gives
// itself, which seals record as imageRef and VEX documents use as product.

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "image/reader.hpp"

namespace zastava::cli {

struct ImageInput {
  std::string spec;  // as given: "oci:DIR:TAG", "docker-archive:FILE", "dir:ROOTFS"
  image::ImageSource source;
  image::ImageContents contents;
  // "registry/app:tag" when the image names itself (see image_name_of); "" if not.
  std::string name;
};

struct ImageReadRequest {
  bool capture_inventory = false;  // keep package databases and lockfiles (drift causes)
  bool show_progress = true;       // still only on a terminal
};

// Errors carry the spec, e.g. "docker-archive:x.tar: layer sha256:...: truncated".
Result<ImageInput> read_image_input(std::string_view spec, const ImageReadRequest& request);

// The name an image gives itself, or "" when it has none:
//  - docker-archive: the first RepoTags entry of manifest.json ("app:v1");
//  - OCI layout: the manifest's io.containerd.image.name annotation, else its
//    org.opencontainers.image.ref.name when that is a full reference
//    ("app:v1", "registry/app:v1"); a bare tag ("v1") names no repository;
//  - dir: none.
Result<std::string> image_name_of(const image::ImageSource& source);

}  // namespace zastava::cli
