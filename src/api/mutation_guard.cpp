#include "api/mutation_guard.hpp"

namespace zastava::api {

std::optional<http::Response> refuse_mutation(const http::Request& request) {
  if (!request.identity.authenticated) {
    http::Response response = http::error_response(401, "authentication required");
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
    return response;
  }
  const auto type = request.header("content-type");
  if (type && !type->starts_with("application/json")) {
    return http::error_response(415, "the body must be application/json");
  }
  return std::nullopt;
}

}  // namespace zastava::api
