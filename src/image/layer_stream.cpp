#include "image/layer_stream.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <string>
#include <utility>

#include "base/hex.hpp"

namespace zastava::image::detail {
namespace {

constexpr std::size_t kBlockSize = 1u << 20;
constexpr std::size_t kTarRecord = 512;

std::string digest_text(const digest::Sha256Digest& digest) {
  return "sha256:" + encoding::hex_encode(ByteView(digest));
}

// ---------------------------------------------------------------- sources

class FileSource final : public ByteSource {
 public:
  FileSource(std::string path, std::function<void(std::size_t)> on_bytes)
      : path_(std::move(path)), on_bytes_(std::move(on_bytes)), buffer_(kBlockSize) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      const ErrorCode code = errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo;
      throw ImageError(code, "cannot open " + path_ + ": " + std::strerror(errno));
    }
  }
  ~FileSource() override { ::close(fd_); }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  ByteView read() override {
    for (;;) {
      const ssize_t got = ::read(fd_, buffer_.data(), buffer_.size());
      if (got < 0 && errno == EINTR) continue;
      if (got < 0)
        throw ImageError(ErrorCode::kIo, "cannot read " + path_ + ": " + std::strerror(errno));
      const auto size = static_cast<std::size_t>(got);
      if (on_bytes_ && size > 0) on_bytes_(size);
      return ByteView(buffer_.data(), size);
    }
  }

 private:
  std::string path_;
  std::function<void(std::size_t)> on_bytes_;
  Bytes buffer_;
  int fd_ = -1;
};

// Hashes what passes through; the digest is checked once the stream ended.
class HashingSource final : public ByteSource {
 public:
  explicit HashingSource(ByteSource& inner) : inner_(inner) {}
  ByteView read() override {
    const ByteView block = inner_.read();
    hasher_.update(block);
    total_ += block.size();
    return block;
  }
  digest::Sha256Digest finish() { return hasher_.finish(); }
  [[nodiscard]] std::uint64_t total() const noexcept { return total_; }

 private:
  ByteSource& inner_;
  digest::Sha256Hasher hasher_;
  std::uint64_t total_ = 0;
};

// After the inner stream ends, completes the tar with zero padding to a
// record boundary and the two zero end-of-archive records. Some writers
// (umoci 0.4) end a layer right after the last file's data; the layer's
// digest, checked separately, is what guarantees nothing is missing.
class TarCompletingSource final : public ByteSource {
 public:
  explicit TarCompletingSource(ByteSource& inner) : inner_(inner) {}
  ByteView read() override {
    if (!inner_done_) {
      const ByteView block = inner_.read();
      if (!block.empty()) {
        total_ += block.size();
        return block;
      }
      inner_done_ = true;
      const std::size_t padding = (kTarRecord - total_ % kTarRecord) % kTarRecord;
      zeros_.assign(padding + 2 * kTarRecord, 0);
      return ByteView(zeros_);
    }
    return {};
  }

 private:
  ByteSource& inner_;
  std::uint64_t total_ = 0;
  bool inner_done_ = false;
  Bytes zeros_;
};

// ---------------------------------------------------------------- libarchive glue

