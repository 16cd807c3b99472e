#pragma once
// The three image formats, each turning an ImageSource into ImageContents.
// Internal: errors are thrown as ImageError (layer_stream.hpp).

#include "image/reader.hpp"

namespace zastava::image::detail {

ImageContents read_oci_layout(const ImageSource& source, const ReadOptions& options);
ImageContents read_docker_archive(const ImageSource& source, const ReadOptions& options);
ImageContents read_rootfs_dir(const ImageSource& source, const ReadOptions& options);

}  // namespace zastava::image::detail
