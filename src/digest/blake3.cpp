// PLACEHOLDER: replaced by the BLAKE3 implementation.
#include "digest/blake3.hpp"

#include <stdexcept>

namespace zastava::digest {
Blake3Digest blake3(ByteView) {
  throw std::logic_error("blake3: not implemented yet");
}
}  // namespace zastava::digest
