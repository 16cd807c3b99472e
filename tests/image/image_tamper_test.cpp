// Damaged images: every blob is checked while it streams, and each failure
// comes back with the right error code and a message naming the blob.

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>

#include "base/hex.hpp"
#include "digest/sha2.hpp"
#include "image/reader.hpp"
#include "test_images.hpp"

namespace zastava::image {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::read_file;
using testing::TempDir;
using testing::test_images;
using testing::write_file;

std::string sha256_text(const std::string& content) {
  return "sha256:" + encoding::hex_encode(digest::sha256(as_bytes(content)));
}

fs::path blob(const fs::path& layout, const std::string& digest) {
  return layout / "blobs" / "sha256" / digest.substr(7);
}

// A private copy of the OCI layout to damage.
class TamperedLayout : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(test_images().empty());
    fs::copy(test_images() / "oci", layout(), fs::copy_options::recursive);
  }

  [[nodiscard]] fs::path layout() const { return temp_.path() / "oci"; }

  Result<ImageContents> read(const std::string& tag) const {
    ImageSource source;
    source.kind = ImageSource::Kind::kOciLayout;
    source.path = layout();
    source.tag = tag;
    return read_image(source, {});
  }

  [[nodiscard]] json index() const { return json::parse(read_file(layout() / "index.json")); }

  [[nodiscard]] std::string manifest_digest(const std::string& tag) const {
    const json document = index();
    for (const auto& manifest : document["manifests"]) {
      if (manifest["annotations"]["org.opencontainers.image.ref.name"] == tag)
        return manifest["digest"];
    }
    return "";
  }

  [[nodiscard]] json manifest(const std::string& tag) const {
    return json::parse(read_file(blob(layout(), manifest_digest(tag))));
  }

  // Stores `content` as the manifest of `tag` (a new blob, index.json updated).
  void replace_manifest(const std::string& tag, const std::string& content) const {
    const std::string digest = sha256_text(content);
    write_file(blob(layout(), digest), content);
    json updated = index();
    for (auto& descriptor : updated["manifests"]) {
      if (descriptor["annotations"]["org.opencontainers.image.ref.name"] != tag) continue;
      descriptor["digest"] = digest;
      descriptor["size"] = content.size();
    }
    write_file(layout() / "index.json", updated.dump());
  }

  void edit_manifest(const std::string& tag, const std::function<void(json&)>& edit) const {
    json document = manifest(tag);
    edit(document);
    replace_manifest(tag, document.dump());
  }

  [[nodiscard]] std::string last_layer(const std::string& tag) const {
    return manifest(tag)["layers"].back()["digest"];
  }

 private:
  TempDir temp_;
};

void expect_error(const Result<ImageContents>& result, ErrorCode code, const std::string& named) {
  ASSERT_FALSE(result.ok()) << "expected an error naming " << named;
  EXPECT_EQ(result.error().code, code) << result.error().describe();
  EXPECT_NE(result.error().message.find(named), std::string::npos) << result.error().message;
}

TEST_F(TamperedLayout, UntouchedCopyReads) {
  EXPECT_TRUE(read("changed").ok());
}

TEST_F(TamperedLayout, EditedLayerIsADigestMismatchNamingTheLayer) {
  const std::string layer = manifest("changed")["layers"][3]["digest"];
  std::string content = read_file(blob(layout(), layer));
  content[content.size() / 2] = static_cast<char>(content[content.size() / 2] ^ 0x01);
  write_file(blob(layout(), layer), content);
  expect_error(read("changed"), ErrorCode::kVerification, "layer " + layer);
}

TEST_F(TamperedLayout, TruncatedLayerNamesTheLayer) {
  const std::string layer = last_layer("changed");
  fs::resize_file(blob(layout(), layer), fs::file_size(blob(layout(), layer)) / 2);
  expect_error(read("changed"), ErrorCode::kParse, "layer " + layer + " is truncated");
}

TEST_F(TamperedLayout, CutCompressedStreamWithAMatchingDescriptorIsCorrupt) {
  // The blob and its descriptor agree, but the gzip stream inside stops early.
  const std::string layer = manifest("base")["layers"][0]["digest"];
  std::string content = read_file(blob(layout(), layer));
  content.resize(content.size() - 20);
  const std::string cut_digest = sha256_text(content);
  write_file(blob(layout(), cut_digest), content);
  edit_manifest("base", [&](json& document) {
    document["layers"][0]["digest"] = cut_digest;
    document["layers"][0]["size"] = content.size();
  });
  expect_error(read("base"), ErrorCode::kParse, "layer " + cut_digest + " is truncated or corrupt");
}

TEST_F(TamperedLayout, MissingLayerBlobIsNotFound) {
  const std::string layer = last_layer("changed");
  fs::remove(blob(layout(), layer));
  expect_error(read("changed"), ErrorCode::kNotFound, "layer " + layer + " is missing");
}

TEST_F(TamperedLayout, MissingManifestBlobIsNotFound) {
  const std::string digest = manifest_digest("base");
  fs::remove(blob(layout(), digest));
  expect_error(read("base"), ErrorCode::kNotFound, "manifest " + digest + " is missing");
}

