#pragma once
// File and key helpers shared by the facet commands (seal, drift, vex):
// reading inputs with a size bound, writing outputs atomically, loading keys
// with the path in the error, and the clock the commands stamp documents with.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "crypto/private_key.hpp"
#include "dsse/trust_set.hpp"

namespace zastava::cli {

// A POSIX file descriptor, closed when it goes out of scope.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

// Seals files of large images hold every file's entry: allow them room.
inline constexpr std::size_t kMaxSealsFileBytes = std::size_t{1} << 30;

// The whole file, or kIo naming it; kInvalidArgument when larger than `limit`.
Result<std::string> read_text_file(const std::string& path, std::size_t limit);

// Writes `content` to a temporary file beside `path`, then renames it over
// `path`, so a reader never sees a half-written file.
Status write_file_atomically(const std::string& path, std::string_view content);

Result<std::vector<crypto::PrivateKey>> load_private_keys(const std::vector<std::string>& paths);
Result<dsse::TrustSet> load_trust_set(const std::vector<std::string>& public_key_paths);

// "--threshold K": a positive integer.
Result<std::size_t> parse_threshold(std::string_view text);

// Seconds since the epoch, now.
std::int64_t now_seconds();

}  // namespace zastava::cli
