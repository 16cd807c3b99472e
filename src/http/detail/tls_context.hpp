#pragma once
// Server TLS contexts (internal to the server; includes Boost): the policy
// every Zastava listener enforces, and the reloading source that swaps in a
// new context when cert-manager rotates the files.
//
// Policy: TLS 1.2 and 1.3 only; TLS 1.2 cipher suites ECDHE with AES-GCM or
// CHACHA20-POLY1305 only (TLS 1.3's suites are all AEAD); no compression, no
// renegotiation; with a client CA, client certificates are asked for and, if
// presented, must verify.

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/result.hpp"
#include "http/file_watch.hpp"
#include "http/server.hpp"

namespace zastava::http::detail {

using SslContextPtr = std::shared_ptr<boost::asio::ssl::context>;

// kCrypto naming the file and OpenSSL's reason when a file does not load or
// the key does not match the certificate.
Result<SslContextPtr> make_server_context(const TlsFiles& files);

// The current context for new connections; rebuilt when the files change.
class TlsContextSource {
 public:
  TlsContextSource(TlsFiles files, SslContextPtr initial, std::shared_ptr<spdlog::logger> logger);

  // Looks at the files at most once a second; on a change builds a new
  // context and swaps it in, or logs why not and keeps the old one.
  SslContextPtr current();

 private:
  TlsFiles files_;
  std::shared_ptr<spdlog::logger> logger_;
  std::mutex mutex_;
  SslContextPtr context_;  // guarded by mutex_
  FileWatch watch_;        // guarded by mutex_
};

// The RFC 2253 subject of the peer's certificate when it was presented and
// verified, else nullopt.
std::optional<std::string> verified_peer_subject(SSL* ssl);

}  // namespace zastava::http::detail
