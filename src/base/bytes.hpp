#pragma once
// Byte buffers and views used across the library. Text and bytes meet here:
// as_bytes/as_string reinterpret without copying.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace zastava {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view text) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

inline std::string_view as_string(ByteView bytes) noexcept {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

inline Bytes to_bytes(std::string_view text) {
  const ByteView view = as_bytes(text);
  return {view.begin(), view.end()};
}

}  // namespace zastava
