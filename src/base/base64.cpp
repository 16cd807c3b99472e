#include "base/base64.hpp"

#include <array>

namespace zastava::encoding {
namespace {

constexpr std::string_view kStandard =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlSafe =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(ByteView bytes, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) |
                            std::uint32_t{bytes[i + 2]};
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t v = std::uint32_t{bytes[i]} << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

enum class Alphabet { kUnknown, kStd, kUrl };

// Value of one character, or -1. Records which alphabet a '+/' or '-_' implies.
int decode_char(char c, Alphabet& seen) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  const bool standard = (c == '+' || c == '/');
  const bool url = (c == '-' || c == '_');
  if (!standard && !url) return -1;
  const Alphabet wanted = standard ? Alphabet::kStd : Alphabet::kUrl;
  if (seen != Alphabet::kUnknown && seen != wanted) return -2;
  seen = wanted;
  return (c == '+' || c == '-') ? 62 : 63;
}

}  // namespace

std::string base64_encode(ByteView bytes) {
  return encode(bytes, kStandard, true);
}

std::string base64url_encode(ByteView bytes) {
  return encode(bytes, kUrlSafe, false);
}

Result<Bytes> base64_decode_any(std::string_view text) {
  std::size_t padding = 0;
  while (padding < text.size() && padding < 2 && text[text.size() - 1 - padding] == '=') ++padding;
  const std::string_view body = text.substr(0, text.size() - padding);
  if (padding > 0 && text.size() % 4 != 0) {
    return make_error(ErrorCode::kParse, "base64: padded input length is not a multiple of 4");
  }
  if (body.size() % 4 == 1) {
    return make_error(ErrorCode::kParse,
                      "base64: impossible length " + std::to_string(text.size()));
  }
  Bytes out;
  out.reserve(body.size() * 3 / 4);
  Alphabet seen = Alphabet::kUnknown;
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const int v = decode_char(body[i], seen);
    if (v == -2) {
      return make_error(ErrorCode::kParse, "base64: standard and URL-safe alphabets mixed");
    }
    if (v < 0) {
      return make_error(ErrorCode::kParse,
                        "base64: invalid character at offset " + std::to_string(i));
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return make_error(ErrorCode::kParse, "base64: non-zero trailing bits");
  }
  return out;
}

}  // namespace zastava::encoding
