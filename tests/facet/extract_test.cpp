// Tests for facet/extract.hpp: from an image's files (built by hand here; the
// image readers have their own tests) to one manifest per facet.
#include "facet/extract.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "facet/manifest.hpp"

namespace zastava::facet {
namespace {

constexpr std::string_view kExtractedAt = "2026-01-05T10:00:00.000Z";
// SHA-256 of the empty string and of "hello" (well-known values, e.g. `sha256sum`).
constexpr std::string_view kEmptyRoot =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr std::string_view kHelloHex =
    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

image::FileRecord record(std::string path, std::uint8_t fill = 0x11, std::uint64_t size = 10,
                         std::uint32_t mode = 0644) {
  image::FileRecord file;
  file.path = std::move(path);
  file.mode = mode;
  file.mtime = 1767225600;
  file.size = size;
  file.sha256.fill(fill);
  return file;
}

// The files of a small Debian image with node, python and go parts, sorted
// by path as the readers return them.
image::ImageContents debian_image() {
  image::ImageContents contents;
  contents.image_digest = "sha256:" + std::string(64, '9');
  contents.files = {
      record("/app/node_modules/left-pad/index.js"),
      record("/app/node_modules/left-pad/package.json"),
      record("/app/package.json"),
      record("/app/tsconfig.json"),
      record("/etc/apt/sources.list"),
      record("/etc/hostname"),
      record("/etc/passwd"),
      record("/src/go.mod"),
      record("/usr/bin/bash", 0x22, 1234, 0755),
      record("/usr/bin/gettext.sh", 0x33, 5, 0755),
      record("/usr/lib/python3/dist-packages/yaml/_yaml.so"),
      record("/usr/share/doc/bash/README"),
      record("/var/lib/dpkg/status"),
  };
  return contents;
}

std::vector<std::string> paths(const FacetManifest& manifest) {
  std::vector<std::string> out;
  for (const FileEntry& entry : manifest.files) out.push_back(entry.path);
  return out;
}

TEST(FacetExtract, EveryDefaultFacetInOrderWithItsFiles) {
  auto manifests =
      extract_manifests(debian_image(), FacetSet::defaults(), {}, std::string(kExtractedAt));
  ASSERT_TRUE(manifests.ok()) << manifests.error().describe();
  ASSERT_EQ(manifests->size(), 6u);
  const auto& m = *manifests;
  EXPECT_EQ(m[0].facet_id, "os");
  EXPECT_EQ(paths(m[0]),
            (std::vector<std::string>{"/etc/apt/sources.list", "/var/lib/dpkg/status"}));
  EXPECT_EQ(m[1].facet_id, "lang/node");
  EXPECT_EQ(paths(m[1]), (std::vector<std::string>{"/app/node_modules/left-pad/index.js",
                                                   "/app/node_modules/left-pad/package.json",
                                                   "/app/package.json"}));
  EXPECT_EQ(m[2].facet_id, "lang/python");
  EXPECT_EQ(paths(m[2]),
            (std::vector<std::string>{"/usr/lib/python3/dist-packages/yaml/_yaml.so"}));
  EXPECT_EQ(m[3].facet_id, "lang/go");
  EXPECT_EQ(paths(m[3]), (std::vector<std::string>{"/src/go.mod"}));
  EXPECT_EQ(m[4].facet_id, "binary");
  EXPECT_EQ(paths(m[4]), (std::vector<std::string>{"/usr/bin/bash"}));
  EXPECT_EQ(m[5].facet_id, "config");
  EXPECT_EQ(paths(m[5]), (std::vector<std::string>{"/app/tsconfig.json", "/etc/hostname"}));
  for (const FacetManifest& manifest : m) {
    EXPECT_EQ(manifest.extracted_at, kExtractedAt);
    EXPECT_EQ(manifest.type, FacetSet::defaults().find(manifest.facet_id)->type);
    EXPECT_TRUE(verify_manifest(manifest).ok()) << manifest.facet_id;
  }
}

TEST(FacetExtract, RecordsBecomeEntries) {
  image::ImageContents contents;
  image::FileRecord bash = record("/usr/bin/bash", 0, 5, 0104755);  // type bits from a tar header
  bash.sha256 = {0x2c, 0xf2, 0x4d, 0xba, 0x5f, 0xb0, 0xa3, 0x0e, 0x26, 0xe8, 0x3b,
                 0x2a, 0xc5, 0xb9, 0xe2, 0x9e, 0x1b, 0x16, 0x1e, 0x5c, 0x1f, 0xa7,
                 0x42, 0x5e, 0x73, 0x04, 0x33, 0x62, 0x93, 0x8b, 0x98, 0x24};  // sha256("hello")
  bash.mtime = 1767607200;
  image::FileRecord sh = record("/usr/bin/sh", 0x44, 4, 0777);
  sh.kind = image::FileRecord::Kind::kSymlink;
  sh.link_target = "dash";
  contents.files = {bash, sh};
  auto manifests = extract_manifests(contents, FacetSet::defaults(),
                                     std::vector<std::string>{"binary"}, std::string(kExtractedAt));
  ASSERT_TRUE(manifests.ok()) << manifests.error().describe();
  ASSERT_EQ(manifests->size(), 1u);
  const FacetManifest& binary = (*manifests)[0];
  ASSERT_EQ(binary.files.size(), 2u);
  const FileEntry& entry = binary.files[0];
  EXPECT_EQ(entry.path, "/usr/bin/bash");
  EXPECT_EQ(entry.content_hash, "sha256:" + std::string(kHelloHex));
  EXPECT_EQ(entry.size, 5u);
  EXPECT_EQ(entry.mode, 04755u);
  EXPECT_EQ(entry.mtime, 1767607200);
  EXPECT_EQ(entry.kind, EntryKind::kRegular);
  EXPECT_EQ(binary.files[1].kind, EntryKind::kSymlink);
  EXPECT_EQ(binary.files[1].content_hash, "sha256:" + std::string(64, '4'));
  EXPECT_EQ(binary.total_bytes, 9u);
}

TEST(FacetExtract, FacetsWithoutFilesHaveTheEmptyRoot) {
  auto manifests = extract_manifests(image::ImageContents{}, FacetSet::defaults(), {},
                                     std::string(kExtractedAt));
  ASSERT_TRUE(manifests.ok());
  ASSERT_EQ(manifests->size(), 6u);
  for (const FacetManifest& manifest : *manifests) {
    EXPECT_TRUE(manifest.files.empty());
    EXPECT_EQ(manifest.file_count, 0u);
    EXPECT_EQ(manifest.merkle_root, kEmptyRoot) << manifest.facet_id;
  }
}

TEST(FacetExtract, SelectingFacetsFiltersAfterClassification) {
  const image::ImageContents contents = debian_image();
  const FacetSet facets = FacetSet::defaults();
  const auto all = extract_manifests(contents, facets, {}, std::string(kExtractedAt)).value();
  // Asked for alone, config does not gain /etc/apt/sources.list (os's) nor
  // /app/package.json (lang/node's).
  const std::vector<std::string> only = {"config", "os"};
  auto some = extract_manifests(contents, facets, only, std::string(kExtractedAt));
  ASSERT_TRUE(some.ok());
  ASSERT_EQ(some->size(), 2u);
  EXPECT_EQ((*some)[0], all[0]);  // definition order, not the order asked
  EXPECT_EQ((*some)[1], all[5]);
}

TEST(FacetExtract, UnknownFacetsAreRejected) {
  const std::vector<std::string> only = {"os", "lang/cobol"};
  auto manifests =
      extract_manifests(debian_image(), FacetSet::defaults(), only, std::string(kExtractedAt));
  ASSERT_FALSE(manifests.ok());
  EXPECT_EQ(manifests.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(manifests.error().message.find("\"lang/cobol\""), std::string::npos);
  EXPECT_NE(manifests.error().message.find("lang/node"), std::string::npos);  // lists the defined
}

TEST(FacetExtract, UserDefinitionsDecideMembership) {
  auto facets = FacetSet::from_yaml(
      "facets:\n"
      "  - {facetId: custom/docs, type: Custom, includeGlobs: [\"/usr/share/doc/**\"]}\n"
      "  - {facetId: binary, type: Binary, includeGlobs: [\"/usr/**\"]}\n");
  ASSERT_TRUE(facets.ok()) << facets.error().describe();
  auto manifests = extract_manifests(debian_image(), *facets, {}, std::string(kExtractedAt));
  ASSERT_TRUE(manifests.ok());
  ASSERT_EQ(manifests->size(), 2u);
  EXPECT_EQ(paths((*manifests)[0]), (std::vector<std::string>{"/usr/share/doc/bash/README"}));
  EXPECT_EQ(paths((*manifests)[1]),
            (std::vector<std::string>{"/usr/bin/bash", "/usr/bin/gettext.sh",
                                      "/usr/lib/python3/dist-packages/yaml/_yaml.so"}));
}

TEST(FacetExtract, BadRecordsAndTimesAreErrors) {
  image::ImageContents contents;
  contents.files = {record("/etc/x/../hosts")};
  auto bad_path = extract_manifests(contents, FacetSet::defaults(), {}, std::string(kExtractedAt));
  ASSERT_FALSE(bad_path.ok());
  EXPECT_NE(bad_path.error().message.find("/etc/x/../hosts"), std::string::npos);
  auto bad_time = extract_manifests(image::ImageContents{}, FacetSet::defaults(), {}, "now");
  ASSERT_FALSE(bad_time.ok());
  EXPECT_NE(bad_time.error().message.find("extractedAt"), std::string::npos);
}

}  // namespace
}  // namespace zastava::facet
