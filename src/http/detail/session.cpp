#include "http/detail/session.hpp"

// After Boost.Beast's advanced server: one Session a connection, kept alive by
// the shared_ptr its pending operation holds, every step on the connection's
// executor: the io_context of one worker thread, so no strand is needed and
// a request is read, handled and answered without crossing threads. A
// connection goes
//
//   handshake (TLS) -> idle -> reading -> handling -> writing -> idle -> ...
//                                                            \-> closing
//
// Timeouts: the handshake and the wait for a new connection's first byte get
// read_timeout; the wait between keep-alive requests gets idle_timeout; once
// a request's first byte arrived, the whole request must arrive within
// read_timeout (one timer over the whole parse, so a client trickling bytes
// cannot hold the connection); the response gets write_timeout.

#include <spdlog/logger.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <optional>
#include <type_traits>

#include "http/detail/beast_message.hpp"

namespace zastava::http::detail {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kFirstReadBytes = 4096;
// How long a connection answered with 413/431 is read and discarded, so the
// client sees the response instead of a reset.
constexpr std::chrono::seconds kLingerTimeout{2};
constexpr std::chrono::seconds kTlsShutdownTimeout{1};

enum class Phase { kHandshake, kIdle, kReading, kHandling, kWriting, kClosing, kClosed };

bool is_http_parse_error(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

template <bool kTls>
class Session final : public SessionControl, public std::enable_shared_from_this<Session<kTls>> {
  using TcpStream =
      beast::basic_stream<tcp, net::io_context::executor_type, beast::unlimited_rate_policy>;
  using Stream = std::conditional_t<kTls, beast::ssl_stream<TcpStream>, TcpStream>;

 public:
  Session(SessionSocket socket, std::shared_ptr<ListenerState> listener, SslContextPtr context)
      : context_(std::move(context)),
        stream_(make_stream(std::move(socket), context_)),
        listener_(std::move(listener)),
        limits_(listener_->limits) {
    listener_->active_connections.fetch_add(1);
    listener_->metrics.connection_opened();
  }

  ~Session() override {
    listener_->server->sessions.remove(id_);
    listener_->active_connections.fetch_sub(1);
    listener_->metrics.connection_closed();
  }

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() {
    id_ = listener_->server->sessions.add(std::weak_ptr<SessionControl>(this->shared_from_this()));
    // stop() sets the flag before it lists the sessions: a session it did
    // not list sees the flag here.
    if (listener_->server->stopping.load()) stop_requested_ = true;
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::on_start, this->shared_from_this()));
  }

