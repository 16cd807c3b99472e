#include "http/router.hpp"

#include <set>

namespace zastava::http {
namespace {

// How well a route's path matches: 0 none, otherwise higher is more specific.
std::size_t match_rank(bool is_prefix, const std::string& route_path, std::string_view path) {
  if (!is_prefix) return route_path == path ? path.size() + 2 : 0;
  if (path.size() > route_path.size() && path.starts_with(route_path)) {
    return route_path.size() + 1;
  }
  return 0;
}

}  // namespace

void Router::add(std::string method, std::string path, Handler handler) {
  routes_.push_back(Route{std::move(method), std::move(path), false, std::move(handler), {}});
}

void Router::add_prefix(std::string method, std::string prefix, PrefixHandler handler) {
  routes_.push_back(Route{std::move(method), std::move(prefix), true, {}, std::move(handler)});
}

Response Router::route(const Request& request) const {
  const Route* best = nullptr;
  std::size_t best_rank = 0;
  for (const Route& route : routes_) {
    const std::size_t rank = match_rank(route.is_prefix, route.path, request.path);
    if (rank != 0 && route.method == request.method && rank > best_rank) {
      best = &route;
      best_rank = rank;
    }
  }
  if (best != nullptr) {
    if (!best->is_prefix) return best->exact(request);
    return best->prefixed(request, std::string_view(request.path).substr(best->path.size()));
  }
  // No route for this method: which methods the path has (for 405's Allow).
  std::set<std::string> allowed;
  for (const Route& route : routes_) {
    if (match_rank(route.is_prefix, route.path, request.path) != 0) allowed.insert(route.method);
  }
  if (allowed.empty()) return error_response(404, "no such resource: " + request.path);
  Response response = error_response(405, "method " + request.method + " not allowed");
  std::string allow;
  for (const std::string& method : allowed) {
    if (!allow.empty()) allow += ", ";
    allow += method;
  }
  response.headers.emplace_back("Allow", std::move(allow));
  return response;
}

Handler Router::handler() const {
  auto shared = std::make_shared<const Router>(*this);
  return [shared](const Request& request) { return shared->route(request); };
}

}  // namespace zastava::http
