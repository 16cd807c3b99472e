// Merkle tree costs at 100,000 leaves: the root alone (iterative, no tree
// kept), building the full tree, and one inclusion proof's generation and
// verification.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "merkle/merkle_tree.hpp"

namespace {

using zastava::merkle::Hash;
using zastava::merkle::MerkleTree;

constexpr std::size_t kLeaves = 100'000;

std::vector<Hash> leaf_hashes(std::size_t count) {
  std::vector<Hash> hashes;
  hashes.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    hashes.push_back(zastava::merkle::leaf_hash(zastava::as_bytes(std::to_string(i))));
  }
  return hashes;
}

void BM_MerkleRoot_100kLeafHashes(benchmark::State& state) {
  const std::vector<Hash> hashes = leaf_hashes(kLeaves);
  for (auto _ : state) {
    benchmark::DoNotOptimize(zastava::merkle::root_from_leaf_hashes(hashes));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(kLeaves));
}
BENCHMARK(BM_MerkleRoot_100kLeafHashes)->Unit(benchmark::kMillisecond);

// The public one-shot node_hash (digest::sha256), for comparison with the
// per-node cost inside root_from_leaf_hashes, which reuses one context.
void BM_MerkleNodeHash_OneShot(benchmark::State& state) {
  const std::vector<Hash> hashes = leaf_hashes(2);
  for (auto _ : state) {
    benchmark::DoNotOptimize(zastava::merkle::node_hash(hashes[0], hashes[1]));
  }
}
BENCHMARK(BM_MerkleNodeHash_OneShot);

void BM_MerkleTreeBuild_100kLeafHashes(benchmark::State& state) {
  const std::vector<Hash> hashes = leaf_hashes(kLeaves);
  for (auto _ : state) {
    benchmark::DoNotOptimize(MerkleTree::from_leaf_hashes(hashes).root());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(kLeaves));
}
BENCHMARK(BM_MerkleTreeBuild_100kLeafHashes)->Unit(benchmark::kMillisecond);

void BM_MerkleInclusionProof_100k(benchmark::State& state) {
  const MerkleTree tree = MerkleTree::from_leaf_hashes(leaf_hashes(kLeaves));
  std::uint64_t index = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(tree.inclusion_proof(index).value());
    index = (index + 7919) % kLeaves;  // walk different paths
  }
}
BENCHMARK(BM_MerkleInclusionProof_100k);

void BM_MerkleVerifyInclusion_100k(benchmark::State& state) {
  const std::vector<Hash> hashes = leaf_hashes(kLeaves);
  const MerkleTree tree = MerkleTree::from_leaf_hashes(hashes);
  const std::uint64_t index = 54'321;
  const std::vector<Hash> proof = tree.inclusion_proof(index).value();
  for (auto _ : state) {
    const zastava::Status status =
        zastava::merkle::verify_inclusion(hashes[index], index, kLeaves, proof, tree.root());
    if (!status.ok()) state.SkipWithError(status.error().message.c_str());
  }
}
BENCHMARK(BM_MerkleVerifyInclusion_100k);

}  // namespace
