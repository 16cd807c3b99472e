#include "policy/image_glob.hpp"

#include <gtest/gtest.h>

namespace zastava::policy {
namespace {

ImageGlob glob(const char* pattern) {
  auto compiled = ImageGlob::compile(pattern);
  EXPECT_TRUE(compiled.ok()) << compiled.error().message;
  return std::move(compiled).value();
}

constexpr const char* kDigest =
    "@sha256:c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2";

TEST(ImageGlob, MatchesNormalizedReferences) {
  const std::string api = std::string("registry.example.com/payments/api:1.4") + kDigest;
  const std::string deep = "registry.example.com/payments/team/worker:2";
  EXPECT_TRUE(glob("registry.example.com/payments/**").matches(api));
  EXPECT_TRUE(glob("registry.example.com/payments/**").matches(deep));
  EXPECT_TRUE(glob("registry.example.com/payments/*").matches(api));
  EXPECT_FALSE(glob("registry.example.com/payments/*").matches(deep));
  EXPECT_FALSE(glob("registry.example.com/payments/**").matches("registry.example.com/web/x:1"));
  EXPECT_FALSE(glob("registry.example.com/pay*").matches(api));  // '*' stops at '/'
  EXPECT_TRUE(glob("**/api*").matches(api));
  EXPECT_TRUE(glob("*.example.com/payments/**").matches(api));
  EXPECT_TRUE(glob("registry.example.com/payments/api:1.[0-9]*").matches(api));
  EXPECT_FALSE(glob("registry.example.com/payments/api:2.*").matches(api));
  // Anchored at the start: a suffix path does not match.
  EXPECT_FALSE(glob("example.com/payments/**").matches(api));
}

TEST(ImageGlob, APlainRepositoryCoversEveryTagAndDigest) {
  const ImageGlob nginx = glob("docker.io/library/nginx");
  EXPECT_TRUE(nginx.matches("docker.io/library/nginx:latest"));
  EXPECT_TRUE(nginx.matches(std::string("docker.io/library/nginx") + kDigest));
  EXPECT_TRUE(nginx.matches(std::string("docker.io/library/nginx:1.27") + kDigest));
  EXPECT_FALSE(nginx.matches("docker.io/library/nginx-exporter:1"));
  EXPECT_FALSE(nginx.matches("docker.io/library/nginx/sub:1"));
  EXPECT_TRUE(glob("localhost:5000/app").matches("localhost:5000/app:dev"));
}

TEST(ImageGlob, RepositoryStripsTagAndDigestOnly) {
  EXPECT_EQ(image_repository("r.io/a/b:t"), "r.io/a/b");
  EXPECT_EQ(image_repository(std::string("r.io/a/b:t") + kDigest), "r.io/a/b");
  EXPECT_EQ(image_repository(std::string("r.io/a/b") + kDigest), "r.io/a/b");
  EXPECT_EQ(image_repository("localhost:5000/a:t"), "localhost:5000/a");
  EXPECT_EQ(image_repository("localhost:5000/a"), "localhost:5000/a");
  EXPECT_EQ(image_repository("r.io/a/b"), "r.io/a/b");
}

TEST(ImageGlob, RejectsPatternsThatCannotBeMeant) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "is empty"},
      {"/registry.example.com/**", "must not start with '/'"},
      {"registry.example.com/ a", "whitespace"},
      {"nginx", "names no registry"},
      {"library/nginx", "\"docker.io/library/library/nginx\""},
      {"registry.example.com/[a", "unterminated character class"},
      {"registry.example.com/a**", "'**' must be a whole segment"},
  };
  for (const auto& [pattern, why] : cases) {
    auto compiled = ImageGlob::compile(pattern);
    ASSERT_FALSE(compiled.ok()) << pattern;
    EXPECT_NE(compiled.error().message.find(why), std::string::npos)
        << pattern << " -> " << compiled.error().message;
  }
  EXPECT_TRUE(ImageGlob::compile("localhost/app").ok());
  EXPECT_TRUE(ImageGlob::compile("*/library/**").ok());
  EXPECT_TRUE(ImageGlob::compile("**").ok());
}

}  // namespace
}  // namespace zastava::policy
