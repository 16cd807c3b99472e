#pragma once
// Building and checking facet manifests, and proving one file's membership.
//
// Leaf encoding (one Merkle leaf per entry, in path order), version 1:
//   "zastava.facet.entry.v1" || field(path) || field(content_hash) ||
//   field(size as decimal ASCII) || field(mode as "0644") || field(kind: "file" | "symlink")
// where field(x) = 8-byte big-endian length of x || x. Length prefixes make
// the encoding unambiguous (no two entries encode alike). mtime is left out on
// purpose (as in the seed's leaf hash): two images with the same content have
// the same root whatever their timestamps; mtime is still in the signed payload.
// The root is the RFC 6962 root (src/merkle) of these leaves.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "facet/model.hpp"

namespace zastava::facet {

inline constexpr std::string_view kExtractorVersion = "zastava-facet/1.0.0";

Bytes leaf_encoding(const FileEntry& entry);

// True for "sha256:<64 lower-case hex digits>", the only content hash form a
// manifest entry may have (what digest::ContentId::parse accepts for sha256).
bool is_sha256_content_id(std::string_view text) noexcept;

// Sorts `files` by path, rejects duplicates and non-normalized paths, and
// fills merkle_root, file_count and total_bytes.
Result<FacetManifest> build_manifest(std::string facet_id, FacetType type,
                                     std::vector<FileEntry> files, std::string extracted_at);

// Recomputes what build_manifest computed and compares: kVerification naming
// the field that differs (root, count, bytes, order).
Status verify_manifest(const FacetManifest& manifest);

struct MembershipProof {
  std::string path;
  std::uint64_t index = 0;
  std::uint64_t tree_size = 0;
  std::vector<std::string> hashes;  // "sha256:<hex>", RFC 9162 inclusion proof order
  std::string root;                 // "sha256:<hex>"
};

Result<MembershipProof> membership_proof(const FacetManifest& manifest, std::string_view path);
Status verify_membership(const FileEntry& entry, const MembershipProof& proof);

}  // namespace zastava::facet
