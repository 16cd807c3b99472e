#pragma once
// Bearer token authentication against a token file (a mounted Secret): a
// request whose `Authorization: Bearer <token>` equals the file's content
// (surrounding whitespace trimmed) is authenticated. The file is re-read when
// it changes (FileWatch, at most once a second); comparison is constant-time.
// An unreadable or empty file authenticates nobody (and is logged by the
// server). Thread-safe.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "http/file_watch.hpp"

namespace zastava::http {

class BearerTokenFile {
 public:
  // kIo when the file cannot be read at start-up; kInvalidArgument when it is empty.
  static Result<std::unique_ptr<BearerTokenFile>> open(std::string path);

  // Whether `authorization` (the header's value) carries the current token.
  [[nodiscard]] bool accepts(std::string_view authorization);

 private:
  BearerTokenFile(std::string path, std::string token);
  void reload_if_changed();

  std::string path_;
  std::mutex mutex_;
  std::string token_;  // guarded by mutex_
  FileWatch watch_;    // guarded by mutex_
};

// Reads and trims a token file: kIo unreadable, kInvalidArgument empty.
Result<std::string> read_token_file(const std::string& path);

// Constant-time equality for secrets (the length is not secret).
bool secrets_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace zastava::http
