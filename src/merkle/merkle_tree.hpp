#pragma once
// Merkle trees as defined by RFC 6962 section 2.1 and RFC 9162 section 2.1,
// the shape Certificate Transparency and Sigstore's Rekor use. One tree
// serves facet manifests, provcache evidence chunks and transparency-log
// inclusion proofs.
//
// Leaves. A leaf is an opaque byte string chosen by the caller; this module
// never interprets it. Modules that put things in a tree (facet, provcache)
// define their own leaf encodings and pass either the leaf bytes or, when
// they already hold them, the leaf hashes.
//
// Hashing (SHA-256, domain separated so a leaf can never pass for a node):
//   leaf_hash(d)    = SHA-256(0x00 || d)
//   node_hash(l, r) = SHA-256(0x01 || l || r)
//   MTH({})         = SHA-256("")            (the empty tree)
//   MTH({d0})       = leaf_hash(d0)
//   MTH(D[n])       = node_hash(MTH(D[0:k]), MTH(D[k:n]))  for n > 1,
//                     k = the largest power of two strictly smaller than n.
// So the left subtree is always perfect and the tree leans left; equivalently,
// hash adjacent pairs level by level and carry an odd last node up unchanged.
//
// Proofs. An inclusion proof (RFC 9162 2.1.3, RFC 6962 PATH) lists the sibling
// hashes from the leaf up to the root; a consistency proof (RFC 9162 2.1.4,
// RFC 6962 PROOF) shows that the tree of old_size leaves is a prefix of the
// tree of new_size leaves. Both are ordered bottom-up, byte-for-byte what CT
// logs and Rekor return. A root does not commit to the tree size: verifiers
// must take the size from the same signed statement as the root.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "digest/content_id.hpp"

namespace zastava::merkle {

using Hash = std::array<std::uint8_t, 32>;

// The hash functions above. They throw std::runtime_error only if OpenSSL
// itself fails (out of memory), like digest::sha256.
Hash leaf_hash(ByteView leaf);
Hash node_hash(const Hash& left, const Hash& right);
Hash empty_root();  // SHA-256 of the empty string

// MTH of the leaves whose hashes are given, in order. Iterative: O(n) time,
// O(log n) extra memory, any n.
Hash root_from_leaf_hashes(std::span<const Hash> leaf_hashes);

// An immutable tree that keeps every level, so proofs cost O(log n) lookups
// and no hashing. Memory: about two hashes a leaf.
class MerkleTree {
 public:
  static MerkleTree from_leaf_hashes(std::vector<Hash> leaf_hashes);
  static MerkleTree from_leaves(std::span<const Bytes> leaves);

  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
  [[nodiscard]] const Hash& root() const noexcept { return root_; }

  // The audit path for the leaf at `index` (0-based). kInvalidArgument when
  // index >= size().
  [[nodiscard]] Result<std::vector<Hash>> inclusion_proof(std::uint64_t index) const;

  // Proof that the tree of the first `old_size` leaves is a prefix of this
  // one. Empty when old_size is 0 or size(); kInvalidArgument when
  // old_size > size().
  [[nodiscard]] Result<std::vector<Hash>> consistency_proof(std::uint64_t old_size) const;

 private:
  explicit MerkleTree(std::vector<Hash> leaf_hashes);

  // levels_[0] holds the leaf hashes; levels_[k][i] is the root of the
  // subtree over leaves [i * 2^k, min((i + 1) * 2^k, size)). The last level
  // holds the root alone. Empty for the empty tree.
  std::vector<std::vector<Hash>> levels_;
  std::uint64_t size_ = 0;
  Hash root_{};
};

// RFC 9162 2.1.3.2. kInvalidArgument when index >= tree_size or the proof
// does not have the length the index and size demand; kVerification when
// the proof leads to another root.
Status verify_inclusion(const Hash& leaf_hash, std::uint64_t index, std::uint64_t tree_size,
                        std::span<const Hash> proof, const Hash& root);

// RFC 9162 2.1.4.2 for 0 < old_size < new_size. The cases the RFC leaves
// out: old_size == new_size needs an empty proof and equal roots; old_size
// == 0 needs an empty proof and old_root == empty_root() (every tree extends
// the empty tree). kInvalidArgument for old_size > new_size or a proof of
// the wrong length; kVerification when a root is not reproduced.
Status verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const Hash& old_root,
                          const Hash& new_root, std::span<const Hash> proof);

// Hashes as content identities, "sha256:<64 lower-case hex digits>".
digest::ContentId to_content_id(const Hash& hash);
std::string format_hash(const Hash& hash);
// Strict (digest::ContentId::parse); kUnsupported for another algorithm.
Result<Hash> parse_hash(std::string_view text);

}  // namespace zastava::merkle
