#pragma once
// Content identities: "<algorithm>:<lower-case hex>", e.g. "sha256:e3b0c4...".
// Every artifact, seal, decision and proof is named this way.

#include <compare>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace zastava::digest {

enum class Algorithm { kSha256, kSha512, kBlake3 };

std::string_view algorithm_name(Algorithm algorithm) noexcept;  // "sha256", ...
std::size_t digest_size(Algorithm algorithm) noexcept;          // in bytes

class ContentId {
 public:
  // Strict: a known algorithm name in lower case, one ':', exactly the
  // algorithm's digest length in lower-case hex, nothing else.
  static Result<ContentId> parse(std::string_view text);

  // Hashes `data` with `algorithm`.
  static ContentId of(Algorithm algorithm, ByteView data);
  static ContentId sha256_of(ByteView data) { return of(Algorithm::kSha256, data); }

  // Precondition: digest.size() == digest_size(algorithm); throws otherwise.
  ContentId(Algorithm algorithm, Bytes digest);

  [[nodiscard]] Algorithm algorithm() const noexcept { return algorithm_; }
  [[nodiscard]] const Bytes& digest() const noexcept { return digest_; }
  [[nodiscard]] std::string to_string() const;

  friend bool operator==(const ContentId&, const ContentId&) = default;
  friend auto operator<=>(const ContentId&, const ContentId&) = default;

 private:
  Algorithm algorithm_;
  Bytes digest_;
};

}  // namespace zastava::digest
