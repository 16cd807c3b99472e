// The server over real TLS on loopback: certificates from the openssl CLI
// (test_pki), the product's client and a raw OpenSSL client for what a
// polite client cannot do.
#include "http/server.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <thread>

#include "http/client.hpp"
#include "http/metrics_handler.hpp"
#include "http/router.hpp"
#include "metrics/registry.hpp"
#include "raw_connection.hpp"
#include "test_pki.hpp"

namespace zastava::http {
namespace {

using namespace std::chrono_literals;
using testing::RawConnection;
using testing::TestPki;
using testing::TlsProbe;

Response text(std::string body) {
  Response response;
  response.content_type = "text/plain";
  response.body = std::move(body);
  return response;
}

Router test_router() {
  Router router;
  router.add("GET", "/hello", [](const Request&) { return text("hello"); });
  router.add("POST", "/echo", [](const Request& request) { return text(request.body); });
  router.add("GET", "/whoami", [](const Request& request) {
    const nlohmann::json body = {{"authenticated", request.identity.authenticated},
                                 {"subject", request.identity.subject}};
    return json_response(200, body.dump());
  });
  router.add("GET", "/throw",
             [](const Request&) -> Response { throw std::runtime_error("handler bug"); });
  return router;
}

// Polls `condition` every 20 ms until it holds or `timeout` passes.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return condition();
}

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = TestPki::create().release(); }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }

  ListenerConfig tls_listener(Handler handler, Limits limits = {}) const {
    ListenerConfig listener;
    listener.name = "api";
    listener.address = "127.0.0.1";
    listener.tls = TlsFiles{pki_->server1().cert, pki_->server1().key, ""};
    listener.handler = std::move(handler);
    listener.limits = limits;
    return listener;
  }

  std::unique_ptr<Server> start(ListenerConfig listener, metrics::Registry* registry = nullptr) {
    ServerConfig config;
    config.threads = 2;
    config.stop_timeout = 5s;
    config.listeners.push_back(std::move(listener));
    auto server = Server::start(std::move(config), registry);
    if (!server) throw std::runtime_error(server.error().describe());
    return std::move(*server);
  }

  ClientOptions client_options() const {
    ClientOptions options;
    options.ca_file = pki_->ca_cert();
    options.request_timeout = 20s;
    return options;
  }

  std::unique_ptr<Client> connect(std::uint16_t port, ClientOptions options) const {
    auto client = Client::connect("https://127.0.0.1:" + std::to_string(port), std::move(options));
    if (!client) throw std::runtime_error(client.error().describe());
    return std::move(*client);
  }
  std::unique_ptr<Client> connect(std::uint16_t port) const {
    return connect(port, client_options());
  }

  TlsProbe probe() const {
    TlsProbe tls;
    tls.ca_file = pki_->ca_cert();
    return tls;
  }

  static TestPki* pki_;
};

TestPki* ServerTest::pki_ = nullptr;

TEST_F(ServerTest, GetAndPostOverTlsWithKeepAlive) {
  auto server = start(tls_listener(test_router().handler()));
  auto client = connect(server->port("api"));
  for (int i = 0; i < 3; ++i) {
    auto get = client->get("/hello");
    ASSERT_TRUE(get.ok()) << get.error().describe();
    EXPECT_EQ(get->status, 200u);
    EXPECT_EQ(get->body, "hello");
    auto post = client->post("/echo", "payload " + std::to_string(i), "text/plain");
    ASSERT_TRUE(post.ok()) << post.error().describe();
    EXPECT_EQ(post->body, "payload " + std::to_string(i));
    EXPECT_TRUE(client->connected());
  }
  // Several requests on one raw TLS connection, answered in order.
  auto raw = RawConnection::tls(server->port("api"), probe());
  ASSERT_NE(raw, nullptr);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(raw->send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n" +
                          std::to_string(i)));
    auto response = raw->read_response(10s);
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(testing::status_of(*response), 200u);
    EXPECT_TRUE(response->ends_with(std::to_string(i)));
  }
}

