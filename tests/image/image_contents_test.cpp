// The final filesystems of the umoci-built test images, read as OCI layout,
// docker-archive and unpacked rootfs: exact entries, whiteouts, opaque
// directories, hard links, symlinks, zstd layers and platform selection.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "digest/sha2.hpp"
#include "expected_images.hpp"
#include "image/reader.hpp"
#include "test_images.hpp"

namespace zastava::image {
namespace {

using testing::ExpectedFile;
using testing::test_images;

Result<ImageContents> read_spec(const std::string& spec, ReadOptions options = {}) {
  auto source = parse_image_spec(spec);
  if (!source) return source.error();
  return read_image(*source, options);
}

ImageContents read_ok(const std::string& spec, ReadOptions options = {}) {
  auto contents = read_spec(spec, std::move(options));
  EXPECT_TRUE(contents.ok()) << spec << ": " << contents.error().describe();
  return contents.ok() ? std::move(contents).value() : ImageContents{};
}

std::string oci(const std::string& tag) {
  return "oci:" + (test_images() / "oci").string() + ":" + tag;
}

void expect_files(const ImageContents& contents, const std::vector<ExpectedFile>& expected) {
  ASSERT_EQ(contents.files.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const FileRecord& actual = contents.files[i];
    const ExpectedFile& want = expected[i];
    SCOPED_TRACE(want.path);
    EXPECT_EQ(actual.path, want.path);
    EXPECT_EQ(actual.kind, want.symlink ? FileRecord::Kind::kSymlink : FileRecord::Kind::kRegular);
    EXPECT_EQ(actual.mode, want.mode);
    EXPECT_EQ(actual.size, want.content.size());
    EXPECT_EQ(actual.sha256, digest::sha256(as_bytes(want.content)));
    EXPECT_EQ(actual.mtime, testing::kImageMtime);
    EXPECT_EQ(actual.link_target, want.symlink ? want.content : "");
  }
}

std::string manifest_digest_of_tag(const std::string& tag) {
  const auto index =
      nlohmann::json::parse(testing::read_file(test_images() / "oci" / "index.json"));
  for (const auto& manifest : index["manifests"]) {
    if (manifest["annotations"]["org.opencontainers.image.ref.name"] == tag)
      return manifest["digest"];
  }
  return "";
}

const FileRecord* find(const ImageContents& contents, const std::string& path) {
  for (const auto& file : contents.files) {
    if (file.path == path) return &file;
  }
  return nullptr;
}

TEST(ImageContents, BaseImageFromOciLayout) {
  const auto contents = read_ok(oci("base"));
  expect_files(contents, testing::expected_base());
  EXPECT_EQ(contents.image_digest, manifest_digest_of_tag("base"));
  EXPECT_TRUE(contents.config_digest.starts_with("sha256:"));
}

TEST(ImageContents, ChangedImageFromOciLayout) {
  const auto contents = read_ok(oci("changed"));
  expect_files(contents, testing::expected_changed());
  EXPECT_EQ(contents.image_digest, manifest_digest_of_tag("changed"));
}

TEST(ImageContents, WhiteoutRemovesTheFileOfALowerLayer) {
  const auto base = read_ok(oci("base"));
  const auto changed = read_ok(oci("changed"));
  EXPECT_NE(find(base, "/opt/old.txt"), nullptr);
  EXPECT_EQ(find(changed, "/opt/old.txt"), nullptr);
  EXPECT_NE(find(changed, "/opt/cache/a"), nullptr);  // siblings stay
}

TEST(ImageContents, OpaqueDirectoryHidesEverythingBelowFromLowerLayers) {
  const auto changed = read_ok(oci("changed"));
  EXPECT_EQ(find(changed, "/srv/data/one.txt"), nullptr);
  EXPECT_EQ(find(changed, "/srv/data/two.txt"), nullptr);
  const FileRecord* three = find(changed, "/srv/data/three.txt");
  ASSERT_NE(three, nullptr);
  EXPECT_EQ(three->sha256, digest::sha256(as_bytes(std::string("three\n"))));
}

TEST(ImageContents, HardLinkTakesItsTargetsContent) {
  const auto changed = read_ok(oci("changed"));
  const FileRecord* tool = find(changed, "/usr/bin/tool");
  const FileRecord* link = find(changed, "/usr/bin/tool-link");
  ASSERT_NE(tool, nullptr);
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->kind, FileRecord::Kind::kRegular);
  EXPECT_EQ(link->sha256, tool->sha256);
  EXPECT_EQ(link->size, tool->size);
  EXPECT_EQ(link->size, 31u);
}

TEST(ImageContents, SymlinkIsHashedOverItsTarget) {
  const auto changed = read_ok(oci("changed"));
  const FileRecord* alias = find(changed, "/usr/bin/tool-alias");
  ASSERT_NE(alias, nullptr);
  EXPECT_EQ(alias->kind, FileRecord::Kind::kSymlink);
  EXPECT_EQ(alias->link_target, "tool");
  EXPECT_EQ(alias->size, 4u);
  EXPECT_EQ(alias->sha256, digest::sha256(as_bytes(std::string("tool"))));
}

TEST(ImageContents, DockerArchiveGivesTheSameFiles) {
  for (const std::string tag : {"base", "changed"}) {
    SCOPED_TRACE(tag);
    const auto archive = read_ok("docker-archive:" + (test_images() / (tag + ".tar")).string());
    expect_files(archive, tag == "base" ? testing::expected_base() : testing::expected_changed());
    const auto layout = read_ok(oci(tag));
    // No manifest in a docker-archive: the image is named by its config (the image ID).
    EXPECT_EQ(archive.config_digest, layout.config_digest);
    EXPECT_EQ(archive.image_digest, archive.config_digest);
  }
}

TEST(ImageContents, UnpackedRootfsGivesTheSameFiles) {
  for (const std::string tag : {"base", "changed"}) {
    SCOPED_TRACE(tag);
    const auto rootfs = read_ok("dir:" + (test_images() / (tag + "-rootfs")).string());
    expect_files(rootfs, tag == "base" ? testing::expected_base() : testing::expected_changed());
    EXPECT_EQ(rootfs.image_digest, "");
    EXPECT_EQ(rootfs.config_digest, "");
  }
}

TEST(ImageContents, ZstdLayersGiveTheSameFilesAsGzip) {
  const auto zstd = read_ok(oci("changed-zstd"));
  expect_files(zstd, testing::expected_changed());
  EXPECT_EQ(zstd.image_digest, manifest_digest_of_tag("changed-zstd"));
  EXPECT_NE(zstd.image_digest, manifest_digest_of_tag("changed"));
}

TEST(ImageContents, ImageIndexPicksThePlatform) {
  const std::string multi = "oci:" + (test_images() / "oci-multi").string() + ":multi";
  ReadOptions amd64;
  amd64.platform = "linux/amd64";
  const auto base = read_ok(multi, amd64);
  expect_files(base, testing::expected_base());
  EXPECT_EQ(base.image_digest, manifest_digest_of_tag("base"));  // the platform's manifest

  ReadOptions arm64;
  arm64.platform = "linux/arm64/v8";
  const auto changed = read_ok(multi, arm64);
  expect_files(changed, testing::expected_changed());
  EXPECT_EQ(changed.image_digest, manifest_digest_of_tag("changed"));
}

TEST(ImageContents, ImageIndexWithoutTheWantedPlatformIsNotFound) {
  ReadOptions s390x;
  s390x.platform = "linux/s390x";
  auto contents = read_spec("oci:" + (test_images() / "oci-multi").string() + ":multi", s390x);
  ASSERT_FALSE(contents.ok());
  EXPECT_EQ(contents.error().code, ErrorCode::kNotFound);
  EXPECT_NE(contents.error().message.find("linux/s390x"), std::string::npos)
      << contents.error().message;
  EXPECT_NE(contents.error().message.find("linux/arm64/v8, linux/amd64"), std::string::npos)
      << contents.error().message;
}

TEST(ImageContents, MalformedPlatformOptionIsRejected) {
  ReadOptions bad;
  bad.platform = "amd64";
  auto contents = read_spec("oci:" + (test_images() / "oci-multi").string() + ":multi", bad);
  ASSERT_FALSE(contents.ok());
  EXPECT_EQ(contents.error().code, ErrorCode::kInvalidArgument);
}

TEST(ImageContents, CapturesRequestedFilesOfTheFinalFilesystem) {
  for (const std::string& spec :
       {oci("changed"), "docker-archive:" + (test_images() / "changed.tar").string(),
        "dir:" + (test_images() / "changed-rootfs").string()}) {
    SCOPED_TRACE(spec);
    ReadOptions options;
    options.capture = [](std::string_view path) {
      return path == "/var/lib/dpkg/status" || path.ends_with("package-lock.json") ||
             path == "/opt/old.txt";
    };
    const auto contents = read_ok(spec, options);
    ASSERT_EQ(contents.captured.size(), 2u);  // /opt/old.txt was whited out
    EXPECT_EQ(contents.captured.at("/var/lib/dpkg/status"), testing::kChangedStatus);
    EXPECT_EQ(contents.captured.at("/app/package-lock.json"), testing::kChangedLock);
  }
}

TEST(ImageContents, CaptureRespectsTheSizeLimit) {
  ReadOptions options;
  options.capture = [](std::string_view) { return true; };
  options.max_capture_bytes = 40;
  const auto contents = read_ok(oci("changed"), options);
  EXPECT_TRUE(contents.captured.contains("/etc/app/app.conf"));      // 32 bytes
  EXPECT_FALSE(contents.captured.contains("/var/lib/dpkg/status"));  // 284 bytes
}

TEST(ImageContents, OneThreadAndManyThreadsAgree) {
  ReadOptions one;
  one.threads = 1;
  ReadOptions four;
  four.threads = 4;
  const auto serial = read_ok(oci("changed"), one);
  const auto parallel = read_ok(oci("changed"), four);
  expect_files(serial, testing::expected_changed());
  expect_files(parallel, testing::expected_changed());
}

TEST(ImageContents, ProgressCountsEveryLayerAndByte) {
  std::vector<Progress> seen;
  ReadOptions options;
  options.progress = [&seen](const Progress& progress) { seen.push_back(progress); };
  read_ok(oci("changed"), options);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().layers_total, 7u);
  EXPECT_EQ(seen.back().layers_done, 7u);
  EXPECT_GT(seen.back().bytes_total, 0u);
  std::uint64_t most = 0;
  for (const auto& progress : seen) most = std::max(most, progress.bytes_done);
  EXPECT_EQ(most, seen.back().bytes_total);
}

TEST(ImageContents, UntaggedLayoutWithSeveralManifestsAsksForATag) {
  auto contents = read_spec("oci:" + (test_images() / "oci").string());
  ASSERT_FALSE(contents.ok());
  EXPECT_EQ(contents.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(contents.error().message.find("base, changed, changed-zstd"), std::string::npos)
      << contents.error().message;
}

}  // namespace
}  // namespace zastava::image
