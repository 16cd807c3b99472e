#include "http/client.hpp"

// Synchronous on the outside, asynchronous inside: Beast's timeouts
// (tcp_stream::expires_after) only apply to asynchronous operations, so each
// step starts one on a private io_context and runs it to completion.

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "http/detail/tls_client.hpp"
#include "http/detail/x509_text.hpp"
#include "http/message.hpp"

namespace zastava::http {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

Result<std::shared_ptr<ssl::context>> make_client_context(const ClientOptions& options) {
  if (options.ca_file.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "https needs a CA file to verify the server");
  }
  auto context = detail::make_tls_client_context();
  boost::system::error_code ec;
  context->load_verify_file(options.ca_file, ec);
  if (ec) {
    return make_error(ErrorCode::kCrypto,
                      "cannot load CA file " + options.ca_file + ": " + ec.message());
  }
  context->set_verify_mode(ssl::verify_peer, ec);
  if (options.client_cert_file.empty() != options.client_key_file.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "a client certificate needs both the certificate and the key file");
  }
  if (!options.client_cert_file.empty()) {
    context->use_certificate_chain_file(options.client_cert_file, ec);
    if (!ec) context->use_private_key_file(options.client_key_file, ssl::context::pem, ec);
    if (ec) {
      return make_error(ErrorCode::kCrypto, "cannot load client certificate/key: " + ec.message());
    }
  }
  return context;
}

}  // namespace

std::optional<std::string_view> ClientResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

struct Client::Impl {
  Url url;
  ClientOptions options;
  net::io_context io;
  std::shared_ptr<ssl::context> tls_context;  // null for http
  std::unique_ptr<TlsStream> tls_stream;
  std::unique_ptr<beast::tcp_stream> plain_stream;
  beast::flat_buffer buffer;
  bool reused = false;  // the connection already carried a response

  [[nodiscard]] bool is_open() const { return tls_stream != nullptr || plain_stream != nullptr; }
  beast::tcp_stream& lowest() {
    return tls_stream != nullptr ? beast::get_lowest_layer(*tls_stream) : *plain_stream;
  }

  // Runs the operation `start` begins to completion; returns its error.
  template <typename Start>
  beast::error_code run(Start start) {
    beast::error_code result = net::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    io.restart();
    io.run();
    return result;
  }

  Error io_error(std::string_view step, const beast::error_code& ec) const {
    return make_error(ErrorCode::kIo, (url.tls ? "https://" : "http://") + url.authority() + ": " +
                                          std::string(step) + ": " + ec.message());
  }

  void close() {
    beast::error_code ignored;
    if (is_open()) lowest().socket().close(ignored);
    tls_stream.reset();
    plain_stream.reset();
    buffer.clear();
    reused = false;
  }

  Status open();
  Status handshake();
  Result<ClientResponse> exchange(const bhttp::request<bhttp::string_body>& request,
                                  bool& nothing_received);
};

Status Client::Impl::open() {
  close();
  tcp::resolver resolver(io);
  beast::error_code ec;
  const auto endpoints = resolver.resolve(url.host, std::to_string(url.port), ec);
  if (ec) return io_error("resolve", ec);
  if (tls_context != nullptr) {
    tls_stream = std::make_unique<TlsStream>(io, *tls_context);
  } else {
    plain_stream = std::make_unique<beast::tcp_stream>(io);
  }
  lowest().expires_after(options.connect_timeout);
  ec = run([&](auto handler) { lowest().async_connect(endpoints, handler); });
  if (ec) {
    close();
    return io_error("connect", ec);
  }
  lowest().socket().set_option(tcp::no_delay(true), ec);
  if (tls_stream != nullptr) {
    if (auto shaken = handshake(); !shaken) {
      close();
      return shaken;
    }
  }
  return ok_status();
}

Status Client::Impl::handshake() {
  SSL* ssl = tls_stream->native_handle();
  detail::expect_server_name(ssl, url.host);
  const beast::error_code ec =
      run([&](auto handler) { tls_stream->async_handshake(ssl::stream_base::client, handler); });
  if (ec) return io_error("TLS handshake", ec);
  return ok_status();
}

