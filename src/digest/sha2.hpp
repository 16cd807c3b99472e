#pragma once
// SHA-256 and SHA-512 through OpenSSL's EVP interface, one-shot and streaming.
// OpenSSL types stay out of this header.

#include <array>
#include <cstdint>
#include <memory>

#include "base/bytes.hpp"

namespace zastava::digest {

using Sha256Digest = std::array<std::uint8_t, 32>;
using Sha512Digest = std::array<std::uint8_t, 64>;

Sha256Digest sha256(ByteView data);
Sha512Digest sha512(ByteView data);

// Streaming hasher. Movable, not copyable; finish() may be called once.
// Throws std::runtime_error only if OpenSSL itself fails (out of memory).
template <std::size_t N>
class Sha2Hasher {
 public:
  Sha2Hasher();
  ~Sha2Hasher();
  Sha2Hasher(Sha2Hasher&&) noexcept;
  Sha2Hasher& operator=(Sha2Hasher&&) noexcept;
  Sha2Hasher(const Sha2Hasher&) = delete;
  Sha2Hasher& operator=(const Sha2Hasher&) = delete;

  void update(ByteView data);
  std::array<std::uint8_t, N> finish();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

using Sha256Hasher = Sha2Hasher<32>;
using Sha512Hasher = Sha2Hasher<64>;

extern template class Sha2Hasher<32>;
extern template class Sha2Hasher<64>;

}  // namespace zastava::digest
