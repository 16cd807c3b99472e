#pragma once
// Accepts connections on one address (internal): each accepted socket is
// bound to the next of the server's io_contexts in turn (one a worker
// thread, so the socket's executor is an implicit strand) and gets a Session,
// unless the listener is at max_connections (closed at once, counted) or the
// server is stopping. Accept errors such as EMFILE are retried after a short
// pause instead of spinning.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>
#include <memory>
#include <vector>

#include "http/detail/server_state.hpp"
#include "http/detail/session.hpp"

namespace zastava::http::detail {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // The server's io_contexts, one a worker thread; the acceptor runs on the
  // first, connections are spread over all of them.
  using IoContexts = std::vector<boost::asio::io_context*>;

  // Binds and listens; kIo naming the address when that fails.
  static Result<std::shared_ptr<Listener>> bind(IoContexts ios, const std::string& address,
                                                std::uint16_t port,
                                                std::shared_ptr<ListenerState> state);

  void run();
  // Thread-safe: closes the acceptor on its thread; the future is ready once it is closed.
  std::future<void> stop();
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

  Listener(IoContexts ios, std::shared_ptr<ListenerState> state);

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, SessionSocket socket);
  boost::asio::io_context& next_io();

  IoContexts ios_;
  std::size_t next_ = 0;  // round robin over ios_; only the acceptor's thread uses it
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  std::shared_ptr<ListenerState> state_;
  std::uint16_t port_ = 0;
};

}  // namespace zastava::http::detail