struct ArchiveFree {
  void operator()(archive* a) const noexcept { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;

// libarchive pulls from a ByteSource through this callback. Exceptions may
// not cross the C code: they are parked here and rethrown by the caller.
struct Pull {
  ByteSource* source = nullptr;
  std::exception_ptr failure;

  static la_ssize_t read(archive* a, void* self, const void** buffer) {
    auto* pull = static_cast<Pull*>(self);
    try {
      const ByteView block = pull->source->read();
      *buffer = block.data();
      return static_cast<la_ssize_t>(block.size());
    } catch (...) {
      pull->failure = std::current_exception();
      archive_set_error(a, EIO, "source failed");
      return -1;
    }
  }
};

[[noreturn]] void fail(archive* a, Pull& pull, const std::string& name) {
  if (pull.failure) std::rethrow_exception(pull.failure);
  const char* why = archive_error_string(a);
  throw ImageError(ErrorCode::kParse, name + " is truncated or corrupt: " +
                                          std::string(why != nullptr ? why : "unknown error"));
}

ArchivePtr open_archive(Pull& pull, Compression compression, bool raw, const std::string& name) {
  ArchivePtr a(archive_read_new());
  if (!a) throw ImageError(ErrorCode::kInternal, "libarchive: out of memory");
  switch (compression) {
    case Compression::kNone:
      break;
    case Compression::kGzip:
      archive_read_support_filter_gzip(a.get());
      break;
    case Compression::kZstd:
      archive_read_support_filter_zstd(a.get());
      break;
    case Compression::kDetect:
      archive_read_support_filter_gzip(a.get());
      archive_read_support_filter_zstd(a.get());
      archive_read_support_filter_xz(a.get());
      archive_read_support_filter_bzip2(a.get());
      break;
  }
  if (raw) {
    archive_read_support_format_raw(a.get());
  } else {
    archive_read_support_format_tar(a.get());
  }
  if (archive_read_open(a.get(), &pull, nullptr, &Pull::read, nullptr) != ARCHIVE_OK) {
    fail(a.get(), pull, name);
  }
  return a;
}

// Decompresses another source with libarchive's filters (raw format: the
// whole stream is one "entry").
class DecompressingSource final : public ByteSource {
 public:
  DecompressingSource(ByteSource& inner, Compression compression, std::string name)
      : name_(std::move(name)) {
    pull_.source = &inner;
    archive_ = open_archive(pull_, compression, /*raw=*/true, name_);
    archive_entry* entry = nullptr;
    const int status = archive_read_next_header(archive_.get(), &entry);
    if (status == ARCHIVE_EOF) {
      done_ = true;
    } else if (status < ARCHIVE_WARN) {
      fail(archive_.get(), pull_, name_);
    }
  }

  ByteView read() override {
    if (done_) return {};
    const void* block = nullptr;
    std::size_t size = 0;
    la_int64_t offset = 0;
    const int status = archive_read_data_block(archive_.get(), &block, &size, &offset);
    if (status == ARCHIVE_EOF) {
      done_ = true;
      return {};
    }
    if (status < ARCHIVE_WARN) fail(archive_.get(), pull_, name_);
    return ByteView(static_cast<const std::uint8_t*>(block), size);
  }

 private:
  std::string name_;
  Pull pull_;
  ArchivePtr archive_;
  bool done_ = false;
};

void drain(ByteSource& source) {
  while (!source.read().empty()) {
  }
}

// ---------------------------------------------------------------- tar entries

std::string_view basename_of(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string parent_of(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == 0 || slash == std::string_view::npos ? std::string("/")
                                                       : std::string(path.substr(0, slash));
}

std::string join(const std::string& dir, std::string_view name) {
  return dir == "/" ? "/" + std::string(name) : dir + "/" + std::string(name);
}

class TarWalker {
 public:
  TarWalker(ByteSource& source, const LayerSpec& spec, const CaptureFilter& capture)
      : spec_(spec), capture_(capture) {
    pull_.source = &source;
    archive_ = open_archive(pull_, Compression::kNone, /*raw=*/false, spec_.name);
  }

  std::vector<LayerEntry> walk() {
    std::vector<LayerEntry> entries;
    archive_entry* header = nullptr;
    for (;;) {
      const int status = archive_read_next_header(archive_.get(), &header);
      if (status == ARCHIVE_EOF) break;
      if (status < ARCHIVE_WARN) fail(archive_.get(), pull_, spec_.name);
      if (auto entry = read_entry(header)) entries.push_back(std::move(*entry));
    }
    return entries;
  }

 private:
  std::string normalized(const char* raw) const {
    auto path = normalize_path(raw != nullptr ? raw : "");
    if (!path) {
      throw ImageError(ErrorCode::kParse,
                       spec_.name + " has an entry outside the root: " + std::string(raw));
    }
    return *path;
  }

  std::optional<LayerEntry> read_entry(archive_entry* header) {
    LayerEntry entry;
    entry.path = normalized(archive_entry_pathname(header));
    entry.mode = static_cast<std::uint32_t>(archive_entry_perm(header)) & 07777u;
    entry.mtime = archive_entry_mtime(header);

    const std::string_view name = basename_of(entry.path);
    if (name == ".wh..wh..opq") {
      entry.kind = LayerEntry::Kind::kOpaque;
      entry.path = parent_of(entry.path);
      return entry;
    }
    if (name.starts_with(".wh..wh.")) return std::nullopt;  // aufs bookkeeping, not content
    if (name.starts_with(".wh.")) {
      entry.kind = LayerEntry::Kind::kWhiteout;
      entry.path = join(parent_of(entry.path), name.substr(4));
      return entry;
    }
    if (entry.path == "/") return std::nullopt;

    if (const char* target = archive_entry_hardlink(header); target != nullptr) {
      entry.kind = LayerEntry::Kind::kHardLink;
      entry.link_target = normalized(target);
      return entry;
    }
    switch (archive_entry_filetype(header)) {
      case AE_IFREG:
        entry.kind = LayerEntry::Kind::kRegular;
        hash_content(entry);
        return entry;
      case AE_IFLNK: {
        const char* target = archive_entry_symlink(header);
        entry.kind = LayerEntry::Kind::kSymlink;
        entry.link_target = target != nullptr ? target : "";
        entry.size = entry.link_target.size();
        entry.sha256 = digest::sha256(as_bytes(entry.link_target));
        return entry;
      }
      case AE_IFDIR:
        entry.kind = LayerEntry::Kind::kDirectory;
        return entry;
      default:
        entry.kind = LayerEntry::Kind::kOther;
        return entry;
    }
  }

  void hash_content(LayerEntry& entry) {
    const bool wanted = capture_.wants && capture_.wants(entry.path);
    std::string content;
    digest::Sha256Hasher hasher;
    std::uint64_t size = 0;
    for (;;) {
      const void* block = nullptr;
      std::size_t length = 0;
      la_int64_t offset = 0;
      const int status = archive_read_data_block(archive_.get(), &block, &length, &offset);
      if (status == ARCHIVE_EOF) break;
      if (status < ARCHIVE_WARN) fail(archive_.get(), pull_, spec_.name);
      const ByteView bytes(static_cast<const std::uint8_t*>(block), length);
      hasher.update(bytes);
      size += length;
      if (wanted && size <= capture_.max_bytes) content.append(as_string(bytes));
    }
    entry.size = size;
    entry.sha256 = hasher.finish();
    if (wanted && size <= capture_.max_bytes) entry.captured = std::move(content);
  }

  const LayerSpec& spec_;
  const CaptureFilter& capture_;
  Pull pull_;
  ArchivePtr archive_;
};

void check_digest(const digest::Sha256Digest& actual, const LayerSpec& spec,
                  std::string_view what) {
  if (actual != spec.digest) {
    throw ImageError(
        ErrorCode::kVerification,
        spec.name + ": digest mismatch (" + std::string(what) + " is " + digest_text(actual) + ")");
  }
}

}  // namespace

std::unique_ptr<ByteSource> open_file_source(const std::string& path,
                                             std::function<void(std::size_t)> on_bytes) {
  return std::make_unique<FileSource>(path, std::move(on_bytes));
}

std::vector<LayerEntry> scan_layer(ByteSource& source, const LayerSpec& spec,
                                   const CaptureFilter& capture) {
  if (spec.digest_of == DigestOf::kStoredBlob) {
    // blob -> hash -> decompress -> complete -> tar
    HashingSource stored(source);
    std::optional<DecompressingSource> plain;
    ByteSource* tar_stream = &stored;
    std::vector<LayerEntry> entries;
    try {
      if (spec.compression != Compression::kNone) {
        plain.emplace(stored, spec.compression, spec.name);
        tar_stream = &*plain;
      }
      TarCompletingSource completed(*tar_stream);
      entries = TarWalker(completed, spec, capture).walk();
      drain(completed);
    } catch (const ImageError& error) {
      // An edited blob usually also breaks the decompression: the digest is
      // the more telling error, so finish hashing the blob and prefer it.
      if (error.error().code != ErrorCode::kParse) throw;
      drain(stored);
      check_digest(stored.finish(), spec, "the blob");
      throw;
    }
    check_digest(stored.finish(), spec, "the blob");
    return entries;
  }
  // blob -> decompress -> hash -> complete -> tar
  DecompressingSource plain(source, spec.compression, spec.name);
  HashingSource uncompressed(plain);
  TarCompletingSource completed(uncompressed);
  auto entries = TarWalker(completed, spec, capture).walk();
  drain(completed);
  check_digest(uncompressed.finish(), spec, "the uncompressed tar");
  return entries;
}

std::optional<std::string> normalize_path(std::string_view raw) {
  std::vector<std::string_view> parts;
  while (!raw.empty()) {
    const auto slash = raw.find('/');
    const std::string_view part = raw.substr(0, slash);
    raw = slash == std::string_view::npos ? std::string_view{} : raw.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string path;
  for (const auto part : parts) {
    path += '/';
    path += part;
  }
  return path.empty() ? std::string("/") : path;
}

}  // namespace zastava::image::detail
