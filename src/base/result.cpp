#include "base/result.hpp"

namespace zastava {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kParse:
      return "parse_error";
    case ErrorCode::kVerification:
      return "verification_failed";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kIo:
      return "io_error";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kCrypto:
      return "crypto_error";
    case ErrorCode::kInternal:
      return "internal_error";
  }
  return "unknown_error";
}

Error Error::with_context(std::string_view context) const {
  return Error{code, std::string(context) + ": " + message};
}

std::string Error::describe() const {
  return std::string(to_string(code)) + ": " + message;
}

}  // namespace zastava
