#include "kube/api_error.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

namespace zastava::kube {
namespace {

constexpr std::string_view kMarker = "[k8s ";

std::string default_reason(unsigned code) {
  switch (code) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return "Unknown";
  }
}

ErrorCode error_code_for(unsigned code) {
  if (code == 404) return ErrorCode::kNotFound;
  if (code == 401 || code == 403) return ErrorCode::kVerification;
  if (code == 429 || code >= 500) return ErrorCode::kIo;
  return ErrorCode::kInvalidArgument;
}

}  // namespace

ApiStatus api_status_from_reply(unsigned http_status, std::string_view body) {
  ApiStatus status;
  status.code = http_status;
  const auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.value("kind", "") == "Status") {
    status.reason = parsed.value("reason", "");
    status.message = parsed.value("message", "");
    const auto code = parsed.find("code");
    if (code != parsed.end() && code->is_number_unsigned()) status.code = code->get<unsigned>();
  } else {
    status.message = std::string(body.substr(0, 512));
  }
  if (status.reason.empty()) status.reason = default_reason(status.code);
  return status;
}

Error api_error(const ApiStatus& status, std::string_view what) {
  return make_error(error_code_for(status.code),
                    std::string(kMarker) + std::to_string(status.code) + " " + status.reason +
                        "] " + status.message + " (" + std::string(what) + ")");
}

std::optional<ApiStatus> api_status_of(const Error& error) {
  const std::string& text = error.message;
  const auto at = text.find(kMarker);
  if (at == std::string::npos) return std::nullopt;
  const auto close = text.find(']', at);
  if (close == std::string::npos) return std::nullopt;
  const std::string_view inside(text.data() + at + kMarker.size(), close - at - kMarker.size());
  const auto space = inside.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  ApiStatus status;
  const auto [end, ec] = std::from_chars(inside.data(), inside.data() + space, status.code);
  if (ec != std::errc() || end != inside.data() + space) return std::nullopt;
  status.reason = std::string(inside.substr(space + 1));
  status.message = text.substr(close + (close + 1 < text.size() ? 2 : 1));
  return status;
}

bool is_not_found(const Error& error) {
  const auto status = api_status_of(error);
  return status && status->code == 404;
}

bool is_already_exists(const Error& error) {
  const auto status = api_status_of(error);
  return status && status->code == 409 && status->reason == "AlreadyExists";
}

bool is_conflict(const Error& error) {
  const auto status = api_status_of(error);
  return status && status->code == 409 && status->reason != "AlreadyExists";
}

bool is_gone(const Error& error) {
  const auto status = api_status_of(error);
  return status && status->code == 410;
}

bool is_unauthorized(const Error& error) {
  const auto status = api_status_of(error);
  return status && status->code == 401;
}

}  // namespace zastava::kube
