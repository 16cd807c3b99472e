#include "kube/token_source.hpp"

#include <utility>

#include "support/config.hpp"

namespace zastava::kube {

TokenSource::TokenSource(std::string fixed_token, std::string token_file,
                         Clock::duration reread_interval)
    : fixed_token_(std::move(fixed_token)),
      token_file_(std::move(token_file)),
      reread_interval_(reread_interval) {}

Result<std::string> TokenSource::authorization() {
  if (token_file_.empty()) {
    return fixed_token_.empty() ? std::string() : "Bearer " + fixed_token_;
  }
  const std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  if (stale_ || now - read_at_ >= reread_interval_) {
    auto text = support::read_file(token_file_, 1u << 20);
    if (!text) return text.error().with_context("service account token");
    std::string token = std::move(*text);
    while (!token.empty() &&
           (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) {
      token.pop_back();
    }
    if (token.empty()) return make_error(ErrorCode::kIo, "token file " + token_file_ + " is empty");
    cached_ = std::move(token);
    read_at_ = now;
    stale_ = false;
  }
  return "Bearer " + cached_;
}

bool TokenSource::invalidate() {
  if (token_file_.empty()) return false;
  const std::lock_guard lock(mutex_);
  stale_ = true;
  return true;
}

}  // namespace zastava::kube
