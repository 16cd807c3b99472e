#pragma once
// A deliberately low-level test client (POSIX socket + OpenSSL, blocking with
// receive timeouts) for what a well-behaved client cannot do: offer TLS 1.1
// or a CBC cipher, send half a header block and stall, send garbage, pipeline
// raw bytes.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace zastava::testing {

struct TlsProbe {
  int min_version = 0;  // TLS1_2_VERSION etc.; 0: library default
  int max_version = 0;
  std::string tls12_ciphers;  // empty: default
  std::string ca_file;        // empty: no verification
};

class RawConnection {
 public:
  // Plain TCP to 127.0.0.1:port; null when connect fails.
  static std::unique_ptr<RawConnection> plain(std::uint16_t port);
  // TLS; null when the TCP connect or the handshake fails (error() tells why).
  static std::unique_ptr<RawConnection> tls(std::uint16_t port, const TlsProbe& probe,
                                            std::string* error = nullptr);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool send(std::string_view bytes);
  // One HTTP response (headers + Content-Length body) or nullopt on
  // close/timeout first.
  std::optional<std::string> read_response(std::chrono::milliseconds timeout);
  // True when the peer closes (EOF or reset) within `timeout`; data read
  // meanwhile is discarded.
  bool wait_closed(std::chrono::milliseconds timeout);
  [[nodiscard]] std::string tls_version() const;

 private:
  RawConnection(int fd, SSL_CTX* ctx, SSL* ssl) : fd_(fd), ctx_(ctx), ssl_(ssl) {}
  // >0 bytes, 0 closed, -1 timeout or error (see timed_out_).
  long receive(char* data, std::size_t size, std::chrono::milliseconds timeout);

  int fd_;
  SSL_CTX* ctx_;
  SSL* ssl_;
  std::string pending_;
  bool timed_out_ = false;
};

// The status code in "HTTP/1.1 413 ..." or 0.
unsigned status_of(const std::string& response);

}  // namespace zastava::testing
