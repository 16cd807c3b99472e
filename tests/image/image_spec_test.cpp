// parse_image_spec: the CLI's IMAGE argument.

#include <gtest/gtest.h>

#include "image/reader.hpp"

namespace zastava::image {
namespace {

TEST(ImageSpec, OciLayoutWithTag) {
  auto source = parse_image_spec("oci:/images/app:v1.2");
  ASSERT_TRUE(source.ok()) << source.error().describe();
  EXPECT_EQ(source->kind, ImageSource::Kind::kOciLayout);
  EXPECT_EQ(source->path, "/images/app");
  EXPECT_EQ(source->tag, "v1.2");
}

TEST(ImageSpec, OciLayoutWithoutTag) {
  auto source = parse_image_spec("oci:/images/app");
  ASSERT_TRUE(source.ok());
  EXPECT_EQ(source->path, "/images/app");
  EXPECT_EQ(source->tag, "");
}

TEST(ImageSpec, ColonInsideTheDirectoryIsNotATag) {
  auto source = parse_image_spec("oci:/data/a:b/layout");
  ASSERT_TRUE(source.ok());
  EXPECT_EQ(source->path, "/data/a:b/layout");
  EXPECT_EQ(source->tag, "");
}

TEST(ImageSpec, DockerArchiveAndRootfsDir) {
  auto archive = parse_image_spec("docker-archive:/tmp/app.tar");
  ASSERT_TRUE(archive.ok());
  EXPECT_EQ(archive->kind, ImageSource::Kind::kDockerArchive);
  EXPECT_EQ(archive->path, "/tmp/app.tar");
  auto rootfs = parse_image_spec("dir:rootfs");
  ASSERT_TRUE(rootfs.ok());
  EXPECT_EQ(rootfs->kind, ImageSource::Kind::kRootfsDir);
  EXPECT_EQ(rootfs->path, "rootfs");
}

TEST(ImageSpec, RejectsUnknownSchemesAndEmptyParts) {
  for (const char* bad : {"registry.example/app:v1", "docker://app", "oci:", "oci::tag",
                          "oci:/dir:", "dir:", "docker-archive:", ""}) {
    auto source = parse_image_spec(bad);
    ASSERT_FALSE(source.ok()) << bad;
    EXPECT_EQ(source.error().code, ErrorCode::kInvalidArgument) << bad;
    EXPECT_NE(source.error().message.find("image \"" + std::string(bad) + "\""), std::string::npos)
        << source.error().message;
  }
}

}  // namespace
}  // namespace zastava::image