TEST_F(TamperedLayout, EditedManifestIsADigestMismatch) {
  const std::string digest = manifest_digest("base");
  std::string content = read_file(blob(layout(), digest));
  content.replace(content.find("\"schemaVersion\":2"), 17, "\"schemaVersion\":3");
  write_file(blob(layout(), digest), content);
  expect_error(read("base"), ErrorCode::kVerification, "manifest " + digest + ": digest mismatch");
}

TEST_F(TamperedLayout, EditedConfigIsADigestMismatch) {
  const std::string config = manifest("base")["config"]["digest"];
  std::string content = read_file(blob(layout(), config));
  content[content.find("amd64")] = 'A';
  write_file(blob(layout(), config), content);
  expect_error(read("base"), ErrorCode::kVerification, "config " + config);
}

TEST_F(TamperedLayout, MalformedIndexJsonIsAParseError) {
  write_file(layout() / "index.json", "{\"schemaVersion\": 2, \"manifests\": [");
  expect_error(read("base"), ErrorCode::kParse, "index.json");
}

TEST_F(TamperedLayout, IndexWithoutManifestsIsAParseError) {
  write_file(layout() / "index.json", "{\"schemaVersion\": 2}");
  expect_error(read("base"), ErrorCode::kParse, "\"manifests\" is missing");
}

TEST_F(TamperedLayout, MalformedManifestIsAParseError) {
  const std::string bad = "{\"schemaVersion\": 2, \"layers\": [";
  replace_manifest("base", bad);
  expect_error(read("base"), ErrorCode::kParse,
               "manifest " + sha256_text(bad) + " is not valid JSON");
}

TEST_F(TamperedLayout, LayerDescriptorWithoutDigestIsAParseError) {
  edit_manifest("base", [](json& document) { document["layers"][1].erase("digest"); });
  expect_error(read("base"), ErrorCode::kParse, "layers[1]: \"digest\" is missing");
}

TEST_F(TamperedLayout, UnknownLayerMediaTypeIsUnsupported) {
  const std::string layer = manifest("base")["layers"][1]["digest"];
  edit_manifest("base", [](json& document) {
    document["layers"][1]["mediaType"] = "application/vnd.example.layer.v1.tar+lz4";
  });
  expect_error(read("base"), ErrorCode::kUnsupported, "layer " + layer);
}

TEST_F(TamperedLayout, UnknownTagIsNotFoundAndListsTheTags) {
  expect_error(read("nope"), ErrorCode::kNotFound, "no manifest tagged \"nope\"");
  expect_error(read("nope"), ErrorCode::kNotFound, "(tags: base, changed, changed-zstd)");
}

TEST(TamperedSources, MissingSourcesAreNotFound) {
  for (const ImageSource::Kind kind :
       {ImageSource::Kind::kOciLayout, ImageSource::Kind::kDockerArchive,
        ImageSource::Kind::kRootfsDir}) {
    ImageSource source;
    source.kind = kind;
    source.path = "/nonexistent/zastava-image";
    auto result = read_image(source, {});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kNotFound) << result.error().describe();
    EXPECT_NE(result.error().message.find("/nonexistent/zastava-image"), std::string::npos)
        << result.error().message;
  }
}

class TamperedArchive : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(test_images().empty());
    fs::copy_file(test_images() / "changed.tar", archive());
  }
  [[nodiscard]] fs::path archive() const { return temp_.path() / "changed.tar"; }
  [[nodiscard]] Result<ImageContents> read() const {
    ImageSource source;
    source.kind = ImageSource::Kind::kDockerArchive;
    source.path = archive();
    return read_image(source, {});
  }

 private:
  TempDir temp_;
};

TEST_F(TamperedArchive, EditedLayerIsADiffIdMismatchNamingTheLayer) {
  std::string content = read_file(archive());
  const auto at = content.find("echo tool v2 rebuilt");
  ASSERT_NE(at, std::string::npos);
  content[at + 5] = 'T';  // same size: the tar still parses, only the digest can tell
  write_file(archive(), content);
  auto result = read();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kVerification) << result.error().describe();
  EXPECT_NE(result.error().message.find("layer sha256:"), std::string::npos)
      << result.error().message;
  EXPECT_NE(result.error().message.find("digest mismatch"), std::string::npos)
      << result.error().message;
}

TEST_F(TamperedArchive, TruncatedArchiveIsAParseError) {
  fs::resize_file(archive(), fs::file_size(archive()) / 2);
  auto result = read();
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.error().code == ErrorCode::kParse ||
              result.error().code == ErrorCode::kNotFound)
      << result.error().describe();
  EXPECT_NE(result.error().message.find(archive().string()), std::string::npos)
      << result.error().message;
  // The member where the cut is (a layer is a member named by its digest).
  EXPECT_NE(result.error().message.find("member "), std::string::npos) << result.error().message;
}

}  // namespace
}  // namespace zastava::image
