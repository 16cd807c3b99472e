#include "http/bearer_token.hpp"

#include <openssl/crypto.h>

#include "http/message.hpp"
#include "support/config.hpp"

namespace zastava::http {
namespace {

constexpr std::size_t kMaxTokenFileBytes = 64 * 1024;

std::string_view trim(std::string_view text) noexcept {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// The token in "Bearer <token>" (scheme case-insensitive), or nullopt.
std::optional<std::string_view> bearer_credentials(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  if (to_lower_ascii(authorization.substr(0, kScheme.size())) != kScheme) return std::nullopt;
  return trim(authorization.substr(kScheme.size()));
}

}  // namespace

bool secrets_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::string> read_token_file(const std::string& path) {
  auto text = support::read_file(path, kMaxTokenFileBytes);
  if (!text) return make_error(ErrorCode::kIo, "token file: " + text.error().message);
  const std::string_view token = trim(*text);
  if (token.empty())
    return make_error(ErrorCode::kInvalidArgument, "token file " + path + " is empty");
  return std::string(token);
}

Result<std::unique_ptr<BearerTokenFile>> BearerTokenFile::open(std::string path) {
  auto token = read_token_file(path);
  if (!token) return token.error();
  return std::unique_ptr<BearerTokenFile>(new BearerTokenFile(std::move(path), std::move(*token)));
}

BearerTokenFile::BearerTokenFile(std::string path, std::string token)
    : path_(std::move(path)), token_(std::move(token)), watch_({path_}) {}

void BearerTokenFile::reload_if_changed() {
  if (!watch_.changed(FileWatch::Clock::now())) return;
  auto token = read_token_file(path_);
  // A token file being rewritten may be briefly empty or missing: nobody is
  // authenticated until it is readable again (failing closed).
  token_ = token ? std::move(*token) : std::string();
}

bool BearerTokenFile::accepts(std::string_view authorization) {
  const auto presented = bearer_credentials(authorization);
  if (!presented || presented->empty()) return false;
  const std::lock_guard lock(mutex_);
  reload_if_changed();
  if (token_.empty()) return false;
  return secrets_equal(*presented, token_);
}

}  // namespace zastava::http
