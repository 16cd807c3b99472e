#include "kube/transport.hpp"

// Synchronous calls over asynchronous Beast operations: timeouts
// (tcp_stream::expires_after) only apply to asynchronous operations, so each
// connection owns a private io_context and every step runs one operation on
// it to completion. Watches poll that io_context in short slices so a stop
// request can close the socket under a blocked read.

#include <atomic>
#include <boost/asio/buffer.hpp>
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
#include <boost/optional.hpp>
#include <mutex>
#include <vector>

#include "http/detail/tls_client.hpp"
#include "http/url.hpp"

namespace zastava::kube {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Request = bhttp::request<bhttp::string_body>;
using Parser = bhttp::response_parser<bhttp::string_body>;

constexpr auto kStopPollSlice = std::chrono::milliseconds(50);

Result<std::shared_ptr<ssl::context>> make_tls_context(const ClusterConfig& config) {
  auto context = http::detail::make_tls_client_context();
  boost::system::error_code ec;
  if (config.insecure_skip_tls_verify) {
    context->set_verify_mode(ssl::verify_none, ec);
  } else {
    if (config.ca_pem.empty()) {
      context->set_default_verify_paths(ec);
    } else {
      context->add_certificate_authority(net::buffer(config.ca_pem), ec);
    }
    if (ec) return make_error(ErrorCode::kCrypto, "cannot load the cluster CA: " + ec.message());
    context->set_verify_mode(ssl::verify_peer, ec);
  }
  if (!config.client_cert_pem.empty()) {
    context->use_certificate_chain(net::buffer(config.client_cert_pem), ec);
    if (!ec) context->use_private_key(net::buffer(config.client_key_pem), ssl::context::pem, ec);
    if (ec) {
      return make_error(ErrorCode::kCrypto,
                        "cannot load the client certificate/key: " + ec.message());
    }
  }
  return context;
}

// One HTTP connection with its own io_context.
struct Connection {
  net::io_context io;
  std::unique_ptr<TlsStream> tls;
  std::unique_ptr<beast::tcp_stream> plain;
  beast::flat_buffer buffer;
  bool reused = false;  // already carried a response

  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { close(); }

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  void close() {
    beast::error_code ignored;
    if (tls || plain) lowest().socket().close(ignored);
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

  // Like run(), but closes the socket when `stop` is requested meanwhile.
  template <typename Start>
  beast::error_code run_stoppable(Start start, const std::stop_token& stop) {
    beast::error_code result = net::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    bool closed = false;
    io.restart();
    while (result == net::error::would_block) {
      io.run_for(kStopPollSlice);
      if (result != net::error::would_block) break;
      if (io.stopped()) io.restart();
      if (stop.stop_requested() && !closed) {
        close();
        closed = true;
      }
    }
    return result;
  }

  template <typename Op>
  auto with_stream(Op op) {
    if (tls) return op(*tls);
    return op(*plain);
  }
};

bool truncated(const beast::error_code& ec) {
  return ec == ssl::error::stream_truncated || ec == bhttp::error::end_of_stream ||
         ec == net::error::eof;
}

}  // namespace

struct Transport::Impl {
  http::Url url;
  std::string path_prefix;  // a server URL's own path ("https://host/k8s/clusters/c-1")
  TransportOptions options;
  std::shared_ptr<ssl::context> tls_context;  // null for plain http
  std::mutex mutex;
  std::vector<std::unique_ptr<Connection>> idle;  // guarded by mutex
  std::atomic<std::uint64_t> opened{0};

  Error io_error(std::string_view step, const beast::error_code& ec) const {
    return make_error(ErrorCode::kIo,
                      url.authority() + ": " + std::string(step) + ": " + ec.message());
  }