TEST_F(ServerTest, OnlyTls12And13WithAeadEcdheCiphers) {
  auto server = start(tls_listener(test_router().handler()));
  const std::uint16_t port = server->port("api");

  TlsProbe tls11 = probe();
  tls11.min_version = TLS1_1_VERSION;
  tls11.max_version = TLS1_1_VERSION;
  std::string error;
  EXPECT_EQ(RawConnection::tls(port, tls11, &error), nullptr) << "TLS 1.1 was accepted";

  TlsProbe tls12 = probe();
  tls12.min_version = TLS1_2_VERSION;
  tls12.max_version = TLS1_2_VERSION;
  auto connection12 = RawConnection::tls(port, tls12, &error);
  ASSERT_NE(connection12, nullptr) << error;
  EXPECT_EQ(connection12->tls_version(), "TLSv1.2");

  TlsProbe tls13 = probe();
  tls13.min_version = TLS1_3_VERSION;
  auto connection13 = RawConnection::tls(port, tls13, &error);
  ASSERT_NE(connection13, nullptr) << error;
  EXPECT_EQ(connection13->tls_version(), "TLSv1.3");
  ASSERT_TRUE(connection13->send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto response = connection13->read_response(10s);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(testing::status_of(*response), 200u);

  for (const char* refused :
       {"ECDHE-ECDSA-AES128-SHA", "AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-SHA384"}) {
    TlsProbe cipher = tls12;
    cipher.tls12_ciphers = refused;
    EXPECT_EQ(RawConnection::tls(port, cipher), nullptr) << refused << " was accepted";
  }
  TlsProbe chacha = tls12;
  chacha.tls12_ciphers = "ECDHE-ECDSA-CHACHA20-POLY1305";
  EXPECT_NE(RawConnection::tls(port, chacha), nullptr);
}

TEST_F(ServerTest, BodyOverLimitIs413AndServerKeepsServing) {
  auto server = start(tls_listener(test_router().handler()));
  auto client = connect(server->port("api"));
  auto big = client->post("/echo", std::string(4u << 20, 'x'), "text/plain");
  ASSERT_TRUE(big.ok()) << big.error().describe();
  EXPECT_EQ(big->status, 413u);
  EXPECT_FALSE(client->connected());  // the server closed after the 413
  // Just under the limit is fine, and the server still serves.
  auto fits = client->post("/echo", std::string((3u << 20) - 16, 'y'), "text/plain");
  ASSERT_TRUE(fits.ok()) << fits.error().describe();
  EXPECT_EQ(fits->status, 200u);
  EXPECT_EQ(fits->body.size(), (3u << 20) - 16);
}

TEST_F(ServerTest, HeaderBlockOverLimitIs431) {
  auto server = start(tls_listener(test_router().handler()));
  auto raw = RawConnection::tls(server->port("api"), probe());
  ASSERT_NE(raw, nullptr);
  ASSERT_TRUE(raw->send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') +
                        "\r\n\r\n"));
  auto response = raw->read_response(10s);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(testing::status_of(*response), 431u);
  EXPECT_TRUE(raw->wait_closed(10s));
  EXPECT_EQ(connect(server->port("api"))->get("/hello")->status, 200u);
}

TEST_F(ServerTest, MalformedRequestIs400AndClose) {
  auto server = start(tls_listener(test_router().handler()));
  for (const char* garbage : {"GARBAGE\r\n\r\n", "GET /hello HTTP/9.9\r\n\r\n",
                              "GET /hello HTTP/1.1\r\nBad Header\r\n\r\n",
                              "GET http://elsewhere/x HTTP/1.1\r\nHost: x\r\n\r\n",
                              "GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n"}) {
    auto raw = RawConnection::tls(server->port("api"), probe());
    ASSERT_NE(raw, nullptr);
    ASSERT_TRUE(raw->send(garbage));
    auto response = raw->read_response(10s);
    ASSERT_TRUE(response.has_value()) << garbage;
    EXPECT_EQ(testing::status_of(*response), 400u) << garbage;
    EXPECT_TRUE(raw->wait_closed(10s)) << garbage;
  }
}