  void begin_stop() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->stop_requested_ = true;
      if (self->phase_ == Phase::kIdle || self->phase_ == Phase::kHandshake)
        self->lowest().cancel();
    });
  }

  void force_close() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->close_now(); });
  }

 private:
  static Stream make_stream(SessionSocket socket, const SslContextPtr& context) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *context);
    } else {
      return Stream(std::move(socket));
    }
  }

  TcpStream& lowest() { return beast::get_lowest_layer(stream_); }
  spdlog::logger& log() { return *listener_->server->logger; }

  void on_start() {
    if (stop_requested_) return close_now();
    if constexpr (kTls) {
      phase_ = Phase::kHandshake;
      lowest().expires_after(limits_.read_timeout);
      stream_.async_handshake(
          net::ssl::stream_base::server,
          beast::bind_front_handler(&Session::on_handshake, this->shared_from_this()));
    } else {
      wait_for_request(true);
    }
  }

  void on_handshake(beast::error_code ec) {
    if (ec) {
      log().debug("{}: TLS handshake failed: {}", listener_->name, ec.message());
      return close_now();
    }
    if constexpr (kTls) {
      if (auto subject = verified_peer_subject(stream_.native_handle())) {
        tls_identity_ = Identity{true, std::move(*subject)};
      }
    }
    wait_for_request(true);
  }

  // Waits for the first byte of the next request (the idle phase).
  void wait_for_request(bool first) {
    if (stop_requested_) return close_gracefully();
    phase_ = Phase::kIdle;
    if (buffer_.size() > 0) return read_request();  // pipelined bytes already here
    lowest().expires_after(first ? limits_.read_timeout : limits_.idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(kFirstReadBytes),
        beast::bind_front_handler(&Session::on_first_bytes, this->shared_from_this()));
  }

  void on_first_bytes(beast::error_code ec, std::size_t bytes) {
    buffer_.commit(bytes);
    if (ec) return close_now();  // closed by the peer, idle timeout, or stop()
    read_request();
  }

  void read_request() {
    phase_ = Phase::kReading;
    parser_.emplace();
    parser_->body_limit(static_cast<std::uint64_t>(limits_.max_body_bytes));
    parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
    lowest().expires_after(limits_.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t /*bytes*/) {
    request_start_ = SteadyClock::now();
    if (!ec) return handle_request();
    if (ec == bhttp::error::body_limit) return reject(413, "request body too large", true);
    if (ec == bhttp::error::header_limit) {
      return reject(431, "request header fields too large", true);
    }
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
      return close_now();
    }
    if (is_http_parse_error(ec)) return reject(400, "malformed request: " + ec.message(), false);
    // Timeout (the stream is already closed), reset, TLS truncation: nothing to answer.
    log().debug("{}: closing connection while reading: {}", listener_->name, ec.message());
    close_now();
  }

  void reject(unsigned status, const std::string& message, bool drain) {
    close_after_write_ = true;
    drain_after_write_ = drain;
    send(error_response(status, message), 11, false);
  }

  void handle_request() {
    phase_ = Phase::kHandling;
    BeastRequest& beast_request = parser_->get();
    const unsigned version = beast_request.version();
    bool keep_alive = beast_request.keep_alive();
    auto request = from_beast(beast_request);
    if (!request) return reject(400, request.error().message, false);
    request->identity = identify(*request);
    Response response = call_handler(*request);
    ++requests_served_;
    const bool request_cap_reached = limits_.max_requests_per_connection != 0 &&
                                     requests_served_ >= limits_.max_requests_per_connection;
    if (stop_requested_ || listener_->server->stopping.load() || request_cap_reached) {
      keep_alive = false;
    }
    close_after_write_ = !keep_alive;
    send(std::move(response), version, keep_alive);
  }

  Identity identify(const Request& request) {
    if (tls_identity_.authenticated) return tls_identity_;
    if (listener_->token != nullptr) {
      const auto authorization = request.header("authorization");
      if (authorization && listener_->token->accepts(*authorization)) {
        return Identity{true, "bearer-token"};
      }
    }
    return Identity{};
  }

  Response call_handler(const Request& request) {
    try {
      return listener_->handler(request);
    } catch (const std::exception& e) {
      log().error("{}: the handler for {} {} threw: {}", listener_->name, request.method,
                  request.path, e.what());
    } catch (...) {
      log().error("{}: the handler for {} {} threw a non-exception", listener_->name,
                  request.method, request.path);
    }
    return error_response(500, "internal error");
  }

  void send(Response response, unsigned version, bool keep_alive) {
    phase_ = Phase::kWriting;
    response_ = to_beast(std::move(response), version, keep_alive);
    lowest().expires_after(limits_.write_timeout);
    bhttp::async_write(stream_, response_,
                       beast::bind_front_handler(&Session::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t /*bytes*/) {
    const std::chrono::duration<double> took = SteadyClock::now() - request_start_;
    listener_->metrics.request_done(response_.result_int(), took.count());
    response_ = {};
    if (ec) return close_now();
    if (drain_after_write_) return drain();
    if (close_after_write_ || stop_requested_) return close_gracefully();
    wait_for_request(false);
  }

  // Lingering close: read and discard what the client still sends (the rest
  // of a refused body) for a moment, so its TCP stack does not see a reset
  // before it reads our response.
  void drain() {
    phase_ = Phase::kClosing;
    if constexpr (!kTls) {
      beast::error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
    buffer_.clear();
    lowest().expires_after(
        std::min<std::chrono::milliseconds>(limits_.read_timeout, kLingerTimeout));
    continue_drain();
  }

  void continue_drain() {
    stream_.async_read_some(
        buffer_.prepare(16 * 1024),
        beast::bind_front_handler(&Session::on_drain, this->shared_from_this()));
  }

  void on_drain(beast::error_code ec, std::size_t bytes) {
    drained_bytes_ += bytes;
    if (ec || drained_bytes_ > 4 * limits_.max_body_bytes + kFirstReadBytes) return close_now();
    continue_drain();
  }

  void close_gracefully() {
    phase_ = Phase::kClosing;
    if constexpr (kTls) {
      lowest().expires_after(kTlsShutdownTimeout);
      // The peer's close_notify usually never comes (clients just close):
      // stream_truncated and the timeout both end here the same way.
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->close_now(); });
    } else {
      beast::error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      close_now();
    }
  }

  void close_now() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    lowest().close();
  }

  SslContextPtr context_;  // before stream_: the stream uses it
  Stream stream_;
  std::shared_ptr<ListenerState> listener_;
  const Limits limits_;
  std::uint64_t id_ = 0;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  BeastResponse response_;
  Identity tls_identity_;
  Phase phase_ = Phase::kIdle;
  bool stop_requested_ = false;
  bool close_after_write_ = false;
  bool drain_after_write_ = false;
  std::size_t requests_served_ = 0;
  std::size_t drained_bytes_ = 0;
  SteadyClock::time_point request_start_{};
};

}  // namespace

void start_session(SessionSocket socket, std::shared_ptr<ListenerState> listener,
                   SslContextPtr context) {
  if (context != nullptr) {
    std::make_shared<Session<true>>(std::move(socket), std::move(listener), std::move(context))
        ->start();
  } else {
    std::make_shared<Session<false>>(std::move(socket), std::move(listener), nullptr)->start();
  }
}

}  // namespace zastava::http::detail
