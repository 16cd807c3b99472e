#include "facet/glob.hpp"

#include <gtest/gtest.h>

namespace zastava::facet {
namespace {

bool match(std::string_view pattern, std::string_view path) {
  auto glob = Glob::compile(pattern);
  EXPECT_TRUE(glob.ok()) << pattern << ": " << (glob.ok() ? "" : glob.error().message);
  return glob.ok() && glob->matches(path);
}

TEST(Glob, AnchoredStarStaysInOneSegment) {
  EXPECT_TRUE(match("/usr/bin/*", "/usr/bin/ls"));
  EXPECT_FALSE(match("/usr/bin/*", "/usr/bin/x/ls"));
  EXPECT_FALSE(match("/usr/bin/*", "/opt/usr/bin/ls"));  // anchored at the root
  EXPECT_FALSE(match("/usr/bin/*", "/usr/bin"));
}

TEST(Glob, DoubleStarMatchesZeroOrMoreSegments) {
  EXPECT_TRUE(match("/var/lib/dpkg/**", "/var/lib/dpkg/status"));
  EXPECT_TRUE(match("/var/lib/dpkg/**", "/var/lib/dpkg/info/bash.list"));
  EXPECT_FALSE(match("/var/lib/dpkg/**", "/var/lib/dpkgx/status"));
  EXPECT_TRUE(match("/usr/lib/**/*.so*", "/usr/lib/libc.so.6"));
  EXPECT_TRUE(match("/usr/lib/**/*.so*", "/usr/lib/x86_64-linux-gnu/libssl.so.3"));
  EXPECT_FALSE(match("/usr/lib/**/*.so*", "/usr/lib/python3/os.py"));
  EXPECT_TRUE(match("/a/**/b", "/a/b"));
  EXPECT_TRUE(match("/a/**/b", "/a/x/y/b"));
  EXPECT_FALSE(match("/a/**/b", "/a/x/y/c"));
}

TEST(Glob, RelativePatternsMatchAtAnyDepth) {
  EXPECT_TRUE(match("**/node_modules/**", "/app/node_modules/left-pad/index.js"));
  EXPECT_TRUE(match("**/node_modules/**", "/node_modules/x"));
  EXPECT_FALSE(match("**/node_modules/**", "/app/node_module/x"));
  EXPECT_TRUE(match("**/package.json", "/package.json"));
  EXPECT_TRUE(match("**/package.json", "/srv/app/package.json"));
  EXPECT_TRUE(match("*.log", "/var/log/app/x.log"));  // same as **/*.log
  EXPECT_FALSE(match("*.log", "/var/log/app/x.log.1"));
}

TEST(Glob, QuestionMarkAndClasses) {
  EXPECT_TRUE(match("/bin/l?", "/bin/ls"));
  EXPECT_FALSE(match("/bin/l?", "/bin/l"));
  EXPECT_FALSE(match("/a?b", "/a/b"));  // never matches '/'
  EXPECT_TRUE(match("/lib/lib[cm].so", "/lib/libm.so"));
  EXPECT_FALSE(match("/lib/lib[cm].so", "/lib/libz.so"));
  EXPECT_TRUE(match("/v[0-9]", "/v7"));
  EXPECT_FALSE(match("/v[!0-9]", "/v7"));
  EXPECT_TRUE(match("/v[^0-9]", "/vx"));
  EXPECT_TRUE(match("/x[]]", "/x]"));           // ']' first is a member
  EXPECT_TRUE(match("/caf?", "/caf\xc3\xa9"));  // '?' is one UTF-8 character
}

TEST(Glob, EscapesAndDotfiles) {
  EXPECT_TRUE(match("/a\\*b", "/a*b"));
  EXPECT_FALSE(match("/a\\*b", "/axb"));
  EXPECT_TRUE(match("/etc/*", "/etc/.pwd.lock"));
}

TEST(Glob, StarBacktracksWithinSegment) {
  EXPECT_TRUE(match("/*a*b*c", "/xaxbxbxc"));
  EXPECT_FALSE(match("/*a*b*c", "/xaxbxbx"));
  EXPECT_TRUE(match("/**/a/**/b/*.txt", "/x/a/y/a/z/b/q.txt"));
}

TEST(Glob, LiteralPatternsAndTrailingSlash) {
  EXPECT_TRUE(match("/etc/passwd", "/etc/passwd"));
  EXPECT_FALSE(match("/etc/passwd", "/etc/passwd2"));
  EXPECT_TRUE(match("/etc/apt/", "/etc/apt"));
}

TEST(Glob, RejectsBadPatternsWithReason) {
  for (const char* bad : {"", "/a[bc", "/a**b", "/x\\", "/[z-a]"}) {
    auto glob = Glob::compile(bad);
    ASSERT_FALSE(glob.ok()) << bad;
    EXPECT_EQ(glob.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_NE(Glob::compile("/a[bc").error().message.find("unterminated"), std::string::npos);
}

}  // namespace
}  // namespace zastava::facet
