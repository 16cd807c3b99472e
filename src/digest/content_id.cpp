#include "digest/content_id.hpp"

#include <stdexcept>

#include "base/hex.hpp"
#include "digest/blake3.hpp"
#include "digest/sha2.hpp"

namespace zastava::digest {

std::string_view algorithm_name(Algorithm algorithm) noexcept {
  switch (algorithm) {
    case Algorithm::kSha256:
      return "sha256";
    case Algorithm::kSha512:
      return "sha512";
    case Algorithm::kBlake3:
      return "blake3";
  }
  return "unknown";
}

std::size_t digest_size(Algorithm algorithm) noexcept {
  return algorithm == Algorithm::kSha512 ? 64 : 32;
}

ContentId::ContentId(Algorithm algorithm, Bytes digest)
    : algorithm_(algorithm), digest_(std::move(digest)) {
  if (digest_.size() != digest_size(algorithm_)) {
    throw std::invalid_argument("ContentId: digest length does not match the algorithm");
  }
}

Result<ContentId> ContentId::parse(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return make_error(ErrorCode::kParse, "content id '" + std::string(text) +
                                             "' has no ':' (expected <algorithm>:<hex>)");
  }
  const std::string_view name = text.substr(0, colon);
  const std::string_view hex = text.substr(colon + 1);
  Algorithm algorithm;
  if (name == "sha256") {
    algorithm = Algorithm::kSha256;
  } else if (name == "sha512") {
    algorithm = Algorithm::kSha512;
  } else if (name == "blake3") {
    algorithm = Algorithm::kBlake3;
  } else {
    return make_error(ErrorCode::kUnsupported, "content id algorithm '" + std::string(name) +
                                                   "' is not one of sha256, sha512, blake3");
  }
  const std::size_t want = 2 * digest_size(algorithm);
  if (hex.size() != want) {
    return make_error(ErrorCode::kParse, "content id " + std::string(name) + " needs " +
                                             std::to_string(want) + " hex digits, got " +
                                             std::to_string(hex.size()));
  }
  if (!encoding::is_lower_hex(hex)) {
    return make_error(ErrorCode::kParse, "content id digest must be lower-case hex");
  }
  return ContentId(algorithm, encoding::hex_decode(hex).value());
}

ContentId ContentId::of(Algorithm algorithm, ByteView data) {
  switch (algorithm) {
    case Algorithm::kSha256: {
      const auto d = sha256(data);
      return ContentId(algorithm, Bytes(d.begin(), d.end()));
    }
    case Algorithm::kSha512: {
      const auto d = sha512(data);
      return ContentId(algorithm, Bytes(d.begin(), d.end()));
    }
    case Algorithm::kBlake3: {
      const auto d = blake3(data);
      return ContentId(algorithm, Bytes(d.begin(), d.end()));
    }
  }
  throw std::invalid_argument("ContentId::of: unknown algorithm");
}

std::string ContentId::to_string() const {
  return std::string(algorithm_name(algorithm_)) + ":" + encoding::hex_encode(digest_);
}

}  // namespace zastava::digest