  Result<std::unique_ptr<Connection>> open();
  std::unique_ptr<Connection> take_idle() {
    const std::lock_guard lock(mutex);
    if (idle.empty()) return nullptr;
    auto connection = std::move(idle.back());
    idle.pop_back();
    return connection;
  }
  void give_back(std::unique_ptr<Connection> connection) {
    const std::lock_guard lock(mutex);
    if (idle.size() < options.max_idle_connections) idle.push_back(std::move(connection));
  }
  Request make_request(const HttpCall& call) const;
  Result<HttpReply> exchange(Connection& connection, const Request& request,
                             std::chrono::milliseconds timeout, bool& nothing_received);
};

Result<std::unique_ptr<Connection>> Transport::Impl::open() {
  auto connection = std::make_unique<Connection>();
  tcp::resolver resolver(connection->io);
  beast::error_code ec;
  const auto endpoints = resolver.resolve(url.host, std::to_string(url.port), ec);
  if (ec) return io_error("resolve", ec);
  if (tls_context) {
    connection->tls = std::make_unique<TlsStream>(connection->io, *tls_context);
  } else {
    connection->plain = std::make_unique<beast::tcp_stream>(connection->io);
  }
  connection->lowest().expires_after(options.connect_timeout);
  ec = connection->run(
      [&](auto handler) { connection->lowest().async_connect(endpoints, handler); });
  if (ec) return io_error("connect", ec);
  connection->lowest().socket().set_option(tcp::no_delay(true), ec);
  if (connection->tls) {
    http::detail::expect_server_name(connection->tls->native_handle(), url.host);
    ec = connection->run(
        [&](auto handler) { connection->tls->async_handshake(ssl::stream_base::client, handler); });
    if (ec) return io_error("TLS handshake", ec);
  }
  opened.fetch_add(1, std::memory_order_relaxed);
  return connection;
}

Request Transport::Impl::make_request(const HttpCall& call) const {
  Request request;
  request.version(11);
  const bhttp::verb verb = bhttp::string_to_verb(call.method);
  if (verb == bhttp::verb::unknown) {
    request.method_string(call.method);
  } else {
    request.method(verb);
  }
  request.target(path_prefix + call.target);
  request.set(bhttp::field::host, url.authority());
  request.set(bhttp::field::user_agent, "zastava-kube/0.1");
  request.set(bhttp::field::accept, "application/json");
  if (!call.authorization.empty()) request.set(bhttp::field::authorization, call.authorization);
  if (!call.content_type.empty()) request.set(bhttp::field::content_type, call.content_type);
  request.body() = call.body;
  request.keep_alive(true);
  request.prepare_payload();
  return request;
}

Result<HttpReply> Transport::Impl::exchange(Connection& connection, const Request& request,
                                            std::chrono::milliseconds timeout,
                                            bool& nothing_received) {
  nothing_received = true;
  connection.lowest().expires_after(timeout);
  beast::error_code ec = connection.run([&](auto handler) {
    connection.with_stream([&](auto& stream) { bhttp::async_write(stream, request, handler); });
  });
  if (ec) return io_error("write", ec);
  Parser parser;
  parser.body_limit(static_cast<std::uint64_t>(options.max_body_bytes));
  const std::size_t buffered_before = connection.buffer.size();
  ec = connection.run([&](auto handler) {
    connection.with_stream(
        [&](auto& stream) { bhttp::async_read(stream, connection.buffer, parser, handler); });
  });
  nothing_received = ec && connection.buffer.size() == buffered_before && !parser.got_some();
  if (ec == bhttp::error::body_limit) {
    return make_error(ErrorCode::kIo, "response body larger than " +
                                          std::to_string(options.max_body_bytes) + " bytes");
  }
  if (ec) return io_error("read", ec);
  connection.reused = parser.get().keep_alive();
  return HttpReply{parser.get().result_int(), std::move(parser.get().body())};
}

Result<std::unique_ptr<Transport>> Transport::create(const ClusterConfig& config,
                                                     TransportOptions options) {
  auto url = http::parse_url(config.server);
  if (!url) return url.error().with_context("cluster server");
  auto impl = std::make_unique<Impl>();
  impl->url = std::move(*url);
  if (impl->url.target != "/") {
    impl->path_prefix = impl->url.target;
    while (!impl->path_prefix.empty() && impl->path_prefix.back() == '/')
      impl->path_prefix.pop_back();
  }
  impl->options = options;
  if (impl->url.tls) {
    auto context = make_tls_context(config);
    if (!context) return context.error();
    impl->tls_context = std::move(*context);
  }
  return std::unique_ptr<Transport>(new Transport(std::move(impl)));
}

Transport::Transport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Transport::~Transport() = default;

std::uint64_t Transport::connections_opened() const noexcept {
  return impl_->opened.load(std::memory_order_relaxed);
}

Result<HttpReply> Transport::request(const HttpCall& call) {
  const Request request = impl_->make_request(call);
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto connection = impl_->take_idle();
    const bool pooled = connection != nullptr;
    if (!pooled) {
      auto opened = impl_->open();
      if (!opened) return opened.error();
      connection = std::move(*opened);
    }
    bool nothing_received = false;
    auto reply = impl_->exchange(*connection, request, call.timeout, nothing_received);
    if (reply) {
      if (connection->reused) impl_->give_back(std::move(connection));
      return reply;
    }
    // A pooled connection the server closed meanwhile: once more, fresh.
    if (!(pooled && nothing_received)) return reply.error();
  }
  return make_error(ErrorCode::kIo, "unreachable");
}