Result<ClientResponse> Client::Impl::exchange(const bhttp::request<bhttp::string_body>& request,
                                              bool& nothing_received) {
  nothing_received = true;
  lowest().expires_after(options.request_timeout);
  beast::error_code ec = run([&](auto handler) {
    if (tls_stream != nullptr) {
      bhttp::async_write(*tls_stream, request, handler);
    } else {
      bhttp::async_write(*plain_stream, request, handler);
    }
  });
  if (ec) return io_error("write", ec);
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(static_cast<std::uint64_t>(options.max_body_bytes));
  parser.skip(request.method() == bhttp::verb::head);  // a HEAD response has no body
  const std::size_t buffered_before = buffer.size();
  ec = run([&](auto handler) {
    if (tls_stream != nullptr) {
      bhttp::async_read(*tls_stream, buffer, parser, handler);
    } else {
      bhttp::async_read(*plain_stream, buffer, parser, handler);
    }
  });
  nothing_received = ec && buffer.size() == buffered_before && !parser.got_some();
  if (ec == bhttp::error::body_limit) {
    return make_error(ErrorCode::kParse, "response body larger than " +
                                             std::to_string(options.max_body_bytes) + " bytes");
  }
  if (ec) return io_error("read", ec);
  auto& message = parser.get();
  ClientResponse response;
  response.status = message.result_int();
  for (const auto& field : message) {
    response.headers.emplace_back(to_lower_ascii(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(message.body());
  if (!message.keep_alive()) {
    close();
  } else {
    reused = true;
  }
  return response;
}

Result<std::unique_ptr<Client>> Client::connect(std::string_view base_url, ClientOptions options) {
  auto url = parse_url(base_url);
  if (!url) return url.error();
  auto impl = std::make_unique<Impl>();
  impl->url = std::move(*url);
  impl->options = std::move(options);
  if (impl->url.tls) {
    auto context = make_client_context(impl->options);
    if (!context) return context.error();
    impl->tls_context = std::move(*context);
  }
  if (auto opened = impl->open(); !opened) return opened.error();
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Client::~Client() {
  impl_->close();
}

Result<ClientResponse> Client::request(
    std::string_view method, std::string_view target, std::string body,
    std::string_view content_type,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  bhttp::request<bhttp::string_body> message;
  message.version(11);
  const bhttp::verb verb = bhttp::string_to_verb(method);
  if (verb == bhttp::verb::unknown) {
    message.method_string(method);
  } else {
    message.method(verb);
  }
  message.target(target);
  message.set(bhttp::field::host, impl_->url.authority());
  message.set(bhttp::field::user_agent, "zastava");
  if (!impl_->options.bearer_token.empty()) {
    message.set(bhttp::field::authorization, "Bearer " + impl_->options.bearer_token);
  }
  if (!content_type.empty()) message.set(bhttp::field::content_type, content_type);
  for (const auto& [name, value] : headers) message.insert(name, value);
  message.body() = std::move(body);
  message.keep_alive(true);
  message.prepare_payload();

  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!impl_->is_open()) {
      if (auto opened = impl_->open(); !opened) return opened.error();
    }
    const bool was_reused = impl_->reused;
    bool nothing_received = false;
    auto response = impl_->exchange(message, nothing_received);
    if (response) return response;
    impl_->close();
    // A kept-alive connection the server closed meanwhile: once more, fresh.
    if (!(was_reused && nothing_received)) return response.error();
  }
  return make_error(ErrorCode::kIo, "unreachable");
}

bool Client::connected() const noexcept {
  return impl_->is_open();
}

std::string Client::peer_subject() const {
  if (impl_->tls_stream == nullptr) return {};
  const X509* peer = SSL_get0_peer_certificate(impl_->tls_stream->native_handle());
  return peer == nullptr ? std::string() : detail::subject_text(peer);
}

std::string Client::peer_serial() const {
  if (impl_->tls_stream == nullptr) return {};
  const X509* peer = SSL_get0_peer_certificate(impl_->tls_stream->native_handle());
  return peer == nullptr ? std::string() : detail::serial_text(peer);
}

Result<ClientResponse> fetch(std::string_view method, std::string_view url, std::string body,
                             const ClientOptions& options, std::string_view content_type) {
  auto parsed = parse_url(url);
  if (!parsed) return parsed.error();
  const std::string base = (parsed->tls ? "https://" : "http://") + parsed->authority();
  auto client = Client::connect(base, options);
  if (!client) return client.error();
  const std::string_view type = body.empty() ? std::string_view{} : content_type;
  return (*client)->request(method, parsed->target, std::move(body), type);
}

}  // namespace zastava::http
