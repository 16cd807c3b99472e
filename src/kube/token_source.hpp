#pragma once
// The bearer token a client sends. A fixed token is just that; a token file
// (in-cluster service accounts, kubeconfig tokenFile) is re-read because
// bound service-account tokens rotate (the kubelet rewrites the file about
// every hour): at most once per `reread_interval`, or at once after the
// server answered 401 (invalidate()), as client-go's cachingTokenSource does.
// Thread-safe.

#include <chrono>
#include <mutex>
#include <string>

#include "base/result.hpp"

namespace zastava::kube {

class TokenSource {
 public:
  using Clock = std::chrono::steady_clock;

  TokenSource(std::string fixed_token, std::string token_file,
              Clock::duration reread_interval = std::chrono::minutes(1));

  // "Bearer <token>", or empty for anonymous; kIo when the file is unreadable.
  Result<std::string> authorization();
  // The next authorization() re-reads the file. False when there is no file
  // (so a 401 is final).
  bool invalidate();

 private:
  std::string fixed_token_;
  std::string token_file_;
  Clock::duration reread_interval_;
  std::mutex mutex_;
  std::string cached_;         // guarded by mutex_
  Clock::time_point read_at_;  // guarded by mutex_
  bool stale_ = true;          // guarded by mutex_
};

}  // namespace zastava::kube
