#pragma once
// Keeps the webhook's compiled policy current with its --policy-file.
//
// The file is loaded when the watcher is made, then checked every
// poll_interval (1 s by default): when its identity changes (device, inode,
// size, modification time of the file the path resolves to), it is read,
// compiled and, if valid, swapped in atomically. A ConfigMap volume updates
// by re-pointing the `..data` symlink at a new directory; the path resolves
// through it to a new inode, so that is seen like any rewrite. Polling rather
// than inotify: it works the same on every volume type and a second of delay
// is far below how long a ConfigMap takes to propagate.
//
// A file that does not compile (or cannot be read) changes nothing: the last
// good policy stays in effect, and status() reports the error and when it was
// seen until a good file replaces it. Before any good file, current() is
// null (the webhook is not ready).
//
// Readers never block: current() is an atomic load of a shared pointer, and a
// policy stays alive while anyone holds it. The polling thread is owned by
// the watcher and stopped and joined by its destructor.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "policy/policy_document.hpp"

namespace zastava::policy {

struct PolicyEvent {
  enum class Kind { kLoaded, kRejected } kind = Kind::kLoaded;
  std::shared_ptr<const CompiledPolicy> policy;  // kLoaded: the new policy
  std::string error;                             // kRejected: why, naming the file
};

struct PolicyWatchStatus {
  std::shared_ptr<const CompiledPolicy> policy;  // null until a good file was loaded
  std::chrono::system_clock::time_point loaded_at{};
  std::optional<std::string> error;  // the current file's problem, while it lasts
  std::chrono::system_clock::time_point error_at{};
  std::uint64_t loads = 0;     // good policies swapped in
  std::uint64_t rejected = 0;  // bad files seen
};

class PolicyWatcher {
 public:
  struct Options {
    std::filesystem::path path;
    std::chrono::milliseconds poll_interval{1000};
    // Called on the watcher's thread (and in the constructor for the first
    // load) for each good policy swapped in and each bad file; for logs and
    // Kubernetes Events. Must not block for long.
    std::function<void(const PolicyEvent&)> on_event;
  };

  // Loads the file once, then starts polling.
  explicit PolicyWatcher(Options options);
  ~PolicyWatcher();
  PolicyWatcher(const PolicyWatcher&) = delete;
  PolicyWatcher& operator=(const PolicyWatcher&) = delete;

  // The policy in effect, or null before the first good file. Lock-free for readers.
  [[nodiscard]] std::shared_ptr<const CompiledPolicy> current() const noexcept {
    return current_.load(std::memory_order_acquire);
  }
  [[nodiscard]] PolicyWatchStatus status() const;

  // Checks the file now, on the caller's thread (tests, SIGHUP); the
  // polling thread does the same on its own.
  void check_now();

 private:
  // What identifies one version of the file without reading it.
  struct FileStamp {
    bool exists = false;
    std::uintmax_t device = 0, inode = 0, size = 0;
    std::int64_t mtime_ns = 0, ctime_ns = 0;
    friend bool operator==(const FileStamp&, const FileStamp&) = default;
  };
  static FileStamp stamp_of(const std::filesystem::path& path);

  void load(const FileStamp& stamp);
  void run(const std::stop_token& stop);

  Options options_;
  std::atomic<std::shared_ptr<const CompiledPolicy>> current_;
  std::mutex check_mutex_;  // one check at a time (thread and check_now)
  std::optional<FileStamp> last_stamp_;
  std::string last_content_digest_;  // of the last file read, good or bad
  mutable std::mutex status_mutex_;
  PolicyWatchStatus status_;
  std::jthread thread_;  // last: started after everything it uses
};

}  // namespace zastava::policy
