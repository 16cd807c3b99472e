// Proof verification: every proof of every small tree verifies, and every
// alteration of it fails. The alterations follow the CT verifier tests
// (google/certificate-transparency merkle_tree_test.cc, transparency-dev
// proof/verify_test.go). Sizes are altered only by doubling and halving:
// a root does not commit to the tree size, so some other sizes with the
// same proof shape legitimately verify (leaf 0 of 3 and of 4, say).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "merkle/merkle_tree.hpp"
#include "test_support.hpp"

namespace zastava::merkle {
namespace {

using namespace zastava::merkle::testing;

constexpr std::size_t kMaxSize = 70;

std::vector<Hash> with(std::vector<Hash> proof, std::size_t at, const Hash& extra) {
  proof.insert(proof.begin() + static_cast<std::ptrdiff_t>(at), extra);
  return proof;
}

struct InclusionCase {
  Hash leaf;
  std::uint64_t index;
  std::uint64_t size;
  std::vector<Hash> proof;
  Hash root;

  [[nodiscard]] Status verify() const { return verify_inclusion(leaf, index, size, proof, root); }
};

// Each alteration, with a name for failure messages.
std::vector<std::pair<std::string, InclusionCase>> altered(const InclusionCase& good,
                                                           const Hash& other_leaf) {
  std::vector<std::pair<std::string, InclusionCase>> cases;
  auto add = [&](std::string name, auto change) {
    InclusionCase bad = good;
    change(bad);
    cases.emplace_back(std::move(name), std::move(bad));
  };
  add("index - 1", [](InclusionCase& c) { --c.index; });  // wraps to 2^64 - 1 at 0
  add("index + 1", [](InclusionCase& c) { ++c.index; });
  add("index ^ 2", [](InclusionCase& c) { c.index ^= 2U; });
  add("size * 2", [](InclusionCase& c) { c.size *= 2; });
  add("size / 2", [](InclusionCase& c) { c.size /= 2; });
  add("other leaf", [&](InclusionCase& c) { c.leaf = other_leaf; });
  add("leaf bit flipped", [](InclusionCase& c) { c.leaf = with_flipped_bit(c.leaf, 31, 0x80); });
  add("root bit flipped", [](InclusionCase& c) { c.root = with_flipped_bit(c.root); });
  add("empty root", [](InclusionCase& c) { c.root = empty_root(); });
  add("trailing root", [](InclusionCase& c) { c.proof.push_back(c.root); });
  add("preceding root", [](InclusionCase& c) { c.proof = with(c.proof, 0, c.root); });
  for (std::size_t i = 0; i < good.proof.size(); ++i) {
    add("proof[" + std::to_string(i) + "] bit flipped",
        [i](InclusionCase& c) { c.proof[i] = with_flipped_bit(c.proof[i]); });
  }
  if (!good.proof.empty()) {
    add("last node removed", [](InclusionCase& c) { c.proof.pop_back(); });
    add("first node removed", [](InclusionCase& c) { c.proof.erase(c.proof.begin()); });
  }
  if (good.proof.size() > 1) {
    add("node inserted", [](InclusionCase& c) { c.proof = with(c.proof, 1, empty_root()); });
  }
  return cases;
}

TEST(VerifyInclusion, EveryProofOfEveryTreeUpTo70VerifiesAndEveryAlterationFails) {
  const std::vector<Hash> leaves = leaf_hashes_of(numbered_leaves(kMaxSize));
  std::size_t checked_alterations = 0;
  for (std::size_t size = 1; size <= kMaxSize; ++size) {
    const MerkleTree tree = MerkleTree::from_leaf_hashes(first(leaves, size));
    for (std::uint64_t index = 0; index < size; ++index) {
      const InclusionCase good{leaves[index], index, size, tree.inclusion_proof(index).value(),
                               tree.root()};
      const Status status = good.verify();
      ASSERT_TRUE(status.ok()) << status.error().describe();
      const Hash& other_leaf = leaves[(index + 1) % kMaxSize];
      for (const auto& [name, bad] : altered(good, other_leaf)) {
        EXPECT_FALSE(bad.verify().ok()) << name << ", leaf " << index << " of " << size;
        ++checked_alterations;
      }
    }
  }
  EXPECT_GT(checked_alterations, 30'000U);
}

TEST(VerifyInclusion, ErrorsSayWhatIsWrong) {
  const MerkleTree tree = MerkleTree::from_leaves(reference_leaves(8));
  const Hash leaf = leaf_hash(reference_leaves(8)[5]);
  const std::vector<Hash> proof = tree.inclusion_proof(5).value();

  const Status out_of_range = verify_inclusion(leaf, 8, 8, proof, tree.root());
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_EQ(out_of_range.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(out_of_range.error().message,
            "merkle inclusion proof for leaf 8 of a tree of 8 leaves: the index is out of range");

  const Status too_short = verify_inclusion(leaf, 5, 8, std::span(proof).first(2), tree.root());
  ASSERT_FALSE(too_short.ok());
  EXPECT_EQ(too_short.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(too_short.error().message,
            "merkle inclusion proof for leaf 5 of a tree of 8 leaves: has 2 hashes, expected 3");

  const Hash wrong_root = hash_from_hex(kRootsHex[6]);
  const Status mismatch = verify_inclusion(leaf, 5, 8, proof, wrong_root);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code, ErrorCode::kVerification);
  EXPECT_EQ(mismatch.error().message,
            "merkle inclusion proof for leaf 5 of a tree of 8 leaves computes root sha256:" +
                std::string(kRootsHex[7]) + ", expected sha256:" + std::string(kRootsHex[6]));
}

TEST(VerifyInclusion, EmptyTreeHasNothingToProve) {
  // From the CT verifier tests: (index, size) = (0, 0), (1, 0), (2, 1) and,
  // with a wrong root, (0, 1).
  const Hash some_hash = with_flipped_bit(empty_root());
  EXPECT_EQ(verify_inclusion(some_hash, 0, 0, {}, empty_root()).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(verify_inclusion(some_hash, 1, 0, {}, empty_root()).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(verify_inclusion(some_hash, 2, 1, {}, some_hash).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(verify_inclusion(some_hash, 0, 1, {}, empty_root()).error().code,
            ErrorCode::kVerification);
}

struct ConsistencyCase {
  std::uint64_t old_size;
  std::uint64_t new_size;
  Hash old_root;
  Hash new_root;
  std::vector<Hash> proof;

  [[nodiscard]] Status verify() const {
    return verify_consistency(old_size, new_size, old_root, new_root, proof);
  }
};

std::vector<std::pair<std::string, ConsistencyCase>> altered(const ConsistencyCase& good) {
  std::vector<std::pair<std::string, ConsistencyCase>> cases;
  auto add = [&](std::string name, auto change) {
    ConsistencyCase bad = good;
    change(bad);
    cases.emplace_back(std::move(name), std::move(bad));
  };
  add("old size - 1", [](ConsistencyCase& c) { --c.old_size; });
  add("old size + 1", [](ConsistencyCase& c) { ++c.old_size; });
  add("old size ^ 2", [](ConsistencyCase& c) { c.old_size ^= 2U; });
  add("new size * 2", [](ConsistencyCase& c) { c.new_size *= 2; });
  add("new size / 2", [](ConsistencyCase& c) { c.new_size /= 2; });
  add("old root bit flipped",
      [](ConsistencyCase& c) { c.old_root = with_flipped_bit(c.old_root); });
  add("new root bit flipped",
      [](ConsistencyCase& c) { c.new_root = with_flipped_bit(c.new_root); });
  add("roots swapped", [](ConsistencyCase& c) { std::swap(c.old_root, c.new_root); });
  add("empty proof", [](ConsistencyCase& c) { c.proof.clear(); });
  add("trailing old root", [](ConsistencyCase& c) { c.proof.push_back(c.old_root); });
  add("trailing new root", [](ConsistencyCase& c) { c.proof.push_back(c.new_root); });
  add("preceding old root", [](ConsistencyCase& c) { c.proof = with(c.proof, 0, c.old_root); });
  add("preceding new root", [](ConsistencyCase& c) { c.proof = with(c.proof, 0, c.new_root); });
  add("preceding proof[0]", [](ConsistencyCase& c) { c.proof = with(c.proof, 0, c.proof[0]); });
  add("last node removed", [](ConsistencyCase& c) { c.proof.pop_back(); });
  for (std::size_t i = 0; i < good.proof.size(); ++i) {
    add("proof[" + std::to_string(i) + "] bit flipped",
        [i](ConsistencyCase& c) { c.proof[i] = with_flipped_bit(c.proof[i], 0, 0x10); });
  }
  return cases;
}

TEST(VerifyConsistency, EveryProofBetweenTreesUpTo70VerifiesAndEveryAlterationFails) {
  const std::vector<Hash> leaves = leaf_hashes_of(numbered_leaves(kMaxSize));
  std::vector<Hash> roots;  // roots[n] is the root of the first n leaves
  for (std::size_t n = 0; n <= kMaxSize; ++n)
    roots.push_back(root_from_leaf_hashes({leaves.data(), n}));

  std::size_t checked_alterations = 0;
  for (std::size_t new_size = 1; new_size <= kMaxSize; ++new_size) {
    const MerkleTree tree = MerkleTree::from_leaf_hashes(first(leaves, new_size));
    for (std::uint64_t old_size = 1; old_size <= new_size; ++old_size) {
      const ConsistencyCase good{old_size, new_size, roots[old_size], roots[new_size],
                                 tree.consistency_proof(old_size).value()};
      const Status status = good.verify();
      ASSERT_TRUE(status.ok()) << status.error().describe();
      if (old_size == new_size) {
        EXPECT_TRUE(good.proof.empty());
        continue;  // the equal-size alterations have their own test
      }
      ASSERT_FALSE(good.proof.empty());
      for (const auto& [name, bad] : altered(good)) {
        EXPECT_FALSE(bad.verify().ok()) << name << ", " << old_size << " -> " << new_size;
        ++checked_alterations;
      }
    }
  }
  EXPECT_GT(checked_alterations, 40'000U);
}

TEST(VerifyConsistency, EqualSizesNeedEqualRootsAndNoProof) {
  const Hash root = hash_from_hex(kRootsHex[4]);
  EXPECT_TRUE(verify_consistency(5, 5, root, root, {}).ok());
  EXPECT_TRUE(verify_consistency(1, 1, root, root, {}).ok());

  const Status different = verify_consistency(5, 5, root, with_flipped_bit(root), {});
  ASSERT_FALSE(different.ok());
  EXPECT_EQ(different.error().code, ErrorCode::kVerification);
  EXPECT_NE(different.error().message.find("equal sizes but different roots"), std::string::npos);

  const std::vector<Hash> one_node = {root};
  const Status with_proof = verify_consistency(5, 5, root, root, one_node);
  ASSERT_FALSE(with_proof.ok());
  EXPECT_EQ(with_proof.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(with_proof.error().message,
            "merkle consistency proof 5 -> 5: must be empty, has 1 hashes");
}

TEST(VerifyConsistency, EveryTreeExtendsTheEmptyTree) {
  const Hash root = hash_from_hex(kRootsHex[7]);
  EXPECT_TRUE(verify_consistency(0, 8, empty_root(), root, {}).ok());
  EXPECT_TRUE(verify_consistency(0, 0, empty_root(), empty_root(), {}).ok());

  // The empty tree has exactly one root.
  const Status wrong_old_root = verify_consistency(0, 8, root, root, {});
  ASSERT_FALSE(wrong_old_root.ok());
  EXPECT_EQ(wrong_old_root.error().code, ErrorCode::kVerification);
  EXPECT_NE(wrong_old_root.error().message.find("is not the empty tree's root"), std::string::npos);

  const std::vector<Hash> one_node = {empty_root()};
  EXPECT_EQ(verify_consistency(0, 8, empty_root(), root, one_node).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(verify_consistency(0, 0, empty_root(), empty_root(), one_node).error().code,
            ErrorCode::kInvalidArgument);
}

TEST(VerifyConsistency, ErrorsSayWhatIsWrong) {
  const Hash root6 = hash_from_hex(kRootsHex[5]);
  const Hash root8 = hash_from_hex(kRootsHex[7]);
  const std::vector<Hash> proof = hashes_from_hex(consistency_vectors()[2].proof_hex);  // 6 -> 8

  const Status backwards = verify_consistency(8, 6, root8, root6, proof);
  ASSERT_FALSE(backwards.ok());
  EXPECT_EQ(backwards.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(backwards.error().message,
            "merkle consistency proof 8 -> 6: the old tree is larger than the new one");

  const Status empty = verify_consistency(6, 8, root6, root8, {});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(empty.error().message, "merkle consistency proof 6 -> 8: has 0 hashes, expected 3");

  const Status old_mismatch = verify_consistency(6, 8, root8, root8, proof);
  ASSERT_FALSE(old_mismatch.ok());
  EXPECT_EQ(old_mismatch.error().code, ErrorCode::kVerification);
  EXPECT_EQ(old_mismatch.error().message,
            "merkle consistency proof 6 -> 8: the old tree computes root sha256:" +
                std::string(kRootsHex[5]) + ", expected sha256:" + std::string(kRootsHex[7]));

  const Status new_mismatch = verify_consistency(6, 8, root6, root6, proof);
  ASSERT_FALSE(new_mismatch.ok());
  EXPECT_EQ(new_mismatch.error().code, ErrorCode::kVerification);
  EXPECT_NE(new_mismatch.error().message.find("the new tree computes root sha256:" +
                                              std::string(kRootsHex[7])),
            std::string::npos)
      << new_mismatch.error().message;
}

}  // namespace
}  // namespace zastava::merkle