Result<HttpReply> Transport::stream_lines(const HttpCall& call,
                                          const std::function<bool(std::string_view)>& on_line,
                                          std::stop_token stop) {
  auto opened = impl_->open();
  if (!opened) return opened.error();
  Connection& connection = **opened;
  const Request request = impl_->make_request(call);
  connection.lowest().expires_after(call.timeout);
  beast::error_code ec = connection.run_stoppable(
      [&](auto handler) {
        connection.with_stream([&](auto& stream) { bhttp::async_write(stream, request, handler); });
      },
      stop);
  if (ec) return impl_->io_error("write", ec);

  Parser parser;
  parser.body_limit(static_cast<std::uint64_t>(impl_->options.max_body_bytes));
  connection.lowest().expires_after(call.timeout);
  ec = connection.run_stoppable(
      [&](auto handler) {
        connection.with_stream([&](auto& stream) {
          bhttp::async_read_header(stream, connection.buffer, parser, handler);
        });
      },
      stop);
  if (stop.stop_requested()) return HttpReply{0, {}};
  if (ec) return impl_->io_error("read header", ec);
  const unsigned status = parser.get().result_int();
  if (status != 200) {
    connection.lowest().expires_after(call.timeout);
    ec = connection.run([&](auto handler) {
      connection.with_stream(
          [&](auto& stream) { bhttp::async_read(stream, connection.buffer, parser, handler); });
    });
    if (ec) return impl_->io_error("read", ec);
    return HttpReply{status, std::move(parser.get().body())};
  }

  parser.body_limit(boost::none);  // a watch runs for as long as it runs
  std::string pending;
  bool callback_stopped = false;
  const auto deliver_lines = [&]() {
    std::size_t start = 0;
    for (std::size_t end = pending.find('\n'); end != std::string::npos;
         end = pending.find('\n', start)) {
      const std::string_view line(pending.data() + start, end - start);
      start = end + 1;
      if (!line.empty() && !on_line(line)) {
        callback_stopped = true;
        break;
      }
    }
    pending.erase(0, start);
  };
  auto on_chunk = [&](std::uint64_t, std::string_view data, beast::error_code& chunk_ec) {
    pending.append(data);
    deliver_lines();
    if (callback_stopped) {
      chunk_ec = net::error::operation_aborted;
    } else if (pending.size() > impl_->options.max_body_bytes) {
      chunk_ec = bhttp::error::body_limit;
    }
    return data.size();
  };
  parser.on_chunk_body(on_chunk);
  while (!parser.is_done()) {
    connection.lowest().expires_after(call.timeout);
    ec = connection.run_stoppable(
        [&](auto handler) {
          connection.with_stream([&](auto& stream) {
            bhttp::async_read_some(stream, connection.buffer, parser, handler);
          });
        },
        stop);
    if (callback_stopped || stop.stop_requested()) return HttpReply{200, {}};
    if (ec == beast::error::timeout)
      return make_error(ErrorCode::kIo, "watch stream idle too long");
    if (ec && truncated(ec)) return make_error(ErrorCode::kIo, "watch stream cut: " + ec.message());
    if (ec) return impl_->io_error("read watch stream", ec);
  }
  pending += parser.get().body();  // a stream that was not chunked
  pending += '\n';
  deliver_lines();
  return HttpReply{200, {}};
}

}  // namespace zastava::kube
