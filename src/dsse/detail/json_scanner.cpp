#include "dsse/detail/json_scanner.hpp"

#include <cstdint>
#include <cstring>
#include <set>

namespace zastava::dsse::detail {
namespace {

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

bool is_continuation(unsigned char c) noexcept {
  return (c & 0xC0) == 0x80;
}

// SWAR ("SIMD within a register") tests over the eight bytes of a word, after
// the classic bit hacks: has_byte_below(w, n) is non-zero when some byte of w
// is below n (n <= 0x80).
constexpr std::uint64_t kEveryByte = 0x0101010101010101u;
constexpr std::uint64_t kHighBits = 0x8080808080808080u;

constexpr std::uint64_t has_byte_below(std::uint64_t word, std::uint64_t n) noexcept {
  return (word - kEveryByte * n) & ~word & kHighBits;
}

constexpr std::uint64_t has_byte(std::uint64_t word, std::uint64_t value) noexcept {
  return has_byte_below(word ^ (kEveryByte * value), 1);
}

// True when all eight bytes are printable ASCII other than '"' and '\\'.
constexpr bool is_plain_ascii_word(std::uint64_t word) noexcept {
  return ((word & kHighBits) | has_byte_below(word, 0x20) | has_byte(word, '"') |
          has_byte(word, '\\')) == 0;
}

static_assert(is_plain_ascii_word(0x4142434445464748u));   // "HGFEDCBA"
static_assert(!is_plain_ascii_word(0x4142432245464748u));  // a '"'
static_assert(!is_plain_ascii_word(0x41425C4345464748u));  // a '\\'
static_assert(!is_plain_ascii_word(0x4142431F45464748u));  // a control character
static_assert(!is_plain_ascii_word(0x41C3A94345464748u));  // non-ASCII

void append_utf8(std::string& out, unsigned code_point) {
  const auto byte = [&out](unsigned value) { out.push_back(static_cast<char>(value)); };
  if (code_point < 0x80) {
    byte(code_point);
  } else if (code_point < 0x800) {
    byte(0xC0 | (code_point >> 6));
    byte(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    byte(0xE0 | (code_point >> 12));
    byte(0x80 | ((code_point >> 6) & 0x3F));
    byte(0x80 | (code_point & 0x3F));
  } else {
    byte(0xF0 | (code_point >> 18));
    byte(0x80 | ((code_point >> 12) & 0x3F));
    byte(0x80 | ((code_point >> 6) & 0x3F));
    byte(0x80 | (code_point & 0x3F));
  }
}

}  // namespace

void JsonScanner::fail(std::string_view what) const {
  throw JsonSyntaxError(std::string(what) + " at byte " + std::to_string(pos_));
}

void JsonScanner::skip_whitespace() noexcept {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
    ++pos_;
  }
}

std::string_view JsonScanner::peek_type() {
  skip_whitespace();
  if (pos_ >= text_.size()) fail("unexpected end of input");
  switch (text_[pos_]) {
    case '{':
      return "object";
    case '[':
      return "array";
    case '"':
      return "string";
    case 't':
    case 'f':
      return "boolean";
    case 'n':
      return "null";
    default:
      return "number";  // or invalid, which reading it will report
  }
}

void JsonScanner::expect(char c) {
  if (!consume(c)) {
    fail(pos_ < text_.size() ? std::string("expected '") + c + "'"
                             : std::string("unexpected end of input, expected '") + c + "'");
  }
}

bool JsonScanner::consume(char c) {
  skip_whitespace();
  if (pos_ < text_.size() && text_[pos_] == c) {
    ++pos_;
    return true;
  }
  return false;
}

void JsonScanner::expect_end() {
  skip_whitespace();
  if (pos_ != text_.size()) fail("unexpected content after the JSON value");
}

// Length of the well-formed UTF-8 sequence of 2 to 4 bytes at `at` (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t JsonScanner::validate_utf8_sequence(std::size_t at) const {
  const auto byte = [this](std::size_t i) -> unsigned char {
    return i < text_.size() ? static_cast<unsigned char>(text_[i]) : 0;
  };
  const unsigned char lead = byte(at);
  const unsigned char second = byte(at + 1);
  std::size_t length = 0;
  bool second_ok = false;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    second_ok = is_continuation(second);
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    const unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;
    const unsigned char high = lead == 0xED ? 0x9F : 0xBF;
    second_ok = second >= low && second <= high;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    const unsigned char low = lead == 0xF0 ? 0x90 : 0x80;
    const unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;
    second_ok = second >= low && second <= high;
  }
  if (length == 0 || !second_ok) fail("invalid UTF-8 in string");
  for (std::size_t i = 2; i < length; ++i) {
    if (!is_continuation(byte(at + i))) fail("invalid UTF-8 in string");
  }
  return length;
}

// Advances over printable ASCII other than '"' and '\\': the bulk of every
// DSSE string (base64, keyids, media types). A local cursor, not pos_, so the
// loop keeps it in a register.
void JsonScanner::skip_plain_ascii() noexcept {
  const char* cursor = text_.data() + pos_;
  const char* const end = text_.data() + text_.size();
  // Eight bytes at a time while a whole word is plain; the byte loop below
  // finds the exact stop.
  while (end - cursor >= 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, cursor, sizeof word);
    if (!is_plain_ascii_word(word)) break;
    cursor += 8;
  }
  while (cursor != end) {
    const auto c = static_cast<unsigned char>(*cursor);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
    ++cursor;
  }
  pos_ = static_cast<std::size_t>(cursor - text_.data());
}

