// The router, request targets, URLs, messages and secrets: pure, no sockets.
#include "http/router.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/bearer_token.hpp"
#include "http/target.hpp"
#include "http/url.hpp"

namespace zastava::http {
namespace {

Request make_request(std::string method, std::string path) {
  Request request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.target = request.path;
  return request;
}

Response text(std::string body) {
  Response response;
  response.content_type = "text/plain";
  response.body = std::move(body);
  return response;
}

Router sample_router() {
  Router router;
  router.add("GET", "/v1/provcache/invalidate", [](const Request&) { return text("exact-get"); });
  router.add("POST", "/v1/provcache/invalidate", [](const Request&) { return text("exact"); });
  router.add_prefix("GET", "/v1/provcache/", [](const Request&, std::string_view rest) {
    return text("get:" + std::string(rest));
  });
  router.add_prefix("GET", "/v1/provcache/deep/", [](const Request&, std::string_view rest) {
    return text("deep:" + std::string(rest));
  });
  router.add("POST", "/v1/provcache", [](const Request&) { return text("post"); });
  return router;
}

TEST(Router, ExactPrefixAndLongestPrefix) {
  const Router router = sample_router();
  EXPECT_EQ(router.route(make_request("POST", "/v1/provcache")).body, "post");
  EXPECT_EQ(router.route(make_request("GET", "/v1/provcache/sha256:ab")).body, "get:sha256:ab");
  EXPECT_EQ(router.route(make_request("GET", "/v1/provcache/deep/x/y")).body, "deep:x/y");
  EXPECT_EQ(router.route(make_request("POST", "/v1/provcache/invalidate")).body, "exact");
  EXPECT_EQ(router.route(make_request("GET", "/v1/provcache/invalidate")).body, "exact-get");
}

TEST(Router, UnknownPathIs404) {
  const Router router = sample_router();
  EXPECT_EQ(router.route(make_request("GET", "/nope")).status, 404u);
  // A prefix needs a non-empty rest.
  EXPECT_EQ(router.route(make_request("GET", "/v1/provcache/")).status, 404u);
}

TEST(Router, WrongMethodIs405WithAllow) {
  const Router router = sample_router();
  const Response response = router.route(make_request("DELETE", "/v1/provcache/invalidate"));
  EXPECT_EQ(response.status, 405u);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "Allow");
  EXPECT_EQ(response.headers[0].second, "GET, POST");
  const Response put = router.route(make_request("PUT", "/v1/provcache"));
  EXPECT_EQ(put.status, 405u);
  EXPECT_EQ(put.headers.at(0).second, "POST");
}

TEST(Router, HandlerCopiesTheRouter) {
  Router router;
  router.add("GET", "/a", [](const Request&) { return text("a"); });
  const Handler handler = router.handler();
  router.add("GET", "/b", [](const Request&) { return text("b"); });
  EXPECT_EQ(handler(make_request("GET", "/a")).body, "a");
  EXPECT_EQ(handler(make_request("GET", "/b")).status, 404u);
}

TEST(Target, SplitsAndDecodes) {
  auto parts = split_target("/v1/proofs/sha256%3Aab%2fc?x=1&y=%20");
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->path, "/v1/proofs/sha256:ab/c");
  EXPECT_EQ(parts->query, "x=1&y=%20");
  auto plain = split_target("/metrics");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->path, "/metrics");
  EXPECT_EQ(plain->query, "");
}

TEST(Target, RejectsMalformed) {
  EXPECT_FALSE(split_target("").ok());
  EXPECT_FALSE(split_target("*").ok());
  EXPECT_FALSE(split_target("http://host/x").ok());
  EXPECT_FALSE(split_target("/a%2").ok());
  EXPECT_FALSE(split_target("/a%").ok());
  EXPECT_FALSE(split_target("/a%zz").ok());
  EXPECT_FALSE(split_target("/a%00b").ok());
}

TEST(Url, ParsesSchemesHostsAndPorts) {
  auto url = parse_url("https://127.0.0.1:8443/v1/x?y=1");
  ASSERT_TRUE(url.ok());
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->target, "/v1/x?y=1");
  auto plain = parse_url("http://localhost");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->target, "/");
  auto v6 = parse_url("https://[::1]:9/");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->authority(), "[::1]:9");
  for (const char* bad : {"ftp://x", "https://", "https://h:0", "https://h:70000",
                          "https://h:", "https://u@h/", "https://h/#f", "https://[::1"}) {
    EXPECT_FALSE(parse_url(bad).ok()) << bad;
  }
}

TEST(Message, ErrorResponseIsJsonWithCode) {
  const Response response = error_response(404, "no \"such\" thing");
  EXPECT_EQ(response.status, 404u);
  EXPECT_EQ(response.content_type, "application/json");
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"]["code"], 404);
  EXPECT_EQ(body["error"]["message"], "no \"such\" thing");
  // Invalid UTF-8 in a message must not throw.
  EXPECT_EQ(error_response(400, "bad \xff byte").status, 400u);
}

TEST(Message, HeaderLookupIsByLowerCaseName) {
  Request request;
  request.headers = {{"content-type", "application/json"}, {"x-a", "1"}, {"x-a", "2"}};
  EXPECT_EQ(request.header("x-a").value_or(""), "1");
  EXPECT_FALSE(request.header("x-b").has_value());
}

TEST(Secrets, ConstantTimeCompareIsEquality) {
  EXPECT_TRUE(secrets_equal("s3cret", "s3cret"));
  EXPECT_FALSE(secrets_equal("s3cret", "s3creT"));
  EXPECT_FALSE(secrets_equal("s3cret", "s3cret!"));
  EXPECT_TRUE(secrets_equal("", ""));
}

}  // namespace
}  // namespace zastava::http
