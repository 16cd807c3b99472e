#include "http/detail/listener.hpp"

#include <spdlog/logger.h>

#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "http/detail/session.hpp"

namespace zastava::http::detail {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

}  // namespace

Listener::Listener(IoContexts ios, std::shared_ptr<ListenerState> state)
    : ios_(std::move(ios)),
      acceptor_(*ios_.front()),
      retry_timer_(acceptor_.get_executor()),
      state_(std::move(state)) {}

Result<std::shared_ptr<Listener>> Listener::bind(IoContexts ios, const std::string& address,
                                                 std::uint16_t port,
                                                 std::shared_ptr<ListenerState> state) {
  const std::string where = address + ":" + std::to_string(port);
  boost::system::error_code ec;
  const net::ip::address ip = net::ip::make_address(address, ec);
  if (ec) return make_error(ErrorCode::kInvalidArgument, "listener: bad address " + address);
  if (ios.empty()) return make_error(ErrorCode::kInvalidArgument, "listener: no io_context");
  auto listener = std::make_shared<Listener>(std::move(ios), std::move(state));
  const tcp::endpoint endpoint(ip, port);
  tcp::acceptor& acceptor = listener->acceptor_;
  if (acceptor.open(endpoint.protocol(), ec); ec) {
    return make_error(ErrorCode::kIo, "listener " + where + ": open: " + ec.message());
  }
  if (acceptor.set_option(net::socket_base::reuse_address(true), ec); ec) {
    return make_error(ErrorCode::kIo, "listener " + where + ": reuse_address: " + ec.message());
  }
  if (acceptor.bind(endpoint, ec); ec) {
    return make_error(ErrorCode::kIo, "listener " + where + ": bind: " + ec.message());
  }
  if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec) {
    return make_error(ErrorCode::kIo, "listener " + where + ": listen: " + ec.message());
  }
  listener->port_ = acceptor.local_endpoint().port();
  return listener;
}

void Listener::run() {
  net::post(acceptor_.get_executor(),
            boost::beast::bind_front_handler(&Listener::do_accept, shared_from_this()));
}

std::future<void> Listener::stop() {
  auto closed = std::make_shared<std::promise<void>>();
  std::future<void> result = closed->get_future();
  net::post(acceptor_.get_executor(), [self = shared_from_this(), closed] {
    boost::system::error_code ignored;
    self->retry_timer_.cancel();
    self->acceptor_.close(ignored);
    closed->set_value();
  });
  return result;
}

net::io_context& Listener::next_io() {
  net::io_context& io = *ios_[next_];
  next_ = (next_ + 1) % ios_.size();
  return io;
}

void Listener::do_accept() {
  if (!acceptor_.is_open()) return;
  // The socket belongs to the io_context (worker thread) that will serve it.
  acceptor_.async_accept(next_io().get_executor(), boost::beast::bind_front_handler(
                                                       &Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(boost::system::error_code ec, SessionSocket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // EMFILE, ENOBUFS...: pause instead of spinning on the error.
    state_->server->logger->warn("{}: accept failed: {}", state_->name, ec.message());
    retry_timer_.expires_after(kAcceptRetryDelay);
    retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
      if (!wait_ec) self->do_accept();
    });
    return;
  }
  if (state_->server->stopping.load()) {
    socket.close(ec);
    return;
  }
  if (state_->active_connections.load() >= state_->limits.max_connections) {
    state_->metrics.connection_rejected();  // before the close a client may be watching
    socket.close(ec);
  } else {
    socket.set_option(tcp::no_delay(true), ec);
    SslContextPtr context = state_->tls != nullptr ? state_->tls->current() : nullptr;
    start_session(std::move(socket), state_, std::move(context));
  }
  do_accept();
}

}  // namespace zastava::http::detail
