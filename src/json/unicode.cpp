#include "json/unicode.hpp"

#include <algorithm>
#include <cstdint>

namespace zastava::json {
namespace {

std::uint8_t byte_at(std::string_view text, std::size_t offset) noexcept {
  return static_cast<std::uint8_t>(text[offset]);
}

bool is_continuation(std::uint8_t byte) noexcept {
  return (byte & 0xC0U) == 0x80U;
}

// The lead bytes whose code points (U+E000..U+FFFF, EE..EF) sort after the
// four-byte ones (F0..F4) in UTF-16, where the latter become surrogates.
bool leads_upper_bmp(std::uint8_t byte) noexcept {
  return byte == 0xEE || byte == 0xEF;
}
bool leads_supplementary(std::uint8_t byte) noexcept {
  return byte >= 0xF0;
}

char32_t decode(std::string_view utf8, std::size_t offset, std::size_t length) noexcept {
  static constexpr std::uint8_t kLeadMask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
  char32_t code_point = byte_at(utf8, offset) & kLeadMask[length];
  for (std::size_t i = 1; i < length; ++i) {
    code_point = (code_point << 6) | (byte_at(utf8, offset + i) & 0x3FU);
  }
  return code_point;
}

bool is_noncharacter(char32_t code_point) noexcept {
  return (code_point >= 0xFDD0 && code_point <= 0xFDEF) || (code_point & 0xFFFEU) == 0xFFFEU;
}

}  // namespace

std::size_t utf8_sequence_length(std::string_view text, std::size_t offset) noexcept {
  const std::uint8_t lead = byte_at(text, offset);
  if (lead < 0x80) return 1;
  // RFC 3629 section 4: the second byte's range depends on the lead byte;
  // that is what excludes overlong forms (C0, C1, E0 80..9F, F0 80..8F),
  // surrogates (ED A0..BF) and code points above U+10FFFF (F4 90.., F5..).
  std::size_t length = 0;
  std::uint8_t second_min = 0x80;
  std::uint8_t second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;
    if (lead == 0xED) second_max = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;
    if (lead == 0xF4) second_max = 0x8F;
  } else {
    return 0;
  }
  if (text.size() - offset < length) return 0;
  const std::uint8_t second = byte_at(text, offset + 1);
  if (second < second_min || second > second_max) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (!is_continuation(byte_at(text, offset + i))) return 0;
  }
  return length;
}

std::optional<std::size_t> find_invalid_utf8(std::string_view text) noexcept {
  std::size_t offset = 0;
  while (offset < text.size()) {
    const std::size_t length = utf8_sequence_length(text, offset);
    if (length == 0) return offset;
    offset += length;
  }
  return std::nullopt;
}

bool less_by_utf16(std::string_view a, std::string_view b) noexcept {
  const std::size_t common = std::min(a.size(), b.size());
  std::size_t first_difference = 0;
  while (first_difference < common && a[first_difference] == b[first_difference]) {
    ++first_difference;
  }
  if (first_difference == common) return a.size() < b.size();  // a prefix sorts first

  // The differing bytes belong to characters that start at the same offset
  // (the prefix before them is identical). If those characters share their
  // lead byte, they are in the same UTF-8 length class, where byte order is
  // UTF-16 order. Only different lead bytes can cross the surrogate gap.
  std::size_t character_start = first_difference;
  while (character_start > 0 && is_continuation(byte_at(a, character_start))) --character_start;
  const std::uint8_t byte_a = byte_at(a, first_difference);
  const std::uint8_t byte_b = byte_at(b, first_difference);
  if (character_start == first_difference) {
    if (leads_upper_bmp(byte_a) && leads_supplementary(byte_b)) return false;
    if (leads_supplementary(byte_a) && leads_upper_bmp(byte_b)) return true;
  }
  return byte_a < byte_b;
}

std::optional<char32_t> find_noncharacter(std::string_view utf8) noexcept {
  std::size_t offset = 0;
  while (offset < utf8.size()) {
    // Every noncharacter encodes with lead byte EF (U+FDD0.., U+FFFE) or F0..F4.
    if (byte_at(utf8, offset) < 0xEF) {
      ++offset;
      continue;
    }
    const std::size_t length = byte_at(utf8, offset) == 0xEF ? 3 : 4;
    const char32_t code_point = decode(utf8, offset, std::min(length, utf8.size() - offset));
    if (is_noncharacter(code_point)) return code_point;
    offset += length;
  }
  return std::nullopt;
}

}  // namespace zastava::json
