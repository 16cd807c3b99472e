#include "http/message.hpp"

#include <nlohmann/json.hpp>

namespace zastava::http {

std::optional<std::string_view> Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

Response error_response(unsigned status, std::string_view message) {
  const nlohmann::json body = {{"error", {{"code", status}, {"message", message}}}};
  // "replace": a message is text for people; invalid UTF-8 must not throw here.
  return json_response(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string to_lower_ascii(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

Response json_response(unsigned status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

}  // namespace zastava::http
