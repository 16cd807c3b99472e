#include "api/error_status.hpp"

namespace zastava::api {

http::Response request_error_response(const Error& error) {
  return http::error_response(400, error.message);
}

http::Response store_error_response(const Error& error, std::string* logged) {
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kVerification:
      return http::error_response(400, error.message);
    case ErrorCode::kNotFound:
      return http::error_response(404, error.message);
    case ErrorCode::kIo:
      return http::error_response(503, "store unavailable: " + error.message);
    case ErrorCode::kUnsupported:
      return http::error_response(501, error.message);
    case ErrorCode::kParse:
      if (logged != nullptr) *logged = error.describe();
      return http::error_response(500, "stored provcache data is corrupt");
    case ErrorCode::kCrypto:
    case ErrorCode::kInternal:
      break;
  }
  if (logged != nullptr) *logged = error.describe();
  return http::error_response(500, "internal error");
}

}  // namespace zastava::api
