#include "digest/sha2.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace zastava::digest {
namespace {

const EVP_MD* algorithm_for(std::size_t size) {
  return size == 32 ? EVP_sha256() : EVP_sha512();
}

}  // namespace

template <std::size_t N>
struct Sha2Hasher<N>::Context {
  struct Free {
    void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> ctx{EVP_MD_CTX_new()};
};

template <std::size_t N>
Sha2Hasher<N>::Sha2Hasher() : context_(std::make_unique<Context>()) {
  if (!context_->ctx || EVP_DigestInit_ex(context_->ctx.get(), algorithm_for(N), nullptr) != 1) {
    throw std::runtime_error("OpenSSL: EVP_DigestInit_ex failed");
  }
}

template <std::size_t N>
Sha2Hasher<N>::~Sha2Hasher() = default;
template <std::size_t N>
Sha2Hasher<N>::Sha2Hasher(Sha2Hasher&&) noexcept = default;
template <std::size_t N>
Sha2Hasher<N>& Sha2Hasher<N>::operator=(Sha2Hasher&&) noexcept = default;

template <std::size_t N>
void Sha2Hasher<N>::update(ByteView data) {
  if (data.empty()) return;
  if (EVP_DigestUpdate(context_->ctx.get(), data.data(), data.size()) != 1) {
    throw std::runtime_error("OpenSSL: EVP_DigestUpdate failed");
  }
}

template <std::size_t N>
std::array<std::uint8_t, N> Sha2Hasher<N>::finish() {
  std::array<std::uint8_t, N> out{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context_->ctx.get(), out.data(), &length) != 1 || length != N) {
    throw std::runtime_error("OpenSSL: EVP_DigestFinal_ex failed");
  }
  return out;
}

template class Sha2Hasher<32>;
template class Sha2Hasher<64>;

Sha256Digest sha256(ByteView data) {
  Sha256Digest out{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL: EVP_Digest(sha256) failed");
  }
  return out;
}

Sha512Digest sha512(ByteView data) {
  Sha512Digest out{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &length, EVP_sha512(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL: EVP_Digest(sha512) failed");
  }
  return out;
}

}  // namespace zastava::digest
