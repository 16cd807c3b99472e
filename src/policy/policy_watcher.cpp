#include "policy/policy_watcher.hpp"

#include <sys/stat.h>

#include <condition_variable>

#include "digest/content_id.hpp"
#include "support/config.hpp"

namespace zastava::policy {

PolicyWatcher::PolicyWatcher(Options options) : options_(std::move(options)) {
  check_now();
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

PolicyWatcher::~PolicyWatcher() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

PolicyWatchStatus PolicyWatcher::status() const {
  const std::lock_guard lock(status_mutex_);
  return status_;
}

PolicyWatcher::FileStamp PolicyWatcher::stamp_of(const std::filesystem::path& path) {
  struct stat info {};
  FileStamp stamp;
  if (::stat(path.c_str(), &info) != 0) return stamp;  // follows symlinks (..data swaps)
  stamp.exists = true;
  stamp.device = static_cast<std::uintmax_t>(info.st_dev);
  stamp.inode = static_cast<std::uintmax_t>(info.st_ino);
  stamp.size = static_cast<std::uintmax_t>(info.st_size);
  stamp.mtime_ns = static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 +
                   static_cast<std::int64_t>(info.st_mtim.tv_nsec);
  stamp.ctime_ns = static_cast<std::int64_t>(info.st_ctim.tv_sec) * 1'000'000'000 +
                   static_cast<std::int64_t>(info.st_ctim.tv_nsec);
  return stamp;
}

void PolicyWatcher::check_now() {
  const std::lock_guard lock(check_mutex_);
  const FileStamp stamp = stamp_of(options_.path);
  if (last_stamp_ && *last_stamp_ == stamp) return;
  last_stamp_ = stamp;
  load(stamp);
}

void PolicyWatcher::load(const FileStamp& stamp) {
  const auto reject = [&](std::string error) {
    const auto now = std::chrono::system_clock::now();
    {
      const std::lock_guard lock(status_mutex_);
      status_.error = error;
      status_.error_at = now;
      ++status_.rejected;
    }
    if (options_.on_event) {
      options_.on_event(PolicyEvent{PolicyEvent::Kind::kRejected, nullptr, std::move(error)});
    }
  };
  if (!stamp.exists) {
    last_content_digest_.clear();
    return reject(options_.path.string() + ": cannot read the policy file (missing?)");
  }
  auto text = support::read_file(options_.path);
  if (!text) {
    last_content_digest_.clear();
    return reject(text.error().message);
  }
  // A new stamp with the same bytes (a touch, a ConfigMap sync of other keys)
  // is not a new policy.
  std::string digest = digest::ContentId::sha256_of(as_bytes(*text)).to_string();
  if (digest == last_content_digest_) return;
  last_content_digest_ = std::move(digest);

  auto compiled = compile_policy_file_contents(*text, options_.path);
  if (!compiled) return reject(compiled.error().message);

  auto policy = std::make_shared<const CompiledPolicy>(std::move(compiled).value());
  current_.store(policy, std::memory_order_release);
  {
    const std::lock_guard lock(status_mutex_);
    status_.policy = policy;
    status_.loaded_at = std::chrono::system_clock::now();
    status_.error.reset();
    ++status_.loads;
  }
  if (options_.on_event) options_.on_event(PolicyEvent{PolicyEvent::Kind::kLoaded, policy, {}});
}

void PolicyWatcher::run(const std::stop_token& stop) {
  std::mutex mutex;
  std::condition_variable_any wake;
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(mutex);
      static_cast<void>(wake.wait_for(lock, stop, options_.poll_interval, [] { return false; }));
    }
    if (stop.stop_requested()) break;
    check_now();
  }
}

}  // namespace zastava::policy
