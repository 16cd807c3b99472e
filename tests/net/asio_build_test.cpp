// Proves the separately compiled Boost.Asio/Beast/SSL library links and works:
// a TLS 1.2+ context and a timer on an io_context.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>

TEST(AsioSeparateCompilation, TimerFiresOnIoContext) {
  boost::asio::io_context io;
  boost::asio::steady_timer timer(io, std::chrono::milliseconds(1));
  bool fired = false;
  timer.async_wait([&](const boost::system::error_code& ec) { fired = !ec; });
  io.run();
  EXPECT_TRUE(fired);
}

TEST(AsioSeparateCompilation, TlsContextAndBeastMessage) {
  boost::asio::ssl::context ctx(boost::asio::ssl::context::tls_server);
  ctx.set_options(boost::asio::ssl::context::no_sslv2 | boost::asio::ssl::context::no_sslv3 |
                  boost::asio::ssl::context::no_tlsv1 | boost::asio::ssl::context::no_tlsv1_1);
  EXPECT_NE(ctx.native_handle(), nullptr);
  boost::beast::http::request<boost::beast::http::string_body> req{boost::beast::http::verb::post,
                                                                   "/validate", 11};
  req.body() = "{}";
  req.prepare_payload();
  EXPECT_EQ(req[boost::beast::http::field::content_length], "2");
}
