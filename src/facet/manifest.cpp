#include "facet/manifest.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <memory>
#include <stdexcept>

#include "base/hex.hpp"
#include "facet/names.hpp"
#include "merkle/merkle_tree.hpp"

namespace zastava::facet {
namespace {

constexpr std::string_view kLeafTag = "zastava.facet.entry.v1";

// Writes `value` at out[pos] preceded by its length as 8 big-endian bytes.
std::size_t put_field(Bytes& out, std::size_t pos, std::string_view value) {
  const auto length = static_cast<std::uint64_t>(value.size());
  for (int shift = 56; shift >= 0; shift -= 8) {
    out[pos++] = static_cast<std::uint8_t>(length >> shift);
  }
  for (const char c : value) out[pos++] = static_cast<std::uint8_t>(c);
  return pos;
}

std::string_view kind_name(EntryKind kind) {
  return kind == EntryKind::kSymlink ? "symlink" : "file";
}

// Why `path` is not an absolute, normalized POSIX path, or "" when it is.
std::string path_problem(std::string_view path) {
  if (path.empty() || path.front() != '/') return "is not absolute";
  if (path.size() == 1 || path.back() == '/') return "ends with '/'";
  if (path.find('\0') != std::string_view::npos) return "contains a NUL byte";
  std::size_t start = 1;
  while (start <= path.size()) {
    const std::size_t slash = std::min(path.find('/', start), path.size());
    const std::string_view segment = path.substr(start, slash - start);
    if (segment.empty()) return "contains \"//\"";
    if (segment == "." || segment == "..") return "contains a \".\" or \"..\" segment";
    start = slash + 1;
  }
  return "";
}

Status check_entry(const FileEntry& entry) {
  const auto fail = [&](const std::string& problem) {
    return make_error(ErrorCode::kInvalidArgument,
                      "manifest entry \"" + entry.path + "\": " + problem);
  };
  if (const std::string problem = path_problem(entry.path); !problem.empty()) {
    return fail("path " + problem);
  }
  if (!is_sha256_content_id(entry.content_hash)) {
    return fail("content hash \"" + entry.content_hash + "\" is not \"sha256:<64 hex digits>\"");
  }
  if (entry.mode > 07777u) return fail("mode has bits above 07777");
  return ok_status();
}

// merkle::leaf_hash(leaf_encoding(entry)) for many entries through one
// OpenSSL context: a one-shot digest fetches SHA-256 and allocates a context
// on every call, which costs more than hashing a short leaf. Manifests of
// 100k files are hashed on every seal and every verification.
class LeafHasher {
 public:
  LeafHasher() : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), context_(EVP_MD_CTX_new()) {
    if (md_ == nullptr || context_ == nullptr) throw std::runtime_error("OpenSSL: no SHA-256");
  }

  merkle::Hash hash(const FileEntry& entry) {
    static constexpr std::uint8_t kLeafPrefix = 0x00;  // RFC 6962 leaf domain separation
    const Bytes leaf = leaf_encoding(entry);
    merkle::Hash out{};
    if (EVP_DigestInit_ex(context_.get(), md_.get(), nullptr) != 1 ||
        EVP_DigestUpdate(context_.get(), &kLeafPrefix, 1) != 1 ||
        EVP_DigestUpdate(context_.get(), leaf.data(), leaf.size()) != 1 ||
        EVP_DigestFinal_ex(context_.get(), out.data(), nullptr) != 1) {
      throw std::runtime_error("OpenSSL: SHA-256 failed");
    }
    return out;
  }

 private:
  struct MdFree {
    void operator()(EVP_MD* md) const { EVP_MD_free(md); }
  };
  struct ContextFree {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
  };
  std::unique_ptr<EVP_MD, MdFree> md_;
  std::unique_ptr<EVP_MD_CTX, ContextFree> context_;
};

std::vector<merkle::Hash> leaf_hashes(const std::vector<FileEntry>& files) {
  LeafHasher hasher;
  std::vector<merkle::Hash> hashes;
  hashes.reserve(files.size());
  for (const FileEntry& entry : files) hashes.push_back(hasher.hash(entry));
  return hashes;
}

std::string root_of(const std::vector<FileEntry>& files) {
  const std::vector<merkle::Hash> hashes = leaf_hashes(files);
  return merkle::format_hash(merkle::root_from_leaf_hashes(hashes));
}

std::uint64_t total_bytes_of(const std::vector<FileEntry>& files) {
  std::uint64_t total = 0;
  for (const FileEntry& entry : files) total += entry.size;
  return total;
}

Status verification_error(const FacetManifest& manifest, const std::string& problem) {
  return make_error(ErrorCode::kVerification,
                    "manifest of facet \"" + manifest.facet_id + "\": " + problem);
}

}  // namespace

bool is_sha256_content_id(std::string_view text) noexcept {
  constexpr std::string_view kPrefix = "sha256:";
  return text.size() == kPrefix.size() + 64 && text.starts_with(kPrefix) &&
         encoding::is_lower_hex(text.substr(kPrefix.size()));
}

Bytes leaf_encoding(const FileEntry& entry) {
  const std::string size = std::to_string(entry.size);
  const std::string mode = format_mode(entry.mode);
  const std::array<std::string_view, 5> fields = {entry.path, entry.content_hash, size, mode,
                                                  kind_name(entry.kind)};
  std::size_t length = kLeafTag.size();
  for (const std::string_view field : fields) length += 8 + field.size();
  Bytes out(length);
  std::size_t pos = 0;
  for (const char c : kLeafTag) out[pos++] = static_cast<std::uint8_t>(c);
  for (const std::string_view field : fields) pos = put_field(out, pos, field);
  return out;
}