std::string_view JsonScanner::read_string(std::string& scratch) {
  expect('"');
  const std::size_t start = pos_;
  // Fast path: no escapes, so the value is the input itself.
  for (skip_plain_ascii(); pos_ < text_.size(); skip_plain_ascii()) {
    const auto c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') {
      ++pos_;
      return text_.substr(start, pos_ - 1 - start);
    }
    if (c == '\\') break;
    if (c < 0x20) fail("unescaped control character in string");
    pos_ += validate_utf8_sequence(pos_);
  }
  scratch.assign(text_.substr(start, pos_ - start));
  while (pos_ < text_.size()) {
    const auto c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') {
      ++pos_;
      return scratch;
    }
    if (c == '\\') {
      ++pos_;
      append_escape(scratch);
      continue;
    }
    if (c < 0x20) fail("unescaped control character in string");
    const std::size_t length = c < 0x80 ? 1 : validate_utf8_sequence(pos_);
    scratch.append(text_.substr(pos_, length));
    pos_ += length;
  }
  fail("unterminated string");
}

unsigned JsonScanner::read_hex4() {
  unsigned value = 0;
  for (int i = 0; i < 4; ++i, ++pos_) {
    const char c = pos_ < text_.size() ? text_[pos_] : '\0';
    unsigned digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<unsigned>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<unsigned>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      digit = static_cast<unsigned>(c - 'A' + 10);
    } else {
      fail("invalid \\u escape");
    }
    value = value * 16 + digit;
  }
  return value;
}

// After a backslash: appends the escaped character as UTF-8.
void JsonScanner::append_escape(std::string& out) {
  if (pos_ >= text_.size()) fail("unterminated string");
  const char c = text_[pos_++];
  switch (c) {
    case '"':
    case '\\':
    case '/':
      out.push_back(c);
      return;
    case 'b':
      out.push_back('\b');
      return;
    case 'f':
      out.push_back('\f');
      return;
    case 'n':
      out.push_back('\n');
      return;
    case 'r':
      out.push_back('\r');
      return;
    case 't':
      out.push_back('\t');
      return;
    case 'u':
      break;
    default:
      --pos_;
      fail("invalid escape in string");
  }
  unsigned code_point = read_hex4();
  if (code_point >= 0xDC00 && code_point <= 0xDFFF) fail("lone low surrogate in \\u escape");
  if (code_point >= 0xD800 && code_point <= 0xDBFF) {
    if (text_.substr(pos_, 2) != "\\u") fail("high surrogate not followed by a low surrogate");
    pos_ += 2;
    const unsigned low = read_hex4();
    if (low < 0xDC00 || low > 0xDFFF) fail("high surrogate not followed by a low surrogate");
    code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
  }
  append_utf8(out, code_point);
}

void JsonScanner::skip_literal(std::string_view literal) {
  if (text_.substr(pos_, literal.size()) != literal) fail("invalid literal");
  pos_ += literal.size();
}

void JsonScanner::skip_number() {
  const auto digits = [this] {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    if (pos_ == start) fail("invalid number");
  };
  const auto next_is = [this](char c) { return pos_ < text_.size() && text_[pos_] == c; };
  if (next_is('-')) ++pos_;
  if (next_is('0')) {
    ++pos_;
  } else {
    digits();
  }
  if (next_is('.')) {
    ++pos_;
    digits();
  }
  if (next_is('e') || next_is('E')) {
    ++pos_;
    if (next_is('+') || next_is('-')) ++pos_;
    digits();
  }
}

void JsonScanner::skip_object(int depth) {
  expect('{');
  if (consume('}')) return;
  std::set<std::string, std::less<>> names;
  std::string scratch;
  do {
    const std::string_view name = read_string(scratch);
    if (!names.emplace(name).second) fail("duplicate member name \"" + std::string(name) + "\"");
    expect(':');
    skip_value(depth);
  } while (consume(','));
  expect('}');
}

void JsonScanner::skip_array(int depth) {
  expect('[');
  if (consume(']')) return;
  do {
    skip_value(depth);
  } while (consume(','));
  expect(']');
}

void JsonScanner::skip_value(int depth) {
  if (depth >= kMaxDepth) fail("nesting deeper than " + std::to_string(kMaxDepth));
  skip_whitespace();
  if (pos_ >= text_.size()) fail("unexpected end of input");
  const char c = text_[pos_];
  if (c == '{') {
    skip_object(depth + 1);
  } else if (c == '[') {
    skip_array(depth + 1);
  } else if (c == '"') {
    std::string scratch;
    read_string(scratch);
  } else if (c == 't') {
    skip_literal("true");
  } else if (c == 'f') {
    skip_literal("false");
  } else if (c == 'n') {
    skip_literal("null");
  } else if (c == '-' || is_digit(c)) {
    skip_number();
  } else {
    fail("unexpected character");
  }
}

}  // namespace zastava::dsse::detail
