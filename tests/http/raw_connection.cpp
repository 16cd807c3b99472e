#include "raw_connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace zastava::testing {
namespace {

int connect_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::optional<std::size_t> complete_response_size(const std::string& data) {
  const std::size_t end = data.find("\r\n\r\n");
  if (end == std::string::npos) return std::nullopt;
  std::size_t length = 0;
  std::string lower = data.substr(0, end);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::size_t at = lower.find("\r\ncontent-length:");
  if (at != std::string::npos) length = std::stoul(lower.substr(at + 17));
  if (data.size() < end + 4 + length) return std::nullopt;
  return end + 4 + length;
}

}  // namespace

std::unique_ptr<RawConnection> RawConnection::plain(std::uint16_t port) {
  const int fd = connect_loopback(port);
  if (fd < 0) return nullptr;
  return std::unique_ptr<RawConnection>(new RawConnection(fd, nullptr, nullptr));
}

std::unique_ptr<RawConnection> RawConnection::tls(std::uint16_t port, const TlsProbe& probe,
                                                  std::string* error) {
  const int fd = connect_loopback(port);
  if (fd < 0) {
    if (error != nullptr) *error = "connect failed";
    return nullptr;
  }
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  // Level 0 so this client CAN offer TLS 1.1: the server must be the one refusing.
  SSL_CTX_set_security_level(ctx, 0);
  if (probe.min_version != 0) SSL_CTX_set_min_proto_version(ctx, probe.min_version);
  if (probe.max_version != 0) SSL_CTX_set_max_proto_version(ctx, probe.max_version);
  if (!probe.tls12_ciphers.empty()) SSL_CTX_set_cipher_list(ctx, probe.tls12_ciphers.c_str());
  if (!probe.ca_file.empty()) {
    SSL_CTX_load_verify_locations(ctx, probe.ca_file.c_str(), nullptr);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  }
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  auto connection = std::unique_ptr<RawConnection>(new RawConnection(fd, ctx, ssl));
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ERR_clear_error();
  if (SSL_connect(ssl) != 1) {
    if (error != nullptr) {
      char text[256] = "handshake failed";
      if (const unsigned long code = ERR_get_error()) ERR_error_string_n(code, text, sizeof text);
      *error = text;
    }
    return nullptr;
  }
  return connection;
}

RawConnection::~RawConnection() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  ::close(fd_);
}

bool RawConnection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    long written = 0;
    if (ssl_ != nullptr) {
      written = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
    } else {
      written = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    }
    if (written <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

long RawConnection::receive(char* data, std::size_t size, std::chrono::milliseconds timeout) {
  timed_out_ = false;
  if (ssl_ == nullptr || SSL_pending(ssl_) == 0) {
    pollfd waiting{fd_, POLLIN, 0};
    const int ready = ::poll(&waiting, 1, static_cast<int>(timeout.count()));
    if (ready == 0) {
      timed_out_ = true;
      return -1;
    }
    if (ready < 0) return -1;
  }
  if (ssl_ != nullptr) {
    const int got = SSL_read(ssl_, data, static_cast<int>(size));
    if (got > 0) return got;
    const int reason = SSL_get_error(ssl_, got);
    if (reason == SSL_ERROR_WANT_READ) {  // a TLS 1.3 ticket, not data
      timed_out_ = false;
      return -2;
    }
    return 0;  // close_notify, EOF or reset: closed either way
  }
  const long got = ::recv(fd_, data, size, 0);
  return got < 0 ? 0 : got;
}

std::optional<std::string> RawConnection::read_response(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char chunk[16384];
  while (true) {
    if (auto size = complete_response_size(pending_)) {
      std::string response = pending_.substr(0, *size);
      pending_.erase(0, *size);
      return response;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    const long got = receive(chunk, sizeof chunk, left);
    if (got == -2) continue;
    if (got <= 0) return std::nullopt;
    pending_.append(chunk, static_cast<std::size_t>(got));
  }
}

bool RawConnection::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char chunk[16384];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    const long got = receive(chunk, sizeof chunk, left);
    if (got == 0) return true;
    if (got == -1) {
      if (timed_out_) return false;
      return true;
    }
  }
}

std::string RawConnection::tls_version() const {
  return ssl_ == nullptr ? std::string() : std::string(SSL_get_version(ssl_));
}

unsigned status_of(const std::string& response) {
  if (response.size() < 12 || response.compare(0, 5, "HTTP/") != 0) return 0;
  return static_cast<unsigned>(std::stoul(response.substr(9, 3)));
}

}  // namespace zastava::testing
