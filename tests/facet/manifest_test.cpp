// Tests for facet/manifest.hpp: the leaf encoding byte for byte, roots against
// an independent computation from merkle's primitives, normalization checks,
// verification, and membership proofs.
#include "facet/manifest.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "merkle/merkle_tree.hpp"

namespace zastava::facet {
namespace {

const std::string kHashA = "sha256:" + std::string(64, 'a');
const std::string kHashB = "sha256:" + std::string(64, 'b');
const std::string kHashC = "sha256:" + std::string(64, 'c');
constexpr std::string_view kExtractedAt = "2026-01-05T10:00:00.000Z";
// SHA-256 of the empty string (FIPS 180 test value).
constexpr std::string_view kEmptyRoot =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

FileEntry file(std::string path, std::string hash, std::uint64_t size, std::uint32_t mode = 0644,
               EntryKind kind = EntryKind::kRegular) {
  return FileEntry{std::move(path), std::move(hash), size, mode, 1767225600, kind};
}

// The test's own rendering of the documented encoding, from the header's
// words rather than from manifest.cpp.
std::string field(std::string_view value) {
  std::string out(8, '\0');
  std::uint64_t length = value.size();
  for (int i = 7; i >= 0; --i, length >>= 8) {
    out[static_cast<std::size_t>(i)] = static_cast<char>(length & 0xff);
  }
  return out + std::string(value);
}

merkle::Hash hand_leaf(std::string_view path, std::string_view hash, std::string_view size,
                       std::string_view mode, std::string_view kind) {
  const std::string encoding = "zastava.facet.entry.v1" + field(path) + field(hash) + field(size) +
                               field(mode) + field(kind);
  return merkle::leaf_hash(as_bytes(encoding));
}

FacetManifest build(std::vector<FileEntry> files) {
  auto manifest =
      build_manifest("config", FacetType::kConfig, std::move(files), std::string(kExtractedAt));
  EXPECT_TRUE(manifest.ok()) << manifest.error().describe();
  return std::move(manifest).value();
}

TEST(FacetLeafEncoding, IsTheDocumentedBytes) {
  const Bytes encoding = leaf_encoding(file("/etc/os-release", kHashA, 256));
  using namespace std::string_literals;
  const std::string expected = "zastava.facet.entry.v1"s +                  //
                               "\0\0\0\0\0\0\0\x0f"s + "/etc/os-release" +  // path
                               "\0\0\0\0\0\0\0\x47"s + "sha256:" + std::string(64, 'a') +
                               "\0\0\0\0\0\0\0\x03"s + "256" +   // size
                               "\0\0\0\0\0\0\0\x04"s + "0644" +  // mode
                               "\0\0\0\0\0\0\0\x04"s + "file";   // kind
  EXPECT_EQ(as_string(encoding), expected);
}

TEST(FacetLeafEncoding, CoversKindAndModeButNotMtime) {
  const FileEntry regular = file("/usr/bin/sh", kHashA, 4);
  FileEntry symlink = regular;
  symlink.kind = EntryKind::kSymlink;
  FileEntry setuid = regular;
  setuid.mode = 04755;
  FileEntry touched = regular;
  touched.mtime += 3600;
  EXPECT_NE(leaf_encoding(regular), leaf_encoding(symlink));
  EXPECT_NE(leaf_encoding(regular), leaf_encoding(setuid));
  EXPECT_EQ(leaf_encoding(regular), leaf_encoding(touched));
  const Bytes encoding = leaf_encoding(symlink);
  EXPECT_EQ(as_string(encoding).substr(encoding.size() - 15),
            std::string("\0\0\0\0\0\0\0\x07symlink", 15));
}

TEST(FacetManifestBuild, SortsByPathBytesAndFillsTheTotals) {
  const FacetManifest manifest = build(
      {file("/z", kHashA, 1), file("/\xc3\xa9t\xc3\xa9", kHashB, 20), file("/A", kHashC, 300)});
  ASSERT_EQ(manifest.files.size(), 3u);
  EXPECT_EQ(manifest.files[0].path, "/A");
  EXPECT_EQ(manifest.files[1].path, "/z");
  EXPECT_EQ(manifest.files[2].path, "/\xc3\xa9t\xc3\xa9");  // 0xc3 > 'z' as a byte
  EXPECT_EQ(manifest.file_count, 3u);
  EXPECT_EQ(manifest.total_bytes, 321u);
  EXPECT_EQ(manifest.facet_id, "config");
  EXPECT_EQ(manifest.type, FacetType::kConfig);
  EXPECT_EQ(manifest.extracted_at, kExtractedAt);
  EXPECT_EQ(manifest.extractor_version, kExtractorVersion);
}

TEST(FacetManifestBuild, RootMatchesAnIndependentComputation) {
  const FacetManifest manifest =
      build({file("/etc/hosts", kHashB, 20, 0644), file("/etc/apt", kHashA, 7, 0755),
             file("/etc/localtime", kHashC, 30, 0777, EntryKind::kSymlink)});
  // Sorted: /etc/apt, /etc/hosts, /etc/localtime. RFC 6962 with 3 leaves:
  // node(node(l0, l1), l2).
  const merkle::Hash l0 = hand_leaf("/etc/apt", kHashA, "7", "0755", "file");
  const merkle::Hash l1 = hand_leaf("/etc/hosts", kHashB, "20", "0644", "file");
  const merkle::Hash l2 = hand_leaf("/etc/localtime", kHashC, "30", "0777", "symlink");
  const merkle::Hash root = merkle::node_hash(merkle::node_hash(l0, l1), l2);
  EXPECT_EQ(manifest.merkle_root, merkle::format_hash(root));
}

TEST(FacetManifestBuild, RootOfFiveEntries) {
  std::vector<FileEntry> files;
  std::vector<merkle::Hash> leaves;
  for (int i = 0; i < 5; ++i) {
    const std::string path = "/f" + std::to_string(i);
    files.push_back(file(path, kHashA, static_cast<std::uint64_t>(i)));
    leaves.push_back(hand_leaf(path, kHashA, std::to_string(i), "0644", "file"));
  }
  const FacetManifest manifest = build(files);
  using merkle::node_hash;
  const merkle::Hash root = node_hash(
      node_hash(node_hash(leaves[0], leaves[1]), node_hash(leaves[2], leaves[3])), leaves[4]);
  EXPECT_EQ(manifest.merkle_root, merkle::format_hash(root));
}

TEST(FacetManifestBuild, OneEntryAndNoEntries) {
  EXPECT_EQ(build({file("/etc/hosts", kHashB, 20)}).merkle_root,
            merkle::format_hash(hand_leaf("/etc/hosts", kHashB, "20", "0644", "file")));
  const FacetManifest empty = build({});
  EXPECT_EQ(empty.merkle_root, kEmptyRoot);
  EXPECT_EQ(empty.file_count, 0u);
  EXPECT_EQ(empty.total_bytes, 0u);
  EXPECT_TRUE(verify_manifest(empty).ok());
}

TEST(FacetManifestBuild, RejectsNonNormalizedPaths) {
  const std::pair<std::string, std::string_view> cases[] = {
      {"etc/hosts", "not absolute"}, {"", "not absolute"},  {"/", "ends with '/'"},
      {"/etc/", "ends with '/'"},    {"/etc//hosts", "//"}, {"/etc/./hosts", "\".\""},
      {"/etc/../hosts", "\"..\""},   {"/..", "\"..\""},     {std::string("/a\0b", 4), "NUL"}};
  for (const auto& [path, reason] : cases) {
    auto manifest =
        build_manifest("os", FacetType::kOs, {file(path, kHashA, 1)}, std::string(kExtractedAt));
    ASSERT_FALSE(manifest.ok()) << path;
    EXPECT_EQ(manifest.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(manifest.error().message.find(reason), std::string::npos) << manifest.error().message;
    EXPECT_NE(manifest.error().message.find("facet \"os\""), std::string::npos);
  }
  // Dots inside names are fine.
  EXPECT_TRUE(build_manifest("os", FacetType::kOs, {file("/etc/.hidden/..x", kHashA, 1)},
                             std::string(kExtractedAt))
                  .ok());
}

TEST(FacetManifestBuild, RejectsDuplicatesBadHashesModesAndTimes) {
  auto duplicate = build_manifest(
      "os", FacetType::kOs, {file("/a", kHashA, 1), file("/b", kHashA, 1), file("/a", kHashB, 2)},
      std::string(kExtractedAt));
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.error().message.find("duplicate path \"/a\""), std::string::npos);

  for (const std::string& hash :
       {std::string(64, 'a'), "sha256:" + std::string(64, 'A'), "sha256:" + std::string(63, 'a'),
        "sha512:" + std::string(128, 'a')}) {
    auto manifest =
        build_manifest("os", FacetType::kOs, {file("/a", hash, 1)}, std::string(kExtractedAt));
    ASSERT_FALSE(manifest.ok()) << hash;
    EXPECT_NE(manifest.error().message.find("content hash"), std::string::npos);
  }
  auto mode = build_manifest("os", FacetType::kOs, {file("/a", kHashA, 1, 0100644)},
                             std::string(kExtractedAt));
  ASSERT_FALSE(mode.ok());
  EXPECT_NE(mode.error().message.find("mode"), std::string::npos);

  auto time = build_manifest("os", FacetType::kOs, {}, "2026-01-05 10:00");
  ASSERT_FALSE(time.ok());
  EXPECT_NE(time.error().message.find("extractedAt"), std::string::npos);
}

TEST(FacetManifestVerify, AcceptsWhatBuildMadeAndIgnoresMtimes) {
  FacetManifest manifest = build({file("/a", kHashA, 1), file("/b", kHashB, 2)});
  EXPECT_TRUE(verify_manifest(manifest).ok());
  manifest.files[0].mtime = 0;
  EXPECT_TRUE(verify_manifest(manifest).ok());
}

void expect_verification_error(const FacetManifest& manifest, std::string_view field) {
  const Status status = verify_manifest(manifest);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kVerification);
  EXPECT_NE(status.error().message.find(field), std::string::npos) << status.error().message;
  EXPECT_NE(status.error().message.find("facet \"config\""), std::string::npos);
}

TEST(FacetManifestVerify, NamesWhatDiffers) {
  const FacetManifest good = build({file("/a", kHashA, 1), file("/b", kHashB, 2)});
  FacetManifest edited = good;
  edited.files[1].content_hash = kHashC;
  expect_verification_error(edited, "merkleRoot");
  FacetManifest resized = good;
  resized.files[1].size = 3;
  resized.total_bytes = 4;
  expect_verification_error(resized, "merkleRoot");
  FacetManifest chmod = good;
  chmod.files[0].mode = 0600;
  expect_verification_error(chmod, "merkleRoot");
  FacetManifest count = good;
  count.file_count = 3;
  expect_verification_error(count, "fileCount");
  FacetManifest bytes = good;
  bytes.total_bytes = 4;
  expect_verification_error(bytes, "totalBytes");
  FacetManifest unsorted = good;
  std::swap(unsorted.files[0], unsorted.files[1]);
  expect_verification_error(unsorted, "sorted");
  FacetManifest duplicated = good;
  duplicated.files[1] = duplicated.files[0];
  expect_verification_error(duplicated, "sorted");
  FacetManifest removed = good;
  removed.files.pop_back();
  expect_verification_error(removed, "fileCount");
  FacetManifest relative = good;
  relative.files[0].path = "a";
  expect_verification_error(relative, "not absolute");
}

TEST(FacetMembership, EveryEntryHasAProofThatVerifies) {
  std::vector<FileEntry> files;
  for (int i = 0; i < 7; ++i) files.push_back(file("/f" + std::to_string(i), kHashA, 10));
  const FacetManifest manifest = build(files);
  for (const FileEntry& entry : manifest.files) {
    auto proof = membership_proof(manifest, entry.path);
    ASSERT_TRUE(proof.ok()) << proof.error().describe();
    EXPECT_EQ(proof->path, entry.path);
    EXPECT_EQ(proof->tree_size, 7u);
    EXPECT_EQ(proof->root, manifest.merkle_root);
    EXPECT_TRUE(verify_membership(entry, *proof).ok()) << entry.path;
  }
  EXPECT_EQ(membership_proof(manifest, "/f3")->index, 3u);
  EXPECT_EQ(membership_proof(manifest, "/f3")->hashes.size(), 3u);  // log2(8) levels
}

TEST(FacetMembership, ASingleEntryHasAnEmptyProof) {
  const FacetManifest manifest = build({file("/only", kHashA, 1)});
  auto proof = membership_proof(manifest, "/only");
  ASSERT_TRUE(proof.ok());
  EXPECT_TRUE(proof->hashes.empty());
  EXPECT_TRUE(verify_membership(manifest.files[0], *proof).ok());
}

TEST(FacetMembership, FailsWhenTampered) {
  const FacetManifest manifest =
      build({file("/a", kHashA, 1), file("/b", kHashB, 2), file("/c", kHashC, 3)});
  const MembershipProof proof = membership_proof(manifest, "/b").value();

  FileEntry edited = manifest.files[1];
  edited.content_hash = kHashC;
  EXPECT_EQ(verify_membership(edited, proof).error().code, ErrorCode::kVerification);
  edited = manifest.files[1];
  edited.size = 3;
  EXPECT_EQ(verify_membership(edited, proof).error().code, ErrorCode::kVerification);

  MembershipProof bad_hash = proof;
  bad_hash.hashes[0] = kHashA;
  EXPECT_EQ(verify_membership(manifest.files[1], bad_hash).error().code, ErrorCode::kVerification);
  MembershipProof bad_root = proof;
  bad_root.root = kHashA;
  EXPECT_EQ(verify_membership(manifest.files[1], bad_root).error().code, ErrorCode::kVerification);
  MembershipProof bad_index = proof;
  bad_index.index = 0;
  EXPECT_FALSE(verify_membership(manifest.files[1], bad_index).ok());
  MembershipProof truncated = proof;
  truncated.hashes.pop_back();
  EXPECT_FALSE(verify_membership(manifest.files[1], truncated).ok());
  MembershipProof garbled = proof;
  garbled.hashes[0] = "sha256:xyz";
  EXPECT_FALSE(verify_membership(manifest.files[1], garbled).ok());

  const Status other_path = verify_membership(manifest.files[0], proof);
  ASSERT_FALSE(other_path.ok());
  EXPECT_NE(other_path.error().message.find("\"/b\""), std::string::npos);
}

TEST(FacetMembership, MissingPathsAndInconsistentManifests) {
  FacetManifest manifest = build({file("/a", kHashA, 1), file("/c", kHashC, 3)});
  auto missing = membership_proof(manifest, "/b");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("\"/b\""), std::string::npos);
  manifest.files[0].size = 2;
  auto stale = membership_proof(manifest, "/a");
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kVerification);
}

}  // namespace
}  // namespace zastava::facet
