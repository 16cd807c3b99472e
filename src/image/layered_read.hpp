#pragma once
// Reading a list of layers on several threads and applying them in order.
// Each worker scans whole layers (decompression and hashing dominate); the
// overlay takes layer i as soon as layers 0..i-1 are in, so at most about
// `threads` scanned layers wait in memory.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "image/layer_stream.hpp"
#include "image/reader.hpp"

namespace zastava::image::detail {

struct LayerJob {
  LayerSpec spec;
  std::uint64_t stored_size = 0;  // bytes the source will deliver (for progress), 0 = unknown
  // Opens the layer's bytes; `on_bytes` is told of every block read.
  std::function<std::unique_ptr<ByteSource>(std::function<void(std::size_t)> on_bytes)> open;
};

// Scans and applies every job, filling contents.files and contents.captured.
// Throws ImageError: the error of the lowest layer that failed.
void read_layers(const std::vector<LayerJob>& jobs, const ReadOptions& options,
                 ImageContents& contents);

}  // namespace zastava::image::detail
