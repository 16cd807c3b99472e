#include "admission/json_writer.hpp"

#include <array>

#include "json/unicode.hpp"

namespace zastava::admission {
namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// True for the bytes that can't be copied as they are.
constexpr std::array<bool, 256> make_special_table() {
  std::array<bool, 256> table{};
  for (std::size_t c = 0; c < 0x20; ++c) table[c] = true;
  for (std::size_t c = 0x80; c < 0x100; ++c) table[c] = true;
  table['"'] = true;
  table['\\'] = true;
  return table;
}
constexpr std::array<bool, 256> kSpecial = make_special_table();

bool special(char c) {
  return kSpecial[static_cast<unsigned char>(c)];
}

void append_escaped_control(std::string& out, unsigned char c) {
  switch (c) {
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default:
      break;
  }
  constexpr std::string_view kHex = "0123456789abcdef";
  out += "\\u00";
  out += kHex[c >> 4];
  out += kHex[c & 0xf];
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t run_start = i;
    while (i < text.size() && !special(text[i])) ++i;
    out.append(text.data() + run_start, i - run_start);
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x20) {
      append_escaped_control(out, c);
      ++i;
    } else if (const std::size_t length = json::utf8_sequence_length(text, i); length != 0) {
      out.append(text.data() + i, length);
      i += length;
    } else {
      out += kReplacementCharacter;
      ++i;
    }
  }
  out += '"';
}

}  // namespace zastava::admission
