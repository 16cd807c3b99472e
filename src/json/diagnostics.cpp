#include "json/diagnostics.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>

#include "json/unicode.hpp"

namespace zastava::json {
namespace {

void append_hex_escape(std::uint8_t byte, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += "\\x";
  out += kHex[byte >> 4U];
  out += kHex[byte & 0x0FU];
}

// Depth-first search for `target`, appending the tokens of the path to it.
bool find_path(const nlohmann::json& node, const nlohmann::json* target, std::string& path) {
  if (&node == target) return true;
  const std::size_t length_before = path.size();
  if (node.is_object()) {
    for (const auto& [key, child] : node.items()) {
      path += '/';
      path += escape_reference_token(key);
      if (find_path(child, target, path)) return true;
      path.resize(length_before);
    }
  } else if (node.is_array()) {
    for (std::size_t index = 0; index < node.size(); ++index) {
      path += '/';
      path += std::to_string(index);
      if (find_path(node[index], target, path)) return true;
      path.resize(length_before);
    }
  }
  return false;
}

}  // namespace

std::string escape_reference_token(std::string_view token) {
  std::string escaped;
  for (const char c : token) {
    if (c == '~') {
      escaped += "~0";
    } else if (c == '/') {
      escaped += "~1";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

std::string printable(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  std::size_t offset = 0;
  while (offset < bytes.size()) {
    const auto byte = static_cast<std::uint8_t>(bytes[offset]);
    const std::size_t length = utf8_sequence_length(bytes, offset);
    if (length == 0 || byte < 0x20 || byte == 0x7F) {
      append_hex_escape(byte, out);
      ++offset;
    } else {
      out.append(bytes.substr(offset, length));
      offset += length;
    }
  }
  return out;
}

std::string pointer_to(const nlohmann::json& root, const nlohmann::json* target) {
  std::string path;
  if (!find_path(root, target, path)) return "(unknown location)";
  return printable(path);
}

std::string pointer_to_child(const nlohmann::json& root, const nlohmann::json* parent,
                             std::string_view token) {
  return pointer_to(root, parent) + "/" + printable(escape_reference_token(token));
}

std::string describe_location(const std::string& pointer) {
  return pointer.empty() ? std::string("the document root") : "'" + pointer + "'";
}

}  // namespace zastava::json