TEST_F(ServerTest, SlowClientIsClosedAfterReadTimeoutWhileOthersAreServed) {
  Limits limits;
  limits.read_timeout = 1s;
  auto server = start(tls_listener(test_router().handler(), limits));
  auto slow = RawConnection::tls(server->port("api"), probe());
  ASSERT_NE(slow, nullptr);
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(slow->send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Half: "));
  auto client = connect(server->port("api"));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(client->get("/hello")->status, 200u);
  EXPECT_TRUE(slow->wait_closed(15s));
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, 900ms);
  EXPECT_EQ(client->get("/hello")->status, 200u);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  Limits limits;
  limits.idle_timeout = 300ms;
  auto server = start(tls_listener(test_router().handler(), limits));
  auto raw = RawConnection::tls(server->port("api"), probe());
  ASSERT_NE(raw, nullptr);
  ASSERT_TRUE(raw->send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(raw->read_response(10s).has_value());
  EXPECT_TRUE(raw->wait_closed(10s));
}

TEST_F(ServerTest, ConnectionsBeyondTheCapAreClosedAndCounted) {
  metrics::Registry registry;
  Limits limits;
  limits.max_connections = 2;
  ListenerConfig listener = tls_listener(test_router().handler(), limits);
  listener.tls.reset();  // plain HTTP: the cap is about sockets
  listener.name = "plain";
  auto server = start(std::move(listener), &registry);
  const std::uint16_t port = server->port("plain");
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(RawConnection::plain(port));
    ASSERT_NE(held.back(), nullptr);
    ASSERT_TRUE(held.back()->send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(held.back()->read_response(10s).has_value());
  }
  auto third = RawConnection::plain(port);
  ASSERT_NE(third, nullptr);  // accepted by the kernel, then closed by the server
  third->send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(third->wait_closed(10s));
  EXPECT_NE(registry.render().find("http_connections_rejected_total{listener=\"plain\"} 1"),
            std::string::npos)
      << registry.render();
  held.pop_back();
  EXPECT_TRUE(eventually([&] {
    auto again = RawConnection::plain(port);
    if (again == nullptr || !again->send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")) return false;
    auto response = again->read_response(2s);
    return response && testing::status_of(*response) == 200u;
  }));
}

TEST_F(ServerTest, RotatedCertificateServesNewConnectionsKeepsOldOnes) {
  const std::string cert = (pki_->dir() / "live.crt").string();
  const std::string key = (pki_->dir() / "live.key").string();
  testing::replace_file(pki_->server1().cert, cert);
  testing::replace_file(pki_->server1().key, key);
  ListenerConfig listener = tls_listener(test_router().handler());
  listener.tls = TlsFiles{cert, key, ""};
  auto server = start(std::move(listener));
  const std::uint16_t port = server->port("api");
  auto old_client = connect(port);
  EXPECT_EQ(old_client->peer_serial(), "1001");
  EXPECT_NE(old_client->peer_subject().find("CN=server-1"), std::string::npos);

  testing::replace_file(pki_->server2().cert, cert);
  testing::replace_file(pki_->server2().key, key);
  EXPECT_TRUE(eventually([&] { return connect(port)->peer_serial() == "2002"; }));
  EXPECT_NE(connect(port)->peer_subject().find("CN=server-2"), std::string::npos);
  // The connection opened before the rotation is still up, on the old certificate.
  auto response = old_client->get("/hello");
  ASSERT_TRUE(response.ok()) << response.error().describe();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(old_client->peer_serial(), "1001");

  // A broken pair (certificate 1 with key 2) is refused: the last good one stays.
  testing::replace_file(pki_->server1().cert, cert);
  std::this_thread::sleep_for(1200ms);  // past the once-a-second check
  for (int i = 0; i < 3; ++i) EXPECT_EQ(connect(port)->peer_serial(), "2002");
  // Fixed again: picked up.
  testing::replace_file(pki_->server1().key, key);
  EXPECT_TRUE(eventually([&] { return connect(port)->peer_serial() == "1001"; }));
}

TEST_F(ServerTest, HandlerThatThrowsIs500AndServerKeepsServing) {
  auto server = start(tls_listener(test_router().handler()));
  auto client = connect(server->port("api"));
  auto thrown = client->get("/throw");
  ASSERT_TRUE(thrown.ok());
  EXPECT_EQ(thrown->status, 500u);
  EXPECT_EQ(thrown->body.find("handler bug"), std::string::npos);  // not leaked
  EXPECT_EQ(client->get("/hello")->status, 200u);
}

TEST_F(ServerTest, UnknownPathIs404WrongMethodIs405) {
  auto server = start(tls_listener(test_router().handler()));
  auto client = connect(server->port("api"));
  EXPECT_EQ(client->get("/missing")->status, 404u);
  auto wrong = client->request("DELETE", "/hello");
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->status, 405u);
  EXPECT_EQ(wrong->header("allow").value_or(""), "GET");
}

TEST_F(ServerTest, PlainHttpListenerServesMetrics) {
  metrics::Registry registry;
  ServerConfig config;
  config.threads = 2;
  config.listeners.push_back(tls_listener(test_router().handler()));
  Router metrics_router;
  metrics_router.add("GET", "/metrics", metrics_handler(registry));
  ListenerConfig plain;
  plain.name = "metrics";
  plain.address = "127.0.0.1";
  plain.handler = metrics_router.handler();
  config.listeners.push_back(plain);
  auto server = Server::start(std::move(config), &registry);
  ASSERT_TRUE(server.ok()) << server.error().describe();
  EXPECT_NE((*server)->port("api"), (*server)->port("metrics"));
  EXPECT_EQ(connect((*server)->port("api"))->get("/hello")->status, 200u);
  auto scraped =
      fetch("GET", "http://127.0.0.1:" + std::to_string((*server)->port("metrics")) + "/metrics",
            {}, ClientOptions{});
  ASSERT_TRUE(scraped.ok()) << scraped.error().describe();
  EXPECT_EQ(scraped->status, 200u);
  EXPECT_EQ(scraped->header("content-type").value_or(""), kPrometheusContentType);
  EXPECT_NE(scraped->body.find("http_requests_total{code=\"200\",listener=\"api\"} 1"),
            std::string::npos)
      << scraped->body;
  EXPECT_NE(scraped->body.find("http_request_duration_seconds_count{listener=\"api\"} 1"),
            std::string::npos);
  EXPECT_NE(scraped->body.find("http_connections_active{listener=\"metrics\"} 1"),
            std::string::npos);
}

TEST_F(ServerTest, VerifiedClientCertificateIsAnIdentity) {
  ListenerConfig listener = tls_listener(test_router().handler());
  listener.tls->client_ca_file = pki_->ca_cert();
  auto server = start(std::move(listener));
  const std::uint16_t port = server->port("api");

  ClientOptions with_cert = client_options();
  with_cert.client_cert_file = pki_->client().cert;
  with_cert.client_key_file = pki_->client().key;
  auto who = connect(port, with_cert)->get("/whoami");
  ASSERT_TRUE(who.ok());
  const auto body = nlohmann::json::parse(who->body);
  EXPECT_TRUE(body["authenticated"].get<bool>());
  EXPECT_EQ(body["subject"], "O=zastava,CN=client-1");

  auto anonymous = connect(port)->get("/whoami");
  ASSERT_TRUE(anonymous.ok());
  EXPECT_FALSE(nlohmann::json::parse(anonymous->body)["authenticated"].get<bool>());

  ClientOptions rogue = client_options();
  rogue.client_cert_file = pki_->rogue_client().cert;
  rogue.client_key_file = pki_->rogue_client().key;
  auto refused = Client::connect("https://127.0.0.1:" + std::to_string(port), rogue);
  bool rogue_served = false;
  if (refused.ok()) {  // TLS 1.3: the refusal arrives after the client's handshake ends
    auto attempt = (*refused)->get("/whoami");
    rogue_served = attempt.ok() && attempt->status == 200u;
  }
  EXPECT_FALSE(rogue_served);
}

TEST_F(ServerTest, BearerTokenAuthenticatesAndFollowsTheFile) {
  const std::string token_file = (pki_->dir() / "token").string();
  testing::write_file(token_file, "first-token\n");
  ListenerConfig listener = tls_listener(test_router().handler());
  listener.token_file = token_file;
  auto server = start(std::move(listener));
  const std::uint16_t port = server->port("api");
  auto whoami = [&](const std::string& token) {
    ClientOptions options = client_options();
    options.bearer_token = token;
    const auto body = nlohmann::json::parse(connect(port, options)->get("/whoami")->body);
    return body["authenticated"].get<bool>() ? body["subject"].get<std::string>() : "";
  };
  EXPECT_EQ(whoami("first-token"), "bearer-token");
  EXPECT_EQ(whoami("wrong-token"), "");
  EXPECT_EQ(whoami(""), "");
  testing::write_file(token_file + ".new", "second-token");
  std::filesystem::rename(token_file + ".new", token_file);
  EXPECT_TRUE(eventually([&] { return whoami("second-token") == "bearer-token"; }));
  EXPECT_EQ(whoami("first-token"), "");
}

TEST_F(ServerTest, GracefulStopFinishesTheRequestInFlight) {
  std::atomic<bool> entered{false};
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  Router router = test_router();
  router.add("GET", "/slow", [&](const Request&) {
    entered = true;
    released.wait_for(10s);
    return text("finished");
  });
  auto server = start(tls_listener(router.handler()));
  const std::uint16_t port = server->port("api");
  auto idle = connect(port);
  ASSERT_EQ(idle->get("/hello")->status, 200u);
  auto in_flight = std::async(std::launch::async, [&] { return connect(port)->get("/slow"); });
  ASSERT_TRUE(eventually([&] { return entered.load(); }));
  auto stopping = std::async(std::launch::async, [&] { server->stop(); });
  EXPECT_EQ(stopping.wait_for(300ms), std::future_status::timeout);  // waiting for /slow
  release.set_value();
  auto response = in_flight.get();
  ASSERT_TRUE(response.ok()) << response.error().describe();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->body, "finished");
  EXPECT_EQ(response->header("connection").value_or(""), "close");
  EXPECT_EQ(stopping.wait_for(10s), std::future_status::ready);
  EXPECT_FALSE(Client::connect("https://127.0.0.1:" + std::to_string(port), client_options()).ok());
  EXPECT_FALSE(idle->get("/hello").ok());  // the idle connection was closed
}

