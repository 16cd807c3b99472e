#include "base/hex.hpp"

#include <gtest/gtest.h>

namespace zastava::encoding {
namespace {

TEST(Hex, EncodesLowerCase) {
  const Bytes bytes{0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(hex_encode(bytes), "0001abff");
  EXPECT_EQ(hex_encode(Bytes{}), "");
}

TEST(Hex, DecodesBothCasesAndRoundTrips) {
  auto decoded = hex_decode("0001ABff");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, (Bytes{0x00, 0x01, 0xab, 0xff}));
  Bytes all(256);
  for (int i = 0; i < 256; ++i) all[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
  EXPECT_EQ(*hex_decode(hex_encode(all)), all);
}

TEST(Hex, RejectsOddLengthAndBadCharacters) {
  EXPECT_EQ(hex_decode("abc").error().code, ErrorCode::kParse);
  auto bad = hex_decode("0g");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("offset 1"), std::string::npos);
}

TEST(Hex, IsLowerHex) {
  EXPECT_TRUE(is_lower_hex("00ff"));
  EXPECT_FALSE(is_lower_hex("00FF"));
  EXPECT_FALSE(is_lower_hex(""));
  EXPECT_FALSE(is_lower_hex("0"));
  EXPECT_FALSE(is_lower_hex("0x"));
}

}  // namespace
}  // namespace zastava::encoding
