#pragma once
// DSSE v1 pre-authentication encoding (PAE): the exact bytes a DSSE signature
// covers. Binding the payload type into the signed bytes is what stops a
// signature over one kind of document being replayed as another.
// https://github.com/secure-systems-lab/dsse/blob/master/protocol.md

#include <string_view>

#include "base/bytes.hpp"

namespace zastava::dsse {

// "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, where LEN is the byte
// count in ASCII decimal without leading zeros.
Bytes pae(std::string_view payload_type, ByteView payload);

}  // namespace zastava::dsse