TEST_F(ServerTest, RequestCapPerConnectionClosesAfterTheLast) {
  Limits limits;
  limits.max_requests_per_connection = 2;
  auto server = start(tls_listener(test_router().handler(), limits));
  auto raw = RawConnection::tls(server->port("api"), probe());
  ASSERT_NE(raw, nullptr);
  ASSERT_TRUE(raw->send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto first = raw->read_response(10s);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->find("Connection: close"), std::string::npos);
  ASSERT_TRUE(raw->send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto second = raw->read_response(10s);
  ASSERT_TRUE(second.has_value());
  EXPECT_NE(second->find("Connection: close"), std::string::npos);
  EXPECT_TRUE(raw->wait_closed(10s));
}

TEST_F(ServerTest, ClientTimesOutAndCapsTheBody) {
  Router router = test_router();
  router.add("GET", "/sleepy", [](const Request&) {
    std::this_thread::sleep_for(1500ms);
    return text("late");
  });
  auto server = start(tls_listener(router.handler()));
  ClientOptions impatient = client_options();
  impatient.request_timeout = 200ms;
  auto client = connect(server->port("api"), impatient);
  const auto started = std::chrono::steady_clock::now();
  auto late = client->get("/sleepy");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kIo);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1400ms);
  ClientOptions small = client_options();
  small.max_body_bytes = 100;
  auto capped =
      connect(server->port("api"), small)->post("/echo", std::string(1000, 'z'), "text/plain");
  ASSERT_FALSE(capped.ok());
  EXPECT_EQ(capped.error().code, ErrorCode::kParse);
  // The wrong CA: the server's certificate does not verify.
  ClientOptions wrong_ca = client_options();
  wrong_ca.ca_file = (pki_->dir() / "rogueca.crt").string();
  EXPECT_FALSE(
      Client::connect("https://127.0.0.1:" + std::to_string(server->port("api")), wrong_ca).ok());
  // "localhost" is in the certificate; 127.0.0.2 (also loopback) is not.
  EXPECT_TRUE(
      Client::connect("https://localhost:" + std::to_string(server->port("api")), client_options())
          .ok());
  ListenerConfig elsewhere = tls_listener(test_router().handler());
  elsewhere.address = "127.0.0.2";
  auto other = start(std::move(elsewhere));
  auto mismatch =
      Client::connect("https://127.0.0.2:" + std::to_string(other->port("api")), client_options());
  EXPECT_FALSE(mismatch.ok());
}

