#include "dsse/pae.hpp"

#include <gtest/gtest.h>

namespace zastava::dsse {
namespace {

std::string pae_text(std::string_view type, std::string_view body) {
  return std::string(as_string(pae(type, as_bytes(body))));
}

// The example in the DSSE v1 spec, protocol.md.
TEST(Pae, MatchesTheDsseSpecExample) {
  EXPECT_EQ(pae_text("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
}

TEST(Pae, EmptyTypeAndBodyKeepEverySeparator) {
  EXPECT_EQ(pae_text("", ""), "DSSEv1 0  0 ");
}

TEST(Pae, LengthsCountBytesNotCharacters) {
  // "é" is two bytes in UTF-8, "→" three.
  EXPECT_EQ(pae_text("t\xC3\xA9", "\xE2\x86\x92"), "DSSEv1 3 t\xC3\xA9 3 \xE2\x86\x92");
}

TEST(Pae, BodyIsCopiedVerbatimIncludingNulAndSpaces) {
  const Bytes body = {0x00, ' ', 0xFF, '\n'};
  const Bytes encoded = pae("a b", body);
  const std::string_view prefix = "DSSEv1 3 a b 4 ";
  ASSERT_EQ(encoded.size(), prefix.size() + body.size());
  EXPECT_EQ(as_string(ByteView(encoded).first(prefix.size())), prefix);
  EXPECT_EQ(Bytes(encoded.end() - 4, encoded.end()), body);
}

TEST(Pae, MultiDigitLengthsHaveNoLeadingZeros) {
  const std::string body(1234, 'x');
  const std::string text = pae_text("application/vnd.in-toto+json", body);
  EXPECT_TRUE(text.starts_with("DSSEv1 28 application/vnd.in-toto+json 1234 xxx"))
      << text.substr(0, 60);
  EXPECT_EQ(text.size(), std::string("DSSEv1 28 application/vnd.in-toto+json 1234 ").size() + 1234);
}

}  // namespace
}  // namespace zastava::dsse
