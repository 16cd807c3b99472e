#include "json/unicode.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace zastava::json {
namespace {

TEST(Utf8, AcceptsWellFormedSequencesOfEveryLength) {
  EXPECT_EQ(find_invalid_utf8(""), std::nullopt);
  EXPECT_EQ(find_invalid_utf8("plain ascii"), std::nullopt);
  EXPECT_EQ(find_invalid_utf8("\xC2\x80"), std::nullopt);          // U+0080
  EXPECT_EQ(find_invalid_utf8("\xDF\xBF"), std::nullopt);          // U+07FF
  EXPECT_EQ(find_invalid_utf8("\xE0\xA0\x80"), std::nullopt);      // U+0800
  EXPECT_EQ(find_invalid_utf8("\xED\x9F\xBF"), std::nullopt);      // U+D7FF
  EXPECT_EQ(find_invalid_utf8("\xEE\x80\x80"), std::nullopt);      // U+E000
  EXPECT_EQ(find_invalid_utf8("\xEF\xBF\xBF"), std::nullopt);      // U+FFFF
  EXPECT_EQ(find_invalid_utf8("\xF0\x90\x80\x80"), std::nullopt);  // U+10000
  EXPECT_EQ(find_invalid_utf8("\xF4\x8F\xBF\xBF"), std::nullopt);  // U+10FFFF
  EXPECT_EQ(utf8_sequence_length("\xF0\x9F\x98\x80", 0), 4u);
}

TEST(Utf8, RejectsOverlongSurrogateOutOfRangeAndTruncatedForms) {
  EXPECT_EQ(find_invalid_utf8("ab\xC0\xAF"), 2u);        // overlong '/'
  EXPECT_EQ(find_invalid_utf8("\xC1\xBF"), 0u);          // overlong U+007F
  EXPECT_EQ(find_invalid_utf8("\xE0\x9F\xBF"), 0u);      // overlong U+07FF
  EXPECT_EQ(find_invalid_utf8("\xF0\x8F\xBF\xBF"), 0u);  // overlong U+FFFF
  EXPECT_EQ(find_invalid_utf8("\xED\xA0\x80"), 0u);      // U+D800 encoded
  EXPECT_EQ(find_invalid_utf8("\xED\xBF\xBF"), 0u);      // U+DFFF encoded
  EXPECT_EQ(find_invalid_utf8("\xF4\x90\x80\x80"), 0u);  // U+110000
  EXPECT_EQ(find_invalid_utf8("\xF5\x80\x80\x80"), 0u);  // lead byte F5
  EXPECT_EQ(find_invalid_utf8("\xFF"), 0u);
  EXPECT_EQ(find_invalid_utf8("x\x80"), 1u);         // lone continuation
  EXPECT_EQ(find_invalid_utf8("xy\xE2\x82"), 2u);    // truncated at the end
  EXPECT_EQ(find_invalid_utf8("\xE2\x82\x41"), 0u);  // bad continuation
}

TEST(Utf16Order, AsciiAndBmpSortLikeBytes) {
  EXPECT_TRUE(less_by_utf16("a", "b"));
  EXPECT_FALSE(less_by_utf16("b", "a"));
  EXPECT_TRUE(less_by_utf16("a", "ab"));  // a prefix first
  EXPECT_FALSE(less_by_utf16("ab", "a"));
  EXPECT_FALSE(less_by_utf16("a", "a"));  // irreflexive
  EXPECT_TRUE(less_by_utf16("\r", "1"));
  EXPECT_TRUE(less_by_utf16("1", "\xC2\x80"));             // U+0080
  EXPECT_TRUE(less_by_utf16("\xC3\xB6", "\xE2\x82\xAC"));  // U+00F6 < U+20AC
}

TEST(Utf16Order, SupplementaryCharactersSortBeforeUpperBmp) {
  const std::string grinning = "\xF0\x9F\x98\x80";  // U+1F600 = D83D DE00
  const std::string dalet = "\xEF\xAC\xB3";         // U+FB33
  const std::string private_use = "\xEE\x80\x80";   // U+E000
  const std::string euro = "\xE2\x82\xAC";          // U+20AC
  // Byte order (and code point order) would put both U+FB33 and U+E000 first.
  EXPECT_TRUE(less_by_utf16(grinning, dalet));
  EXPECT_FALSE(less_by_utf16(dalet, grinning));
  EXPECT_TRUE(less_by_utf16(grinning, private_use));
  EXPECT_TRUE(less_by_utf16(euro, grinning));  // below U+D800 stays below
  // The difference deep inside a name, after a shared prefix.
  EXPECT_TRUE(less_by_utf16("key" + grinning, "key" + dalet));
  // Same lead byte: byte order within the class.
  EXPECT_TRUE(less_by_utf16("\xF0\x9F\x98\x80", "\xF0\x9F\x98\x81"));
  EXPECT_TRUE(less_by_utf16("\xEE\x80\x80", "\xEF\xAC\xB3"));
}

TEST(Utf16Order, SortsTheRfc8785Section323Names) {
  std::vector<std::string> names = {
      "\xE2\x82\xAC", "\r", "\xEF\xAC\xB3", "1", "\xF0\x9F\x98\x80", "\xC2\x80", "\xC3\xB6",
  };
  std::sort(names.begin(), names.end(), less_by_utf16);
  const std::vector<std::string> expected = {
      "\r", "1", "\xC2\x80", "\xC3\xB6", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xEF\xAC\xB3",
  };
  EXPECT_EQ(names, expected);
}

TEST(Noncharacters, FindsEveryKindAndNothingElse) {
  EXPECT_EQ(find_noncharacter("plain \xE2\x82\xAC \xF0\x9F\x98\x80"), std::nullopt);
  EXPECT_EQ(find_noncharacter("\xEF\xB7\x8F"), std::nullopt);  // U+FDCF, just below
  EXPECT_EQ(find_noncharacter("\xEF\xB7\x90"), U'\uFDD0');
  EXPECT_EQ(find_noncharacter("x\xEF\xB7\xAF"), U'\uFDEF');
  EXPECT_EQ(find_noncharacter("\xEF\xB7\xB0"), std::nullopt);  // U+FDF0, just above
  EXPECT_EQ(find_noncharacter("\xEF\xBF\xBE"), U'\uFFFE');
  EXPECT_EQ(find_noncharacter("\xEF\xBF\xBF"), U'\uFFFF');
  EXPECT_EQ(find_noncharacter("\xEF\xBF\xBD"), std::nullopt);  // U+FFFD is a character
  EXPECT_EQ(find_noncharacter("\xF0\x9F\xBF\xBE"), U'\U0001FFFE');
  EXPECT_EQ(find_noncharacter("\xF4\x8F\xBF\xBF"), U'\U0010FFFF');
}

}  // namespace
}  // namespace zastava::json