Result<FacetManifest> build_manifest(std::string facet_id, FacetType type,
                                     std::vector<FileEntry> files, std::string extracted_at) {
  if (auto time = parse_time(extracted_at); !time) {
    return time.error().with_context("manifest of facet \"" + facet_id + "\": extractedAt");
  }
  for (const FileEntry& entry : files) {
    if (Status status = check_entry(entry); !status) {
      return status.error().with_context("facet \"" + facet_id + "\"");
    }
  }
  const auto by_path = [](const FileEntry& a, const FileEntry& b) { return a.path < b.path; };
  // Image readers hand files over sorted already; only sort what is not.
  if (!std::is_sorted(files.begin(), files.end(), by_path)) {
    std::sort(files.begin(), files.end(), by_path);
  }
  const auto duplicate =
      std::adjacent_find(files.begin(), files.end(),
                         [](const FileEntry& a, const FileEntry& b) { return a.path == b.path; });
  if (duplicate != files.end()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "facet \"" + facet_id + "\": duplicate path \"" + duplicate->path + "\"");
  }
  FacetManifest manifest;
  manifest.facet_id = std::move(facet_id);
  manifest.type = type;
  manifest.merkle_root = root_of(files);
  manifest.file_count = files.size();
  manifest.total_bytes = total_bytes_of(files);
  manifest.files = std::move(files);
  manifest.extracted_at = std::move(extracted_at);
  manifest.extractor_version = std::string(kExtractorVersion);
  return manifest;
}

Status verify_manifest(const FacetManifest& manifest) {
  for (std::size_t i = 0; i < manifest.files.size(); ++i) {
    if (Status status = check_entry(manifest.files[i]); !status) {
      return verification_error(manifest, status.error().message);
    }
    if (i > 0 && !(manifest.files[i - 1].path < manifest.files[i].path)) {
      return verification_error(manifest, "entries are not sorted by path with no duplicates: \"" +
                                              manifest.files[i - 1].path + "\" then \"" +
                                              manifest.files[i].path + "\"");
    }
  }
  if (manifest.file_count != manifest.files.size()) {
    return verification_error(manifest, "fileCount is " + std::to_string(manifest.file_count) +
                                            " but there are " +
                                            std::to_string(manifest.files.size()) + " entries");
  }
  if (const std::uint64_t total = total_bytes_of(manifest.files); manifest.total_bytes != total) {
    return verification_error(manifest, "totalBytes is " + std::to_string(manifest.total_bytes) +
                                            " but the entries' sizes add up to " +
                                            std::to_string(total));
  }
  if (const std::string root = root_of(manifest.files); manifest.merkle_root != root) {
    return verification_error(manifest, "merkleRoot " + manifest.merkle_root +
                                            " does not match the root of its entries, " + root);
  }
  return ok_status();
}

Result<MembershipProof> membership_proof(const FacetManifest& manifest, std::string_view path) {
  const auto it = std::lower_bound(
      manifest.files.begin(), manifest.files.end(), path,
      [](const FileEntry& entry, std::string_view wanted) { return entry.path < wanted; });
  if (it == manifest.files.end() || it->path != path) {
    return make_error(ErrorCode::kNotFound, "facet \"" + manifest.facet_id + "\" has no file \"" +
                                                std::string(path) + "\"");
  }
  const merkle::MerkleTree tree = merkle::MerkleTree::from_leaf_hashes(leaf_hashes(manifest.files));
  const std::string root = merkle::format_hash(tree.root());
  if (root != manifest.merkle_root) {
    return verification_error(manifest, "merkleRoot " + manifest.merkle_root +
                                            " does not match the root of its entries, " + root)
        .error();
  }
  const auto index = static_cast<std::uint64_t>(it - manifest.files.begin());
  auto path_hashes = tree.inclusion_proof(index);
  if (!path_hashes) return path_hashes.error();
  MembershipProof proof;
  proof.path = std::string(path);
  proof.index = index;
  proof.tree_size = tree.size();
  for (const merkle::Hash& hash : *path_hashes) proof.hashes.push_back(merkle::format_hash(hash));
  proof.root = root;
  return proof;
}

Status verify_membership(const FileEntry& entry, const MembershipProof& proof) {
  if (entry.path != proof.path) {
    return make_error(ErrorCode::kVerification,
                      "membership proof is for \"" + proof.path + "\", not \"" + entry.path + "\"");
  }
  auto root = merkle::parse_hash(proof.root);
  if (!root) return root.error().with_context("membership proof root");
  std::vector<merkle::Hash> hashes;
  for (std::size_t i = 0; i < proof.hashes.size(); ++i) {
    auto hash = merkle::parse_hash(proof.hashes[i]);
    if (!hash) return hash.error().with_context("membership proof hash " + std::to_string(i));
    hashes.push_back(*hash);
  }
  const Status status = merkle::verify_inclusion(merkle::leaf_hash(leaf_encoding(entry)),
                                                 proof.index, proof.tree_size, hashes, *root);
  if (!status) return status.error().with_context("membership of \"" + entry.path + "\"");
  return ok_status();
}

}  // namespace zastava::facet
