#pragma once
// BLAKE3 (https://github.com/BLAKE3-team/BLAKE3-specs), written here.
// PLACEHOLDER API: the BLAKE3 helper replaces this file with the real one
// (keeping these declarations).

#include <array>
#include <cstdint>

#include "base/bytes.hpp"

namespace zastava::digest {

using Blake3Digest = std::array<std::uint8_t, 32>;

Blake3Digest blake3(ByteView data);

}  // namespace zastava::digest
