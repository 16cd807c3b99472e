#pragma once
// Routes a request by method and path to a Handler (the server calls
// Router::handler()). Two kinds of route:
//   add("GET", "/healthz", h)                  the exact path
//   add_prefix("GET", "/v1/provcache/", h)     any longer path under the prefix;
//                                              h gets the rest ("sha256:ab..")
// Resolution: among the routes whose path matches (exact, or prefix with a
// non-empty rest), an exact route wins over a prefix and a longer prefix over
// a shorter one, for the request's method. No route for the path at all: 404.
// Routes for the path but none for the method: 405 with Allow listing them.
//
//   http::Router router;
//   router.add("GET", "/healthz", [](const http::Request&) { return http::json_response(200, "{}");
//   }); server_config.listeners[0].handler = router.handler();

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace zastava::http {

class Router {
 public:
  using PrefixHandler = std::function<Response(const Request&, std::string_view rest)>;

  void add(std::string method, std::string path, Handler handler);
  void add_prefix(std::string method, std::string prefix, PrefixHandler handler);

  [[nodiscard]] Response route(const Request& request) const;
  // A Handler holding a copy of this router (later add() calls do not reach it).
  [[nodiscard]] Handler handler() const;

 private:
  struct Route {
    std::string method;
    std::string path;  // the exact path or the prefix
    bool is_prefix = false;
    Handler exact;
    PrefixHandler prefixed;
  };
  std::vector<Route> routes_;
};

}  // namespace zastava::http
