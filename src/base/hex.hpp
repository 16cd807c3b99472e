#pragma once
// Lower-case hexadecimal, the form every content identity uses.

#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace zastava::encoding {

std::string hex_encode(ByteView bytes);

// Accepts upper and lower case; rejects odd lengths and non-hex characters.
Result<Bytes> hex_decode(std::string_view text);

// True when `text` is non-empty lower-case hex (no upper case, even length).
bool is_lower_hex(std::string_view text) noexcept;

}  // namespace zastava::encoding
