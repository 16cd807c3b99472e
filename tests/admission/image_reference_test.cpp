// Table-driven tests of the reference grammar and its normalization. The
// cases follow the ones distribution/reference tests (reference_test.go,
// normalize_test.go), written out here.
#include "admission/image_reference.hpp"

#include <gtest/gtest.h>

namespace zastava::admission {
namespace {

const std::string kHex64 = "4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac";
const std::string kSha256 = "sha256:" + kHex64;

struct ValidCase {
  std::string text;
  std::string domain;
  std::string path;
  std::string tag;
  std::string digest;
  std::string normalized;
  std::string familiar;
};

class ValidReference : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ValidReference, ParsesAndNormalizes) {
  const ValidCase& c = GetParam();
  auto reference = parse_image_reference(c.text);
  ASSERT_TRUE(reference.ok()) << c.text << ": " << reference.error().describe();
  EXPECT_EQ(reference->domain, c.domain) << c.text;
  EXPECT_EQ(reference->path, c.path) << c.text;
  EXPECT_EQ(reference->tag, c.tag) << c.text;
  EXPECT_EQ(reference->digest, c.digest) << c.text;
  EXPECT_EQ(reference->has_digest(), !c.digest.empty()) << c.text;
  EXPECT_EQ(reference->repository(), c.domain + "/" + c.path) << c.text;
  EXPECT_EQ(reference->normalized(), c.normalized) << c.text;
  EXPECT_EQ(reference->familiar(), c.familiar) << c.text;
  // Normalizing is idempotent.
  auto again = parse_image_reference(reference->normalized());
  ASSERT_TRUE(again.ok()) << again.error().describe();
  EXPECT_EQ(again->normalized(), c.normalized);
}

const std::string kPath255 = std::string(127, 'a') + "/" + std::string(127, 'b');

INSTANTIATE_TEST_SUITE_P(
    Grammar, ValidReference,
    ::testing::Values(
        ValidCase{"nginx", "docker.io", "library/nginx", "latest", "",
                  "docker.io/library/nginx:latest", "nginx:latest"},
        ValidCase{"nginx:1.25", "docker.io", "library/nginx", "1.25", "",
                  "docker.io/library/nginx:1.25", "nginx:1.25"},
        ValidCase{"library/nginx", "docker.io", "library/nginx", "latest", "",
                  "docker.io/library/nginx:latest", "nginx:latest"},
        ValidCase{"docker.io/nginx", "docker.io", "library/nginx", "latest", "",
                  "docker.io/library/nginx:latest", "nginx:latest"},
        ValidCase{"index.docker.io/nginx:Latest_1", "docker.io", "library/nginx", "Latest_1", "",
                  "docker.io/library/nginx:Latest_1", "nginx:Latest_1"},
        ValidCase{"user/app", "docker.io", "user/app", "latest", "", "docker.io/user/app:latest",
                  "user/app:latest"},
        ValidCase{"docker.io/library/a/b", "docker.io", "library/a/b", "latest", "",
                  "docker.io/library/a/b:latest", "library/a/b:latest"},
        ValidCase{"localhost/app", "localhost", "app", "latest", "", "localhost/app:latest",
                  "localhost/app:latest"},
        ValidCase{"localhost:5000/x", "localhost:5000", "x", "latest", "",
                  "localhost:5000/x:latest", "localhost:5000/x:latest"},
        ValidCase{"registry.example.com:5000/team/app:v1.2.3", "registry.example.com:5000",
                  "team/app", "v1.2.3", "", "registry.example.com:5000/team/app:v1.2.3",
                  "registry.example.com:5000/team/app:v1.2.3"},
        ValidCase{"192.168.1.10:5000/app", "192.168.1.10:5000", "app", "latest", "",
                  "192.168.1.10:5000/app:latest", "192.168.1.10:5000/app:latest"},
        ValidCase{"[::1]:5000/app:tag", "[::1]:5000", "app", "tag", "", "[::1]:5000/app:tag",
                  "[::1]:5000/app:tag"},
        ValidCase{"[2001:db8::1]/app", "[2001:db8::1]", "app", "latest", "",
                  "[2001:db8::1]/app:latest", "[2001:db8::1]/app:latest"},
        ValidCase{"Example.COM/app", "Example.COM", "app", "latest", "", "Example.COM/app:latest",
                  "Example.COM/app:latest"},
        ValidCase{"xn--bcher-kva.example/app", "xn--bcher-kva.example", "app", "latest", "",
                  "xn--bcher-kva.example/app:latest", "xn--bcher-kva.example/app:latest"},
        ValidCase{"nginx@" + kSha256, "docker.io", "library/nginx", "", kSha256,
                  "docker.io/library/nginx@" + kSha256, "nginx@" + kSha256},
        ValidCase{"nginx:1.25@" + kSha256, "docker.io", "library/nginx", "1.25", kSha256,
                  "docker.io/library/nginx:1.25@" + kSha256, "nginx:1.25@" + kSha256},
        ValidCase{"ghcr.io/org/app@sha384:" + std::string(96, 'e'), "ghcr.io", "org/app", "",
                  "sha384:" + std::string(96, 'e'),
                  "ghcr.io/org/app@sha384:" + std::string(96, 'e'),
                  "ghcr.io/org/app@sha384:" + std::string(96, 'e')},
        ValidCase{"a@sha512:" + std::string(128, '0'), "docker.io", "library/a", "",
                  "sha512:" + std::string(128, '0'),
                  "docker.io/library/a@sha512:" + std::string(128, '0'),
                  "a@sha512:" + std::string(128, '0')},
        ValidCase{"a/b_c/d__e/f-g/h---i/j.k", "docker.io", "a/b_c/d__e/f-g/h---i/j.k", "latest", "",
                  "docker.io/a/b_c/d__e/f-g/h---i/j.k:latest", "a/b_c/d__e/f-g/h---i/j.k:latest"},
        // No '/': "foo:5000" is an image with a tag, not a host with a port.
        ValidCase{"foo:5000", "docker.io", "library/foo", "5000", "", "docker.io/library/foo:5000",
                  "foo:5000"},
        ValidCase{"x:" + std::string(128, 't'), "docker.io", "library/x", std::string(128, 't'), "",
                  "docker.io/library/x:" + std::string(128, 't'), "x:" + std::string(128, 't')},
        ValidCase{"example.com/" + kPath255, "example.com", kPath255, "latest", "",
                  "example.com/" + kPath255 + ":latest", "example.com/" + kPath255 + ":latest"}));

TEST(ImageReference, TagDefaultedOnlyWhenNeitherTagNorDigest) {
  EXPECT_TRUE(parse_image_reference("nginx")->tag_defaulted);
  EXPECT_FALSE(parse_image_reference("nginx:latest")->tag_defaulted);
  EXPECT_FALSE(parse_image_reference("nginx@" + kSha256)->tag_defaulted);
}

struct InvalidCase {
  std::string text;
  std::string message;  // the whole message
};

class InvalidReference : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidReference, IsRejectedWithTheReason) {
  const InvalidCase& c = GetParam();
  auto reference = parse_image_reference(c.text);
  ASSERT_FALSE(reference.ok()) << c.text << " parsed as " << reference->normalized();
  EXPECT_EQ(reference.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(reference.error().message, c.message) << c.text;
}

const std::string kFormat = "invalid reference format: ";

INSTANTIATE_TEST_SUITE_P(
    Grammar, InvalidReference,
    ::testing::Values(
        InvalidCase{"", kFormat + "repository name must have at least one component"},
        InvalidCase{"Nginx", kFormat + "repository name (library/Nginx) must be lowercase"},
        InvalidCase{"user/App:1", kFormat + "repository name (user/App) must be lowercase"},
        InvalidCase{"localhost:5000/Foo", kFormat + "repository name (Foo) must be lowercase"},
        InvalidCase{kHex64, "invalid repository name (" + kHex64 +
                                "), cannot specify 64-byte hexadecimal strings"},
        InvalidCase{"nginx:", kFormat + "invalid tag \"\""},
        InvalidCase{"nginx:-tag", kFormat + "invalid tag \"-tag\""},
        InvalidCase{"nginx:a+b", kFormat + "invalid tag \"a+b\""},
        InvalidCase{"x:" + std::string(129, 't'),
                    kFormat + "invalid tag \"" + std::string(129, 't') + "\""},
        InvalidCase{":tag", kFormat + "invalid repository path \"library/\""},
        InvalidCase{"nginx@sha256:abc", kFormat + "invalid digest \"sha256:abc\""},
        InvalidCase{"nginx@sha256", kFormat + "invalid digest \"sha256\""},
        InvalidCase{"nginx@" + kSha256 + "@" + kSha256,
                    kFormat + "invalid digest \"" + kSha256 + "@" + kSha256 + "\""},
        InvalidCase{"nginx@sha256:" + std::string(40, 'a'),
                    kFormat + "invalid checksum digest length"},
        InvalidCase{"nginx@sha256:" + std::string(64, 'A'),
                    kFormat + "invalid checksum digest format (hex must be lower case)"},
        InvalidCase{"nginx@md5:" + std::string(32, 'a'),
                    kFormat + "unsupported digest algorithm \"md5\""},
        InvalidCase{"a//b", kFormat + "invalid repository path \"a//b\""},
        InvalidCase{"a/b/", kFormat + "invalid repository path \"a/b/\""},
        InvalidCase{"a..b", kFormat + "invalid repository path \"library/a..b\""},
        InvalidCase{"a___b", kFormat + "invalid repository path \"library/a___b\""},
        InvalidCase{"a.-b", kFormat + "invalid repository path \"library/a.-b\""},
        InvalidCase{"a-", kFormat + "invalid repository path \"library/a-\""},
        InvalidCase{" nginx", kFormat + "invalid repository path \"library/ nginx\""},
        InvalidCase{"foo_bar.com/x", kFormat + "invalid domain \"foo_bar.com\""},
        InvalidCase{"-foo.com/x", kFormat + "invalid domain \"-foo.com\""},
        InvalidCase{"foo.com:port/x", kFormat + "invalid domain \"foo.com:port\""},
        InvalidCase{"foo.com:/x", kFormat + "invalid domain \"foo.com:\""},
        InvalidCase{"[fe80::1%eth0]/x", kFormat + "invalid domain \"[fe80::1%eth0]\""},
        InvalidCase{"[]/x", kFormat + "invalid repository path \"[]/x\""},
        InvalidCase{"[]:5000/x", kFormat + "invalid domain \"[]:5000\""},
        InvalidCase{"example.com/" + std::string(256, 'a'),
                    kFormat + "repository name must not be more than 255 characters"}));

}  // namespace
}  // namespace zastava::admission
