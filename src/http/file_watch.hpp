#pragma once
// Notices when files were replaced, cheaply: cert-manager rotates a serving
// certificate by swapping a Secret volume's symlink, a person by rewriting
// the file. Either way stat() (which follows symlinks) shows another inode,
// size or mtime. FileWatch looks at most once per interval, so it can be
// asked on every accept or request.
//
// Not thread-safe: the owner serializes calls (the users hold a mutex).

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace zastava::http {

// What stat() says about one file; a missing file has exists == false.
struct FileStamp {
  bool exists = false;
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;

  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

FileStamp stamp_file(const std::string& path);

class FileWatch {
 public:
  using Clock = std::chrono::steady_clock;

  // Records the files' current stamps as the baseline.
  explicit FileWatch(std::vector<std::string> paths,
                     Clock::duration interval = std::chrono::seconds(1));

  // True when at least `interval` passed since the last look and some file's
  // stamp differs from the last look's; the new stamps become the baseline
  // either way (so a broken file is not retried until it changes again).
  bool changed(Clock::time_point now);

 private:
  std::vector<std::string> paths_;
  std::vector<FileStamp> stamps_;
  Clock::duration interval_;
  Clock::time_point last_look_;
};

}  // namespace zastava::http
