#pragma once
// Streaming one image layer: its bytes come from a ByteSource (a blob file or
// a member of an outer tarball), pass through digest checks and libarchive's
// decompression, and come out as the list of the layer tar's entries, every
// regular file hashed on the way. Nothing is written to disk; memory is the
// entry list plus libarchive's buffers.
//
// Internal to the image module: errors are thrown as ImageError and turned
// into Result at read_image().

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "digest/sha2.hpp"

namespace zastava::image::detail {

// The exception that carries a Result error out of the module's internals.
class ImageError : public std::runtime_error {
 public:
  explicit ImageError(Error error) : std::runtime_error(error.message), error_(std::move(error)) {}
  ImageError(ErrorCode code, std::string message)
      : ImageError(make_error(code, std::move(message))) {}
  [[nodiscard]] const Error& error() const noexcept { return error_; }

 private:
  Error error_;
};

// A sequence of byte blocks. read() returns the next block (valid until the
// next call) or an empty view at the end; it throws ImageError on failure.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual ByteView read() = 0;
};

// Reads a file in large blocks; `on_bytes` (may be empty) hears of every block.
std::unique_ptr<ByteSource> open_file_source(const std::string& path,
                                             std::function<void(std::size_t)> on_bytes);

enum class Compression { kNone, kGzip, kZstd, kDetect };

// Which of a layer's streams its digest names: the blob as stored (OCI
// descriptors) or the uncompressed tar (docker-archive's rootfs.diff_ids).
enum class DigestOf { kStoredBlob, kUncompressedTar };

struct LayerSpec {
  std::string name;             // for messages: "layer sha256:..."
  digest::Sha256Digest digest;  // expected
  DigestOf digest_of = DigestOf::kStoredBlob;
  Compression compression = Compression::kNone;
};

// One entry of a layer tar, normalized.
struct LayerEntry {
  enum class Kind {
    kRegular,
    kSymlink,
    kHardLink,  // link_target: the normalized path of the file it shares
    kDirectory,
    kWhiteout,  // path: the path removed from lower layers
    kOpaque,    // path: the directory whose lower-layer contents are hidden
    kOther,     // device, fifo, socket: occupies the path, is not a file record
  };
  Kind kind = Kind::kRegular;
  std::string path;  // "/a/b"
  std::string link_target;
  std::uint32_t mode = 0;
  std::int64_t mtime = 0;
  std::uint64_t size = 0;
  digest::Sha256Digest sha256{};
  std::optional<std::string> captured;  // content, when the capture filter asked for it
};

struct CaptureFilter {
  std::function<bool(std::string_view path)> wants;  // may be empty
  std::size_t max_bytes = 0;
};

// Reads the whole layer from `source` (which it drains to the end), checks
// its digest and returns its entries in tar order. Throws ImageError: kParse
// for a corrupt or truncated stream, kVerification for a digest mismatch,
// both naming spec.name.
std::vector<LayerEntry> scan_layer(ByteSource& source, const LayerSpec& spec,
                                   const CaptureFilter& capture);

// "a/./b//c/" -> "/a/b/c"; "" or "." -> "/"; nullopt when a ".." component
// would climb (a path a layer must not contain).
std::optional<std::string> normalize_path(std::string_view raw);

}  // namespace zastava::image::detail
