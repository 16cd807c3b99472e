#pragma once
// Accepts connections on one address (internal): each accepted socket gets
// its own strand and a Session, unless the listener is at max_connections
// (closed at once, counted) or the server is stopping. Accept errors such as
// EMFILE are retried after a short pause instead of spinning.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>
#include <memory>

#include "http/detail/server_state.hpp"

namespace zastava::http::detail {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds and listens; kIo naming the address when that fails.
  static Result<std::shared_ptr<Listener>> bind(boost::asio::io_context& io,
                                                const std::string& address, std::uint16_t port,
                                                std::shared_ptr<ListenerState> state);

  void run();
  // Thread-safe: closes the acceptor on its strand; the future is ready once it is closed.
  std::future<void> stop();
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

  Listener(boost::asio::io_context& io, std::shared_ptr<ListenerState> state);

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  std::shared_ptr<ListenerState> state_;
  std::uint16_t port_ = 0;
};

}  // namespace zastava::http::detail
