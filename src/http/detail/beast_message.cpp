#include "http/detail/beast_message.hpp"

#include "http/target.hpp"

namespace zastava::http::detail {
namespace beast_http = boost::beast::http;
namespace {

bool has_line_break(std::string_view text) noexcept {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

}  // namespace

Result<Request> from_beast(BeastRequest& request) {
  auto parts = split_target(request.target());
  if (!parts) return parts.error();
  Request converted;
  converted.method = std::string(request.method_string());
  converted.target = std::string(request.target());
  converted.path = std::move(parts->path);
  converted.query = std::move(parts->query);
  converted.headers.reserve(8);
  for (const auto& field : request) {
    converted.headers.emplace_back(to_lower_ascii(field.name_string()), std::string(field.value()));
  }
  converted.body = std::move(request.body());
  return converted;
}

BeastResponse to_beast(Response response, unsigned version, bool keep_alive) {
  if (response.status < 100 || response.status > 599) {
    response = error_response(500, "internal error");
  }
  BeastResponse converted{static_cast<beast_http::status>(response.status), version};
  if (!response.content_type.empty()) {
    converted.set(beast_http::field::content_type, response.content_type);
  }
  for (auto& [name, value] : response.headers) {
    // A handler must not be able to split the response (header injection).
    if (has_line_break(name) || has_line_break(value) || name.empty()) continue;
    converted.insert(name, value);
  }
  converted.body() = std::move(response.body);
  converted.keep_alive(keep_alive);
  converted.prepare_payload();
  return converted;
}

}  // namespace zastava::http::detail
