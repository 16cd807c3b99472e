#include "http/target.hpp"

#include <optional>

namespace zastava::http {
namespace {

std::optional<int> hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

Result<std::string> percent_decode(std::string_view text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      decoded.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) {
      return make_error(ErrorCode::kParse, "request target: truncated percent escape");
    }
    const auto high = hex_value(text[i + 1]);
    const auto low = hex_value(text[i + 2]);
    if (!high || !low) return make_error(ErrorCode::kParse, "request target: bad percent escape");
    const int byte = *high * 16 + *low;
    if (byte == 0) return make_error(ErrorCode::kParse, "request target: NUL in path");
    decoded.push_back(static_cast<char>(byte));
    i += 2;
  }
  return decoded;
}

}  // namespace

Result<TargetParts> split_target(std::string_view target) {
  if (target.empty() || target.front() != '/') {
    return make_error(ErrorCode::kParse, "request target: not in origin form");
  }
  const std::size_t question = target.find('?');
  TargetParts parts;
  if (question != std::string_view::npos) parts.query = std::string(target.substr(question + 1));
  auto path = percent_decode(target.substr(0, question));
  if (!path) return path.error();
  parts.path = std::move(*path);
  return parts;
}

}  // namespace zastava::http
