// Plain root filesystem directories: an lstat walk that never follows
// symlinks. Regular files are hashed (hard links once per inode), symlinks
// are hashed over their target, directories are walked, and device nodes,
// fifos and sockets are skipped like in layers.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <utility>

#include "image/formats.hpp"
#include "image/layer_stream.hpp"

namespace zastava::image::detail {
namespace {

constexpr std::size_t kBlockSize = 1u << 20;

class RootfsWalk {
 public:
  RootfsWalk(std::filesystem::path root, const ReadOptions& options)
      : root_(std::move(root)), options_(options), buffer_(kBlockSize) {}

  ImageContents read() {
    struct stat info {};
    if (::lstat(root_.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
      throw ImageError(ErrorCode::kNotFound, "rootfs directory not found: " + root_.string());
    }
    std::error_code error;
    std::filesystem::recursive_directory_iterator it(root_, error), end;
    for (; !error && it != end; it.increment(error)) visit(it->path());
    if (error)
      throw ImageError(ErrorCode::kIo, "cannot walk " + root_.string() + ": " + error.message());

    std::sort(contents_.files.begin(), contents_.files.end(),
              [](const FileRecord& a, const FileRecord& b) { return a.path < b.path; });
    return std::move(contents_);
  }

 private:
  void visit(const std::filesystem::path& path) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) {
      throw ImageError(ErrorCode::kIo,
                       "cannot lstat " + path.string() + ": " + std::strerror(errno));
    }
    if (!S_ISREG(info.st_mode) && !S_ISLNK(info.st_mode)) return;

    FileRecord record;
    record.path = "/" + path.lexically_relative(root_).generic_string();
    record.mode = static_cast<std::uint32_t>(info.st_mode) & 07777u;
    record.mtime = info.st_mtim.tv_sec;
    if (S_ISLNK(info.st_mode)) {
      record.kind = FileRecord::Kind::kSymlink;
      record.link_target = read_link(path, info);
      record.size = record.link_target.size();
      record.sha256 = digest::sha256(as_bytes(record.link_target));
    } else {
      hash_file(path, info, record);
    }
    contents_.files.push_back(std::move(record));
  }

  static std::string read_link(const std::filesystem::path& path, const struct stat& info) {
    std::string target(static_cast<std::size_t>(info.st_size) + 1, '\0');
    const ssize_t length = ::readlink(path.c_str(), target.data(), target.size());
    if (length < 0) {
      throw ImageError(ErrorCode::kIo,
                       "cannot read link " + path.string() + ": " + std::strerror(errno));
    }
    target.resize(static_cast<std::size_t>(length));
    return target;
  }

  void hash_file(const std::filesystem::path& path, const struct stat& info, FileRecord& record) {
    const std::pair inode{info.st_dev, info.st_ino};
    const bool wanted = options_.capture && options_.capture(record.path);
    if (info.st_nlink > 1 && reuse_hard_link(inode, wanted, record)) return;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
      throw ImageError(ErrorCode::kIo,
                       "cannot open " + path.string() + ": " + std::strerror(errno));
    std::string content;
    digest::Sha256Hasher hasher;
    std::uint64_t size = 0;
    for (;;) {
      const ssize_t got = ::read(fd, buffer_.data(), buffer_.size());
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        const int saved = errno;
        ::close(fd);
        throw ImageError(ErrorCode::kIo,
                         "cannot read " + path.string() + ": " + std::strerror(saved));
      }
      if (got == 0) break;
      const ByteView block(buffer_.data(), static_cast<std::size_t>(got));
      hasher.update(block);
      size += block.size();
      if (wanted && size <= options_.max_capture_bytes) content.append(as_string(block));
      report(block.size());
    }
    ::close(fd);
    record.size = size;
    record.sha256 = hasher.finish();
    if (wanted && size <= options_.max_capture_bytes) {
      if (info.st_nlink > 1) captured_by_inode_[inode] = content;
      contents_.captured.emplace(record.path, std::move(content));
    }
    if (info.st_nlink > 1) hard_links_[inode] = {record.size, record.sha256};
  }

  // A second name of an inode already hashed takes its result (and its
  // captured content, unless the first name was not captured).
  bool reuse_hard_link(const std::pair<dev_t, ino_t>& inode, bool wanted, FileRecord& record) {
    const auto seen = hard_links_.find(inode);
    if (seen == hard_links_.end()) return false;
    const auto captured = captured_by_inode_.find(inode);
    if (wanted && captured == captured_by_inode_.end()) return false;
    record.size = seen->second.first;
    record.sha256 = seen->second.second;
    if (wanted) contents_.captured.emplace(record.path, captured->second);
    return true;
  }

  void report(std::size_t bytes) {
    progress_.bytes_done += bytes;
    if (options_.progress) options_.progress(progress_);
  }

  std::filesystem::path root_;
  const ReadOptions& options_;
  Bytes buffer_;
  ImageContents contents_;
  Progress progress_;
  std::map<std::pair<dev_t, ino_t>, std::pair<std::uint64_t, digest::Sha256Digest>> hard_links_;
  std::map<std::pair<dev_t, ino_t>, std::string> captured_by_inode_;
};

}  // namespace

ImageContents read_rootfs_dir(const ImageSource& source, const ReadOptions& options) {
  return RootfsWalk(source.path, options).read();
}

}  // namespace zastava::image::detail
