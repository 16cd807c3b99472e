#pragma once
// One accepted connection (internal): the TLS handshake if any, then HTTP/1.1
// requests read, handled and answered one at a time on the connection's
// executor (an io_context run by one thread: an implicit strand), until the
// peer closes, a limit or timeout closes it, or the server stops. See
// session.cpp.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "http/detail/server_state.hpp"

namespace zastava::http::detail {

// A socket bound to an io_context run by one thread (its executor's concrete
// type, not any_io_executor: no type-erased dispatch on every operation).
using SessionSocket =
    boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;

// The io_context must run its handlers one at a time (one thread). `context`
// is null for plain HTTP.
void start_session(SessionSocket socket, std::shared_ptr<ListenerState> listener,
                   SslContextPtr context);

}  // namespace zastava::http::detail