TEST_F(ServerTest, RandomGarbageNeverWedgesTheServer) {
  ListenerConfig listener = tls_listener(test_router().handler());
  listener.tls.reset();
  auto server = start(std::move(listener));
  const std::uint16_t port = server->port("api");
  std::mt19937 random(20261122);
  const std::string alphabet = "GETPOST /HTTP1.\r\n:Content-Length 0123456789\x00\xff{}%";
  for (int i = 0; i < 200; ++i) {
    auto raw = RawConnection::plain(port);
    ASSERT_NE(raw, nullptr);
    std::string junk(random() % 600, ' ');
    for (char& c : junk) c = alphabet[random() % alphabet.size()];
    raw->send(junk);
  }
  auto client = Client::connect("http://127.0.0.1:" + std::to_string(port), {});
  ASSERT_TRUE(client.ok());
  EXPECT_EQ((*client)->get("/hello")->status, 200u);
}

TEST(ServerConfig, RejectsBadConfigs) {
  EXPECT_FALSE(Server::start(ServerConfig{}).ok());
  ServerConfig no_handler;
  no_handler.listeners.push_back(ListenerConfig{});
  no_handler.listeners.back().name = "x";
  EXPECT_EQ(Server::start(no_handler).error().code, ErrorCode::kInvalidArgument);
  ServerConfig missing_cert;
  missing_cert.listeners.push_back(ListenerConfig{});
  missing_cert.listeners.back().name = "x";
  missing_cert.listeners.back().address = "127.0.0.1";
  missing_cert.listeners.back().handler = [](const Request&) { return Response{}; };
  missing_cert.listeners.back().tls = TlsFiles{"/nonexistent.crt", "/nonexistent.key", ""};
  EXPECT_EQ(Server::start(missing_cert).error().code, ErrorCode::kCrypto);
}

}  // namespace
}  // namespace zastava::http
