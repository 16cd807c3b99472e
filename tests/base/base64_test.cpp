#include "base/base64.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <random>

namespace zastava::encoding {
namespace {

// RFC 4648 section 10 test vectors.
TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(as_bytes(plain)), encoded);
    auto decoded = base64_decode_any(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(as_string(*decoded), plain);
  }
}

TEST(Base64, UrlSafeWithoutPaddingDecodes) {
  const Bytes bytes{0xfb, 0xff, 0xbf};
  EXPECT_EQ(base64_encode(bytes), "+/+/");
  EXPECT_EQ(base64url_encode(bytes), "-_-_");
  EXPECT_EQ(*base64_decode_any("-_-_"), bytes);
  EXPECT_EQ(*base64_decode_any("Zm8"), to_bytes("fo"));  // unpadded
}

TEST(Base64, RandomRoundTripsInBothAlphabets) {
  std::mt19937 rng(42);
  for (std::size_t n = 0; n < 200; ++n) {
    Bytes bytes(n);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    EXPECT_EQ(*base64_decode_any(base64_encode(bytes)), bytes);
    EXPECT_EQ(*base64_decode_any(base64url_encode(bytes)), bytes);
  }
}

TEST(Base64, RejectsMalformedInput) {
  EXPECT_FALSE(base64_decode_any("Zm9v!").ok());   // bad character
  EXPECT_FALSE(base64_decode_any("Z").ok());       // impossible length
  EXPECT_FALSE(base64_decode_any("Zm9=v").ok());   // padding in the middle
  EXPECT_FALSE(base64_decode_any("Zg=").ok());     // padded but not a multiple of 4
  EXPECT_FALSE(base64_decode_any("Zh==").ok());    // non-zero trailing bits
  EXPECT_FALSE(base64_decode_any("+_+_").ok());    // alphabets mixed
  EXPECT_FALSE(base64_decode_any("Zm9v\n").ok());  // whitespace
  EXPECT_EQ(base64_decode_any("Zm9v!").error().code, ErrorCode::kParse);
}

TEST(Base64, ErrorsNameTheOffendingOffset) {
  EXPECT_NE(base64_decode_any("Zm9vYm!y").error().message.find("offset 6"), std::string::npos);
  EXPECT_NE(base64_decode_any("Zm9vY.Fy").error().message.find("offset 5"), std::string::npos);
  EXPECT_NE(base64_decode_any("Zm9vYm!").error().message.find("offset 6"), std::string::npos);
  // Mixed alphabets within one group of four, and across groups.
  EXPECT_NE(base64_decode_any("+_AA").error().message.find("mixed"), std::string::npos);
  EXPECT_NE(base64_decode_any("++AA__AA").error().message.find("mixed"), std::string::npos);
  // Every single invalid byte value is rejected wherever it stands.
  for (int c = 0; c < 256; ++c) {
    const bool valid = std::isalnum(c) || c == '+' || c == '/' || c == '-' || c == '_' || c == '=';
    if (valid) continue;
    for (std::size_t at = 0; at < 8; ++at) {
      std::string text = "Zm9vYmFy";
      text[at] = static_cast<char>(c);
      EXPECT_FALSE(base64_decode_any(text).ok()) << "byte " << c << " at " << at;
    }
  }
}

}  // namespace
}  // namespace zastava::encoding
