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

// Decoding table: the 6-bit value of each byte, or one of the markers below.
// Both alphabets share 0-61; '+' '/' and '-' '_' decode to 62 and 63 and set
// a flag so that mixing the two alphabets in one string is caught.
constexpr std::uint8_t kInvalid = 0xff;
constexpr std::uint8_t kStandardFlag = 0x40;
constexpr std::uint8_t kUrlFlag = 0x80;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  for (std::uint8_t i = 0; i < 62; ++i) table[static_cast<unsigned char>(kStandard[i])] = i;
  table['+'] = 62 | kStandardFlag;
  table['/'] = 63 | kStandardFlag;
  table['-'] = 62 | kUrlFlag;
  table['_'] = 63 | kUrlFlag;
  return table;
}

constexpr std::array<std::uint8_t, 256> kDecodeTable = make_decode_table();

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
  const auto value_at = [&](std::size_t i) {
    return kDecodeTable[static_cast<unsigned char>(body[i])];
  };
  const auto invalid_at = [&](std::size_t i) {
    return make_error(ErrorCode::kParse,
                      "base64: invalid character at offset " + std::to_string(i));
  };

  Bytes out(body.size() / 4 * 3 + (body.size() % 4 == 0 ? 0 : body.size() % 4 - 1));
  std::uint8_t flags = 0;  // which alphabet-specific characters were seen
  std::size_t i = 0, o = 0;
  for (; i + 4 <= body.size(); i += 4, o += 3) {
    const std::uint8_t a = value_at(i), b = value_at(i + 1), c = value_at(i + 2),
                       d = value_at(i + 3);
    // Valid entries never have both flag bits set, so this is rare: an invalid
    // character (or both alphabets within four characters, caught below).
    if (((a | b | c | d) & (kStandardFlag | kUrlFlag)) == (kStandardFlag | kUrlFlag)) {
      for (std::size_t j = i; j < i + 4; ++j) {
        if (value_at(j) == kInvalid) return invalid_at(j);
      }
    }
    flags |= static_cast<std::uint8_t>(a | b | c | d);
    const std::uint32_t v = (std::uint32_t{a & 63u} << 18) | (std::uint32_t{b & 63u} << 12) |
                            (std::uint32_t{c & 63u} << 6) | std::uint32_t{d & 63u};
    out[o] = static_cast<std::uint8_t>(v >> 16);
    out[o + 1] = static_cast<std::uint8_t>(v >> 8);
    out[o + 2] = static_cast<std::uint8_t>(v);
  }
  // The last 2 or 3 characters carry 1 or 2 bytes; their unused low bits must be 0.
  std::uint32_t tail = 0;
  const std::size_t rest = body.size() - i;
  for (std::size_t j = 0; j < rest; ++j) {
    const std::uint8_t v = value_at(i + j);
    if (v == kInvalid) return invalid_at(i + j);
    flags |= v;
    tail = (tail << 6) | (v & 63u);
  }
  if (rest == 2) {
    if ((tail & 0x0f) != 0) return make_error(ErrorCode::kParse, "base64: non-zero trailing bits");
    out[o] = static_cast<std::uint8_t>(tail >> 4);
  } else if (rest == 3) {
    if ((tail & 0x03) != 0) return make_error(ErrorCode::kParse, "base64: non-zero trailing bits");
    out[o] = static_cast<std::uint8_t>(tail >> 10);
    out[o + 1] = static_cast<std::uint8_t>(tail >> 2);
  }
  if ((flags & kStandardFlag) != 0 && (flags & kUrlFlag) != 0) {
    return make_error(ErrorCode::kParse, "base64: standard and URL-safe alphabets mixed");
  }
  return out;
}

}  // namespace zastava::encoding
