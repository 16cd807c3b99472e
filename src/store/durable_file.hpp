#pragma once
// The POSIX file primitives the embedded store's durability rests on:
//
//   UniqueFd             a file descriptor closed by RAII
//   DirectoryLock        an exclusive flock() on DIR/LOCK holding the owner's
//                        pid; a second process (or a second open in this one)
//                        gets kIo "store DIR is in use by another process
//                        (pid N)". Released when the lock object dies.
//   write_file_atomically  temp file, write, fsync, rename over, fsync the
//                        directory: after a crash the file is either absent
//                        (or the old version) or complete, never partial.
//   sync_directory       fsync a directory so a create/rename in it is durable.
//
// Errors are kIo naming the path and the errno text.

#include <filesystem>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace zastava::store {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
  int release() noexcept;

 private:
  int fd_ = -1;
};

// kIo "<what> <path>: <strerror(errno)>", reading errno now.
Error io_error(std::string_view what, const std::filesystem::path& path);

class DirectoryLock {
 public:
  // Creates `directory` if needed, then locks DIR/LOCK without waiting.
  static Result<DirectoryLock> acquire(const std::filesystem::path& directory);

 private:
  explicit DirectoryLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;  // the flock lives as long as this descriptor
};

Status sync_directory(const std::filesystem::path& directory);

// Writes `data` to `path` atomically (see above); the temp file is
// `path` + ".tmp" in the same directory. With sync_parent false the caller
// fsyncs the directory itself (once, after writing many files).
Status write_file_atomically(const std::filesystem::path& path, ByteView data,
                             bool sync_parent = true);

// The whole file; kNotFound when it does not exist.
Result<Bytes> read_whole_file(const std::filesystem::path& path);

// write(2) until all of `data` is written (retrying EINTR and short writes).
Status write_all(int fd, ByteView data, const std::filesystem::path& path);

}  // namespace zastava::store
