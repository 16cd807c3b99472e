#pragma once
// One accepted connection (internal): the TLS handshake if any, then HTTP/1.1
// requests read, handled and answered one at a time on the connection's
// strand, until the peer closes, a limit or timeout closes it, or the server
// stops. See session.cpp.

#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "http/detail/server_state.hpp"

namespace zastava::http::detail {

// The socket's executor must be a strand. `context` is null for plain HTTP.
void start_session(boost::asio::ip::tcp::socket socket, std::shared_ptr<ListenerState> listener,
                   SslContextPtr context);

}  // namespace zastava::http::detail
