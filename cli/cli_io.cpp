#include "cli_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>

#include "crypto/public_key.hpp"

namespace zastava::cli {
namespace {

std::string errno_text() {
  return std::strerror(errno);
}

Status write_all(int fd, std::string_view content, const std::string& path) {
  while (!content.empty()) {
    const ssize_t written = ::write(fd, content.data(), content.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      return make_error(ErrorCode::kIo, "cannot write '" + path + "': " + errno_text());
    }
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  return ok_status();
}

}  // namespace

Result<std::string> read_text_file(const std::string& path, std::size_t limit) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return make_error(ErrorCode::kIo, "cannot open '" + path + "': " + errno_text());
  file.seekg(0, std::ios::end);
  const auto size = static_cast<std::streamoff>(file.tellg());
  if (size < 0) return make_error(ErrorCode::kIo, "cannot read '" + path + "'");
  if (static_cast<std::uint64_t>(size) > limit) {
    return make_error(ErrorCode::kInvalidArgument,
                      "'" + path + "' is larger than " + std::to_string(limit) + " bytes");
  }
  file.seekg(0, std::ios::beg);
  std::string content(static_cast<std::size_t>(size), '\0');
  if (!file.read(content.data(), size)) {
    return make_error(ErrorCode::kIo, "error reading '" + path + "'");
  }
  return content;
}

Status write_file_atomically(const std::string& path, std::string_view content) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  {
    const FileDescriptor fd(
        ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) {
      return make_error(ErrorCode::kIo, "cannot create '" + temporary + "': " + errno_text());
    }
    if (Status written = write_all(fd.get(), content, temporary); !written) {
      ::unlink(temporary.c_str());
      return written;
    }
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = errno_text();
    ::unlink(temporary.c_str());
    return make_error(ErrorCode::kIo,
                      "cannot rename '" + temporary + "' to '" + path + "': " + reason);
  }
  return ok_status();
}

Result<std::vector<crypto::PrivateKey>> load_private_keys(const std::vector<std::string>& paths) {
  // Key files are small; a larger file is not a key.
  constexpr std::size_t kMaxKeyBytes = 1u << 20;
  std::vector<crypto::PrivateKey> keys;
  for (const std::string& path : paths) {
    auto pem = read_text_file(path, kMaxKeyBytes);
    if (!pem) return pem.error();
    auto key = crypto::PrivateKey::from_pem(*pem);
    if (!key) return key.error().with_context("private key '" + path + "'");
    keys.push_back(std::move(key).value());
  }
  return keys;
}

Result<dsse::TrustSet> load_trust_set(const std::vector<std::string>& public_key_paths) {
  constexpr std::size_t kMaxKeyBytes = 1u << 20;
  dsse::TrustSet trust;
  for (const std::string& path : public_key_paths) {
    auto pem = read_text_file(path, kMaxKeyBytes);
    if (!pem) return pem.error();
    auto key = crypto::PublicKey::from_pem(*pem);
    if (!key) return key.error().with_context("public key '" + path + "'");
    trust.add(std::move(key).value());
  }
  return trust;
}

Result<std::size_t> parse_threshold(std::string_view text) {
  std::size_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value == 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--threshold must be a positive integer, not '" + std::string(text) + "'");
  }
  return value;
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace zastava::cli
