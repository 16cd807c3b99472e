#include "merkle/merkle_tree.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

#include "digest/sha2.hpp"
#include "merkle/tree_hasher.hpp"

namespace zastava::merkle {
namespace {

// Pairs adjacent nodes of one level; an odd last node moves up unchanged,
// which yields exactly the RFC 6962 split at the largest power of two.
std::vector<Hash> next_level(const std::vector<Hash>& level, detail::TreeHasher& hasher) {
  std::vector<Hash> parents;
  parents.reserve((level.size() + 1) / 2);
  for (std::size_t i = 0; i + 1 < level.size(); i += 2) {
    parents.push_back(hasher.node(level[i], level[i + 1]));
  }
  if (level.size() % 2 == 1) parents.push_back(level.back());
  return parents;
}

// Appends the siblings of node `index` of `first_level` and of each of its
// ancestors, bottom-up. A node without a sibling (the odd last one) adds
// nothing at that level.
void append_path(const std::vector<std::vector<Hash>>& levels, std::size_t first_level,
                 std::uint64_t index, std::vector<Hash>& proof) {
  for (std::size_t level = first_level; level + 1 < levels.size(); ++level) {
    const std::uint64_t sibling = index ^ 1U;
    if (sibling < levels[level].size()) proof.push_back(levels[level][sibling]);
    index >>= 1U;
  }
}

}  // namespace

Hash leaf_hash(ByteView leaf) {
  static constexpr std::uint8_t kLeafPrefix[1] = {0x00};
  digest::Sha256Hasher hasher;
  hasher.update(kLeafPrefix);
  hasher.update(leaf);
  return hasher.finish();
}

Hash node_hash(const Hash& left, const Hash& right) {
  std::array<std::uint8_t, 1 + 2 * sizeof(Hash)> input{};
  input[0] = 0x01;
  std::copy(left.begin(), left.end(), input.begin() + 1);
  std::copy(right.begin(), right.end(), input.begin() + 1 + sizeof(Hash));
  return digest::sha256(input);
}

Hash empty_root() {
  return digest::sha256({});
}

Hash root_from_leaf_hashes(std::span<const Hash> leaf_hashes) {
  if (leaf_hashes.empty()) return empty_root();
  detail::TreeHasher hasher;
  // Roots of the perfect subtrees seen so far, largest first: after c
  // leaves there is one for every set bit of c (a compact range).
  std::vector<Hash> perfect_roots;
  perfect_roots.reserve(64);
  std::uint64_t count = 0;
  for (const Hash& leaf : leaf_hashes) {
    Hash carry = leaf;
    ++count;
    for (std::uint64_t c = count; (c & 1U) == 0; c >>= 1U) {
      carry = hasher.node(perfect_roots.back(), carry);
      perfect_roots.pop_back();
    }
    perfect_roots.push_back(carry);
  }
  // The right edge: fold the perfect subtrees from the smallest up.
  Hash root = perfect_roots.back();
  for (auto it = perfect_roots.rbegin() + 1; it != perfect_roots.rend(); ++it) {
    root = hasher.node(*it, root);
  }
  return root;
}

MerkleTree::MerkleTree(std::vector<Hash> leaf_hashes) : size_(leaf_hashes.size()) {
  if (leaf_hashes.empty()) {
    root_ = empty_root();
    return;
  }
  detail::TreeHasher hasher;
  levels_.push_back(std::move(leaf_hashes));
  while (levels_.back().size() > 1) {
    levels_.push_back(next_level(levels_.back(), hasher));
  }
  root_ = levels_.back().front();
}

MerkleTree MerkleTree::from_leaf_hashes(std::vector<Hash> leaf_hashes) {
  return MerkleTree(std::move(leaf_hashes));
}

MerkleTree MerkleTree::from_leaves(std::span<const Bytes> leaves) {
  detail::TreeHasher hasher;
  std::vector<Hash> hashes;
  hashes.reserve(leaves.size());
  for (const Bytes& leaf : leaves) hashes.push_back(hasher.leaf(leaf));
  return MerkleTree(std::move(hashes));
}

Result<std::vector<Hash>> MerkleTree::inclusion_proof(std::uint64_t index) const {
  if (index >= size_) {
    return make_error(ErrorCode::kInvalidArgument,
                      "merkle inclusion proof: leaf index " + std::to_string(index) +
                          " is out of range for a tree of " + std::to_string(size_) + " leaves");
  }
  std::vector<Hash> proof;
  append_path(levels_, 0, index, proof);
  return proof;
}

Result<std::vector<Hash>> MerkleTree::consistency_proof(std::uint64_t old_size) const {
  if (old_size > size_) {
    return make_error(ErrorCode::kInvalidArgument,
                      "merkle consistency proof: old size " + std::to_string(old_size) +
                          " is larger than the tree's " + std::to_string(size_) + " leaves");
  }
  std::vector<Hash> proof;
  if (old_size == 0 || old_size == size_) return proof;
  // The old tree's rightmost perfect subtree covers leaves
  // [old_size - 2^level, old_size); the proof is that node (unless it is the
  // whole old tree, whose root the verifier already has) followed by its
  // path to the new root (RFC 6962 SUBPROOF unrolled).
  const auto level = static_cast<std::size_t>(std::countr_zero(old_size));
  const std::uint64_t index = (old_size - 1) >> level;
  if (!std::has_single_bit(old_size)) proof.push_back(levels_[level][index]);
  append_path(levels_, level, index, proof);
  return proof;
}

digest::ContentId to_content_id(const Hash& hash) {
  return digest::ContentId(digest::Algorithm::kSha256, Bytes(hash.begin(), hash.end()));
}

std::string format_hash(const Hash& hash) {
  return to_content_id(hash).to_string();
}

Result<Hash> parse_hash(std::string_view text) {
  auto id = digest::ContentId::parse(text);
  if (!id.ok()) return id.error().with_context("merkle hash");
  if (id->algorithm() != digest::Algorithm::kSha256) {
    return make_error(ErrorCode::kUnsupported,
                      "merkle hash: trees are hashed with sha256, not " +
                          std::string(digest::algorithm_name(id->algorithm())));
  }
  Hash hash{};
  std::copy(id->digest().begin(), id->digest().end(), hash.begin());
  return hash;
}

}  // namespace zastava::merkle
