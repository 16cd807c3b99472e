#include "http/file_watch.hpp"

#include <sys/stat.h>

namespace zastava::http {

FileStamp stamp_file(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return FileStamp{};
  FileStamp stamp;
  stamp.exists = true;
  stamp.device = static_cast<std::uint64_t>(info.st_dev);
  stamp.inode = static_cast<std::uint64_t>(info.st_ino);
  stamp.size = static_cast<std::int64_t>(info.st_size);
  stamp.mtime_ns = static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 +
                   static_cast<std::int64_t>(info.st_mtim.tv_nsec);
  return stamp;
}

FileWatch::FileWatch(std::vector<std::string> paths, Clock::duration interval)
    : paths_(std::move(paths)), interval_(interval), last_look_(Clock::now()) {
  stamps_.reserve(paths_.size());
  for (const std::string& path : paths_) stamps_.push_back(stamp_file(path));
}

bool FileWatch::changed(Clock::time_point now) {
  if (now - last_look_ < interval_) return false;
  last_look_ = now;
  bool any_changed = false;
  for (std::size_t i = 0; i < paths_.size(); ++i) {
    FileStamp current = stamp_file(paths_[i]);
    if (current != stamps_[i]) {
      stamps_[i] = current;
      any_changed = true;
    }
  }
  return any_changed;
}

}  // namespace zastava::http
