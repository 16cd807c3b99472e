#include "dsse/pae.hpp"

#include <string>

namespace zastava::dsse {

Bytes pae(std::string_view payload_type, ByteView payload) {
  const std::string type_header = "DSSEv1 " + std::to_string(payload_type.size()) + " ";
  const std::string body_header = " " + std::to_string(payload.size()) + " ";
  Bytes out;
  out.reserve(type_header.size() + payload_type.size() + body_header.size() + payload.size());
  const auto append = [&out](ByteView part) { out.insert(out.end(), part.begin(), part.end()); };
  append(as_bytes(type_header));
  append(as_bytes(payload_type));
  append(as_bytes(body_header));
  append(payload);
  return out;
}

}  // namespace zastava::dsse
