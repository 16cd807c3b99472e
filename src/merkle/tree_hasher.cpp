#include "merkle/tree_hasher.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace zastava::merkle::detail {
namespace {

// RFC 6962 domain separation prefixes.
constexpr std::uint8_t kLeafPrefix = 0x00;
constexpr std::uint8_t kNodePrefix = 0x01;

struct MdFree {
  void operator()(EVP_MD* md) const noexcept { EVP_MD_free(md); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};

}  // namespace

struct TreeHasher::OpenSsl {
  // Fetched once: passing EVP_sha256() would repeat the provider lookup on
  // every EVP_DigestInit_ex2.
  std::unique_ptr<EVP_MD, MdFree> sha256{EVP_MD_fetch(nullptr, "SHA2-256", nullptr)};
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx{EVP_MD_CTX_new()};

  void begin(std::uint8_t prefix) {
    if (EVP_DigestInit_ex2(ctx.get(), sha256.get(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), &prefix, 1) != 1) {
      throw std::runtime_error("OpenSSL: SHA-256 initialisation failed");
    }
  }
  void update(ByteView data) {
    if (!data.empty() && EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1) {
      throw std::runtime_error("OpenSSL: SHA-256 update failed");
    }
  }
  Hash finish() {
    Hash out{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx.get(), out.data(), &length) != 1 || length != out.size()) {
      throw std::runtime_error("OpenSSL: SHA-256 finalisation failed");
    }
    return out;
  }
};

TreeHasher::TreeHasher() : openssl_(std::make_unique<OpenSsl>()) {
  if (!openssl_->sha256 || !openssl_->ctx) {
    throw std::runtime_error("OpenSSL: cannot fetch SHA2-256 or allocate a digest context");
  }
}

TreeHasher::~TreeHasher() = default;

Hash TreeHasher::leaf(ByteView leaf) {
  openssl_->begin(kLeafPrefix);
  openssl_->update(leaf);
  return openssl_->finish();
}

Hash TreeHasher::node(const Hash& left, const Hash& right) {
  openssl_->begin(kNodePrefix);
  openssl_->update(left);
  openssl_->update(right);
  return openssl_->finish();
}

}  // namespace zastava::merkle::detail
