#include "merkle/merkle_tree.hpp"

#include <gtest/gtest.h>

#include "digest/sha2.hpp"
#include "reference_vectors.hpp"
#include "rfc6962_model.hpp"
#include "test_support.hpp"

namespace zastava::merkle {
namespace {

using namespace zastava::merkle::testing;

// --- Hash functions -------------------------------------------------------

TEST(MerkleHash, EmptyTreeRootIsSha256OfNothing) {
  EXPECT_EQ(hex_of(empty_root()), kEmptyTreeRootHex);
}

TEST(MerkleHash, LeafAndNodeHashesArePrefixedSha256) {
  // Built here from plain SHA-256 over hand-made inputs, independently of the
  // library's prefixing.
  const Bytes leaf = to_bytes("zastava");
  Bytes prefixed_leaf = {0x00};
  prefixed_leaf.insert(prefixed_leaf.end(), leaf.begin(), leaf.end());
  EXPECT_EQ(leaf_hash(leaf), digest::sha256(prefixed_leaf));
  EXPECT_NE(leaf_hash(leaf), digest::sha256(leaf));

  const Hash left = digest::sha256(as_bytes("left"));
  const Hash right = digest::sha256(as_bytes("right"));
  Bytes prefixed_node = {0x01};
  prefixed_node.insert(prefixed_node.end(), left.begin(), left.end());
  prefixed_node.insert(prefixed_node.end(), right.begin(), right.end());
  EXPECT_EQ(node_hash(left, right), digest::sha256(prefixed_node));
  EXPECT_NE(node_hash(left, right), node_hash(right, left));
}

// --- RFC 6962 reference vectors (see reference_vectors.hpp) ----------------

TEST(MerkleReferenceVectors, RootOfEveryPrefix) {
  const std::vector<Bytes> leaves = reference_leaves(8);
  EXPECT_EQ(hex_of(MerkleTree::from_leaves({}).root()), kEmptyTreeRootHex);
  EXPECT_EQ(hex_of(root_from_leaf_hashes({})), kEmptyTreeRootHex);
  for (std::size_t size = 1; size <= 8; ++size) {
    SCOPED_TRACE("size " + std::to_string(size));
    const std::span<const Bytes> prefix(leaves.data(), size);
    const MerkleTree tree = MerkleTree::from_leaves(prefix);
    EXPECT_EQ(tree.size(), size);
    EXPECT_EQ(hex_of(tree.root()), kRootsHex[size - 1]);
    const std::vector<Hash> hashes = leaf_hashes_of({prefix.begin(), prefix.end()});
    EXPECT_EQ(hex_of(root_from_leaf_hashes(hashes)), kRootsHex[size - 1]);
    EXPECT_EQ(hex_of(MerkleTree::from_leaf_hashes(hashes).root()), kRootsHex[size - 1]);
  }
}

TEST(MerkleReferenceVectors, InclusionProofs) {
  const std::vector<Bytes> leaves = reference_leaves(8);
  for (const InclusionVector& vector : inclusion_vectors()) {
    SCOPED_TRACE("leaf " + std::to_string(vector.index) + " of " +
                 std::to_string(vector.tree_size));
    const MerkleTree tree = MerkleTree::from_leaves({leaves.data(), vector.tree_size});
    const auto proof = tree.inclusion_proof(vector.index);
    ASSERT_TRUE(proof.ok()) << proof.error().describe();
    EXPECT_EQ(*proof, hashes_from_hex(vector.proof_hex));

    const Hash root = hash_from_hex(kRootsHex[vector.tree_size - 1]);
    const Status verified =
        verify_inclusion(leaf_hash(leaves[vector.index]), vector.index, vector.tree_size,
                         hashes_from_hex(vector.proof_hex), root);
    EXPECT_TRUE(verified.ok()) << verified.error().describe();
  }
}

TEST(MerkleReferenceVectors, ConsistencyProofs) {
  const std::vector<Bytes> leaves = reference_leaves(8);
  for (const ConsistencyVector& vector : consistency_vectors()) {
    SCOPED_TRACE(std::to_string(vector.old_size) + " -> " + std::to_string(vector.new_size));
    const MerkleTree tree = MerkleTree::from_leaves({leaves.data(), vector.new_size});
    const auto proof = tree.consistency_proof(vector.old_size);
    ASSERT_TRUE(proof.ok()) << proof.error().describe();
    EXPECT_EQ(*proof, hashes_from_hex(vector.proof_hex));

    const Status verified = verify_consistency(
        vector.old_size, vector.new_size, hash_from_hex(kRootsHex[vector.old_size - 1]),
        hash_from_hex(kRootsHex[vector.new_size - 1]), hashes_from_hex(vector.proof_hex));
    EXPECT_TRUE(verified.ok()) << verified.error().describe();
  }
}

// --- Against the recursive RFC 6962 model (rfc6962_model.hpp) -------------

constexpr std::size_t kMaxModelSize = 70;

TEST(MerkleModel, RootsAgreeForEverySizeUpTo300) {
  const std::vector<Hash> hashes = leaf_hashes_of(numbered_leaves(300));
  for (std::size_t size = 0; size <= hashes.size(); ++size) {
    const std::span<const Hash> prefix(hashes.data(), size);
    const Hash expected = model_root(prefix);
    EXPECT_EQ(root_from_leaf_hashes(prefix), expected) << "size " << size;
    EXPECT_EQ(MerkleTree::from_leaf_hashes(first(hashes, size)).root(), expected)
        << "size " << size;
  }
}

TEST(MerkleModel, InclusionProofsAgreeForEveryIndex) {
  const std::vector<Hash> hashes = leaf_hashes_of(numbered_leaves(kMaxModelSize));
  for (std::size_t size = 1; size <= kMaxModelSize; ++size) {
    const std::span<const Hash> prefix(hashes.data(), size);
    const MerkleTree tree = MerkleTree::from_leaf_hashes(first(hashes, size));
    for (std::size_t index = 0; index < size; ++index) {
      const auto proof = tree.inclusion_proof(index);
      ASSERT_TRUE(proof.ok()) << proof.error().describe();
      EXPECT_EQ(*proof, model_path(index, prefix)) << "leaf " << index << " of " << size;
    }
  }
}

TEST(MerkleModel, ConsistencyProofsAgreeForEveryOldSize) {
  const std::vector<Hash> hashes = leaf_hashes_of(numbered_leaves(kMaxModelSize));
  for (std::size_t size = 1; size <= kMaxModelSize; ++size) {
    const std::span<const Hash> prefix(hashes.data(), size);
    const MerkleTree tree = MerkleTree::from_leaf_hashes(first(hashes, size));
    for (std::size_t old_size = 1; old_size <= size; ++old_size) {
      const auto proof = tree.consistency_proof(old_size);
      ASSERT_TRUE(proof.ok()) << proof.error().describe();
      EXPECT_EQ(*proof, model_consistency(old_size, prefix)) << old_size << " -> " << size;
    }
  }
}

TEST(MerkleModel, LargeTreeAgreesAndItsProofsVerify) {
  // Just past a power of two, so the right edge is deep and ragged.
  const std::size_t size = (std::size_t{1} << 17) + 3;
  std::vector<Hash> hashes(size);
  for (std::size_t i = 0; i < size; ++i) {
    hashes[i] = leaf_hash(to_bytes(std::to_string(i)));
  }
  const MerkleTree tree = MerkleTree::from_leaf_hashes(hashes);
  const Hash expected = model_root(hashes);
  EXPECT_EQ(tree.root(), expected);
  EXPECT_EQ(root_from_leaf_hashes(hashes), expected);

  for (const std::size_t index : {std::size_t{0}, std::size_t{1} << 16, size - 3, size - 1}) {
    const auto proof = tree.inclusion_proof(index);
    ASSERT_TRUE(proof.ok());
    EXPECT_EQ(*proof, model_path(index, hashes)) << "leaf " << index;
    const Status verified = verify_inclusion(hashes[index], index, size, *proof, tree.root());
    EXPECT_TRUE(verified.ok()) << verified.error().describe();
  }
  for (const std::size_t old_size : {std::size_t{1}, std::size_t{1} << 17, size - 1, 77'777UL}) {
    const auto proof = tree.consistency_proof(old_size);
    ASSERT_TRUE(proof.ok());
    const Hash old_root = root_from_leaf_hashes({hashes.data(), old_size});
    const Status verified = verify_consistency(old_size, size, old_root, tree.root(), *proof);
    EXPECT_TRUE(verified.ok()) << verified.error().describe();
  }
}

// --- Edge cases ------------------------------------------------------------

TEST(MerkleTree, EmptyTreeHasNoInclusionProofs) {
  const MerkleTree tree = MerkleTree::from_leaf_hashes({});
  EXPECT_EQ(tree.size(), 0U);
  EXPECT_EQ(tree.root(), empty_root());
  const auto proof = tree.inclusion_proof(0);
  ASSERT_FALSE(proof.ok());
  EXPECT_EQ(proof.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(proof.error().message.find("leaf index 0 is out of range for a tree of 0 leaves"),
            std::string::npos)
      << proof.error().message;
  const auto consistency = tree.consistency_proof(0);
  ASSERT_TRUE(consistency.ok());
  EXPECT_TRUE(consistency->empty());
}

TEST(MerkleTree, SingleLeafTreeRootIsTheLeafHash) {
  const Bytes leaf = to_bytes("only");
  const MerkleTree tree = MerkleTree::from_leaves(std::vector<Bytes>{leaf});
  EXPECT_EQ(tree.size(), 1U);
  EXPECT_EQ(tree.root(), leaf_hash(leaf));
  const auto proof = tree.inclusion_proof(0);
  ASSERT_TRUE(proof.ok());
  EXPECT_TRUE(proof->empty());
  EXPECT_TRUE(verify_inclusion(leaf_hash(leaf), 0, 1, *proof, tree.root()).ok());
  EXPECT_FALSE(tree.inclusion_proof(1).ok());
}

TEST(MerkleTree, ConsistencyProofsForTrivialOldSizesAreEmpty) {
  const MerkleTree tree = MerkleTree::from_leaves(numbered_leaves(5));
  for (const std::uint64_t old_size : {std::uint64_t{0}, std::uint64_t{5}}) {
    const auto proof = tree.consistency_proof(old_size);
    ASSERT_TRUE(proof.ok());
    EXPECT_TRUE(proof->empty()) << "old size " << old_size;
  }
}

TEST(MerkleTree, ProofRequestsBeyondTheTreeAreRejected) {
  const MerkleTree tree = MerkleTree::from_leaves(numbered_leaves(5));
  const auto inclusion = tree.inclusion_proof(5);
  ASSERT_FALSE(inclusion.ok());
  EXPECT_EQ(inclusion.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(inclusion.error().message.find("leaf index 5"), std::string::npos);

  const auto consistency = tree.consistency_proof(6);
  ASSERT_FALSE(consistency.ok());
  EXPECT_EQ(consistency.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(consistency.error().message.find("old size 6 is larger than the tree's 5 leaves"),
            std::string::npos)
      << consistency.error().message;
}

// --- Content ids -------------------------------------------------------------

TEST(MerkleHashId, FormatsAsSha256ContentIdAndParsesBack) {
  EXPECT_EQ(format_hash(empty_root()), "sha256:" + std::string(kEmptyTreeRootHex));
  EXPECT_EQ(to_content_id(empty_root()), digest::ContentId::sha256_of({}));
  const Hash root = hash_from_hex(kRootsHex[7]);
  const auto parsed = parse_hash(format_hash(root));
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(*parsed, root);
}

TEST(MerkleHashId, ParseRejectsOtherAlgorithmsAndMalformedText) {
  const auto blake3 = parse_hash("blake3:" + std::string(kEmptyTreeRootHex));
  ASSERT_FALSE(blake3.ok());
  EXPECT_EQ(blake3.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(blake3.error().message.find("sha256, not blake3"), std::string::npos)
      << blake3.error().message;

  const auto sha512 = parse_hash(digest::ContentId::of(digest::Algorithm::kSha512, {}).to_string());
  ASSERT_FALSE(sha512.ok());
  EXPECT_EQ(sha512.error().code, ErrorCode::kUnsupported);

  const auto bare_hex = parse_hash(kEmptyTreeRootHex);
  ASSERT_FALSE(bare_hex.ok());
  EXPECT_EQ(bare_hex.error().code, ErrorCode::kParse);
  EXPECT_EQ(bare_hex.error().message.rfind("merkle hash: ", 0), 0U) << bare_hex.error().message;

  EXPECT_FALSE(parse_hash("sha256:" + std::string(64, 'A')).ok());  // upper case
  EXPECT_FALSE(parse_hash("sha256:" + std::string(62, 'a')).ok());  // short
}

}  // namespace
}  // namespace zastava::merkle
