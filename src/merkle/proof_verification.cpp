// Proof verification exactly as RFC 9162 2.1.3.2 and 2.1.4.2 describe it,
// after an up-front length check so a malformed proof is reported as such
// (kInvalidArgument) rather than as a hash mismatch.
#include <bit>
#include <string>

#include "merkle/merkle_tree.hpp"
#include "merkle/tree_hasher.hpp"

namespace zastava::merkle {
namespace {

bool lsb(std::uint64_t value) {
  return (value & 1U) != 0;
}

// The number of hashes in the audit path of leaf `index` in a tree of
// `size` leaves: one for each level below the point where the paths to the
// leaf and to the last leaf meet, plus one for each perfect left subtree
// above it.
std::size_t inclusion_proof_length(std::uint64_t index, std::uint64_t size) {
  const auto inner = static_cast<std::size_t>(std::bit_width(index ^ (size - 1)));
  const auto border = static_cast<std::size_t>(std::popcount(index >> inner));
  return inner + border;
}

// The consistency proof is the path of the old tree's rightmost perfect
// subtree (2^shift leaves ending at old_size) in the new tree, preceded by
// that subtree's root unless it is the whole old tree. Precondition:
// 0 < old_size < new_size.
std::size_t consistency_proof_length(std::uint64_t old_size, std::uint64_t new_size) {
  const auto shift = static_cast<std::size_t>(std::countr_zero(old_size));
  const std::size_t path = inclusion_proof_length(old_size - 1, new_size) - shift;
  return (std::has_single_bit(old_size) ? 0 : 1) + path;
}

// RFC 9162 2.1.3.2 step 4 (b) ii and 2.1.4.2 step 6: after hashing in a
// left sibling, skip the levels where this node had no sibling.
void skip_levels_without_sibling(std::uint64_t& fn, std::uint64_t& sn) {
  while (!lsb(fn) && fn != 0) {
    fn >>= 1U;
    sn >>= 1U;
  }
}

std::string sizes(std::uint64_t old_size, std::uint64_t new_size) {
  return std::to_string(old_size) + " -> " + std::to_string(new_size);
}

Error mismatch(std::string what, const Hash& computed, const Hash& expected) {
  return make_error(ErrorCode::kVerification, std::move(what) + " computes root " +
                                                  format_hash(computed) + ", expected " +
                                                  format_hash(expected));
}

}  // namespace

Status verify_inclusion(const Hash& leaf_hash, std::uint64_t index, std::uint64_t tree_size,
                        std::span<const Hash> proof, const Hash& root) {
  const std::string where = "merkle inclusion proof for leaf " + std::to_string(index) +
                            " of a tree of " + std::to_string(tree_size) + " leaves";
  // Step 1.
  if (index >= tree_size) {
    return make_error(ErrorCode::kInvalidArgument, where + ": the index is out of range");
  }
  const std::size_t expected_length = inclusion_proof_length(index, tree_size);
  if (proof.size() != expected_length) {
    return make_error(ErrorCode::kInvalidArgument, where + ": has " + std::to_string(proof.size()) +
                                                       " hashes, expected " +
                                                       std::to_string(expected_length));
  }
  detail::TreeHasher hasher;
  // Steps 2 to 4.
  std::uint64_t fn = index;
  std::uint64_t sn = tree_size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) {
      return make_error(ErrorCode::kVerification, where + ": the proof is longer than the path");
    }
    if (lsb(fn) || fn == sn) {
      r = hasher.node(p, r);
      skip_levels_without_sibling(fn, sn);
    } else {
      r = hasher.node(r, p);
    }
    fn >>= 1U;
    sn >>= 1U;
  }
  // Step 5.
  if (sn != 0) {
    return make_error(ErrorCode::kVerification, where + ": the proof is shorter than the path");
  }
  if (r != root) return mismatch(where, r, root);
  return ok_status();
}

Status verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const Hash& old_root,
                          const Hash& new_root, std::span<const Hash> proof) {
  const std::string where = "merkle consistency proof " + sizes(old_size, new_size);
  if (old_size > new_size) {
    return make_error(ErrorCode::kInvalidArgument,
                      where + ": the old tree is larger than the new one");
  }
  if (old_size == 0 || old_size == new_size) {
    if (!proof.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        where + ": must be empty, has " + std::to_string(proof.size()) + " hashes");
    }
    if (old_size == 0 && old_root != empty_root()) {
      return make_error(ErrorCode::kVerification,
                        where + ": the old root " + format_hash(old_root) +
                            " is not the empty tree's root " + format_hash(empty_root()));
    }
    if (old_size == new_size && old_root != new_root) {
      return make_error(ErrorCode::kVerification, where + ": equal sizes but different roots " +
                                                      format_hash(old_root) + " and " +
                                                      format_hash(new_root));
    }
    return ok_status();
  }
  const std::size_t expected_length = consistency_proof_length(old_size, new_size);
  if (proof.size() != expected_length) {
    return make_error(ErrorCode::kInvalidArgument, where + ": has " + std::to_string(proof.size()) +
                                                       " hashes, expected " +
                                                       std::to_string(expected_length));
  }
  // Step 2: when the old tree is perfect its root starts the path; instead of
  // copying the proof, seed the walk with it.
  const bool old_tree_is_perfect = std::has_single_bit(old_size);
  const Hash& seed = old_tree_is_perfect ? old_root : proof.front();
  const std::span<const Hash> rest = old_tree_is_perfect ? proof : proof.subspan(1);
  detail::TreeHasher hasher;
  // Steps 3 to 5.
  std::uint64_t fn = old_size - 1;
  std::uint64_t sn = new_size - 1;
  while (lsb(fn)) {
    fn >>= 1U;
    sn >>= 1U;
  }
  Hash fr = seed;
  Hash sr = seed;
  // Step 6.
  for (const Hash& c : rest) {
    if (sn == 0) {
      return make_error(ErrorCode::kVerification, where + ": the proof is longer than the path");
    }
    if (lsb(fn) || fn == sn) {
      fr = hasher.node(c, fr);
      sr = hasher.node(c, sr);
      skip_levels_without_sibling(fn, sn);
    } else {
      sr = hasher.node(sr, c);
    }
    fn >>= 1U;
    sn >>= 1U;
  }
  // Step 7.
  if (sn != 0) {
    return make_error(ErrorCode::kVerification, where + ": the proof is shorter than the path");
  }
  if (fr != old_root) return mismatch(where + ": the old tree", fr, old_root);
  if (sr != new_root) return mismatch(where + ": the new tree", sr, new_root);
  return ok_status();
}

}  // namespace zastava::merkle
