#pragma once
// The Unicode rules canonical JSON depends on: which byte strings are UTF-8
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), the
// order of strings by their UTF-16 code units (RFC 8785 section 3.2.3), and
// I-JSON's ban on noncharacters (RFC 7493 section 2.1).

#include <cstddef>
#include <optional>
#include <string_view>

namespace zastava::json {

// Length (1-4) of the well-formed UTF-8 sequence starting at text[offset],
// or 0 if the bytes there are not one. Precondition: offset < text.size().
std::size_t utf8_sequence_length(std::string_view text, std::size_t offset) noexcept;

// Offset of the first byte that does not belong to a well-formed UTF-8
// sequence, or nullopt if all of `text` is UTF-8.
std::optional<std::size_t> find_invalid_utf8(std::string_view text) noexcept;

// True if `a` sorts before `b` when both are compared as UTF-16 code units,
// the order JavaScript's Array.prototype.sort gives property names. For UTF-8
// this is byte order except that U+E000..U+FFFF sorts after U+10000 and up.
// Total and memory-safe on any bytes; meaningful on UTF-8.
bool less_by_utf16(std::string_view a, std::string_view b) noexcept;

// The first Unicode noncharacter (U+FDD0..U+FDEF and U+xxFFFE/U+xxFFFF) in
// `utf8`, or nullopt. Precondition: `utf8` is well-formed UTF-8.
std::optional<char32_t> find_noncharacter(std::string_view utf8) noexcept;

}  // namespace zastava::json
