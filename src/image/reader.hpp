#pragma once
// Reading the final filesystem of a container image, streaming: OCI image
// layout directories, docker-archive tarballs and plain rootfs directories.
// Layers are applied in order with OCI whiteouts, so the result is what a
// container would see. Nothing is unpacked to disk; memory grows with the
// number of files, not with their size.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "digest/sha2.hpp"

namespace zastava::image {

// Where an image comes from, parsed from the CLI's IMAGE argument:
//   oci:DIR[:TAG]        an OCI image layout (index.json); TAG picks the
//                        manifest by its org.opencontainers.image.ref.name
//   docker-archive:FILE  a `docker save` / `skopeo copy ... docker-archive:` tarball
//   dir:ROOTFS           an unpacked root filesystem
struct ImageSource {
  enum class Kind { kOciLayout, kDockerArchive, kRootfsDir } kind = Kind::kOciLayout;
  std::filesystem::path path;
  std::string tag;  // oci only; "" = the only manifest (an error if there are several)
};

Result<ImageSource> parse_image_spec(std::string_view spec);

// One file of the final filesystem. Directories are not records. A hard link
// has its target's content; a symlink's sha256 is over its target path.
struct FileRecord {
  enum class Kind { kRegular, kSymlink } kind = Kind::kRegular;
  std::string path;        // absolute, normalized: "/usr/bin/ls"
  std::uint32_t mode = 0;  // permission bits (07777)
  std::int64_t mtime = 0;  // seconds since the epoch, UTC
  std::uint64_t size = 0;  // content bytes (symlink: target length)
  digest::Sha256Digest sha256{};
  std::string link_target;  // symlinks only
};

struct Progress {
  std::uint64_t bytes_done = 0;   // compressed bytes read so far
  std::uint64_t bytes_total = 0;  // of all layers (0 when unknown, e.g. dir:)
  std::size_t layers_done = 0;
  std::size_t layers_total = 0;
};

struct ReadOptions {
  std::string platform = "linux/amd64";  // for image indexes: "os/arch[/variant]"
  // Files whose content the caller wants (package databases, lockfiles):
  // returned in ImageContents::captured when not larger than max_capture_bytes.
  std::function<bool(std::string_view path)> capture;
  std::size_t max_capture_bytes = 8u << 20;
  std::function<void(const Progress&)> progress;  // called from the reading thread(s), serialized
  unsigned threads = 0;                           // 0 = std::thread::hardware_concurrency()
};

struct ImageContents {
  // "sha256:..." of the image manifest (for an image index: the manifest of
  // the chosen platform); docker-archive has no manifest, so it is the config
  // digest there (docker's image ID); "" for dir:.
  std::string image_digest;
  std::string config_digest;                    // "sha256:..." of the config; "" for dir:
  std::vector<FileRecord> files;                // sorted by path (byte order), unique
  std::map<std::string, std::string> captured;  // path -> content
};

// Layers are decompressed and hashed on options.threads threads and applied
// in order. A layer tar that ends without its end-of-archive records (umoci
// 0.4 writes such layers) is accepted: the layer digest vouches for it.
//
// Errors: kNotFound / kIo for unreadable sources; kParse for malformed
// index/manifest/config JSON; kVerification when a blob's digest (layer,
// manifest, config) does not match, naming the blob; kParse for a truncated
// or corrupt layer, naming it; kUnsupported for unknown media types.
Result<ImageContents> read_image(const ImageSource& source, const ReadOptions& options);

}  // namespace zastava::image
