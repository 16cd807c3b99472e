#include "provcache/evidence_chunks.hpp"

#include <algorithm>
#include <utility>

namespace zastava::provcache {
namespace {

Status check_policy(const ChunkingPolicy& policy) {
  if (policy.chunk_size == 0) {
    return make_error(ErrorCode::kInvalidArgument, "evidence chunks: chunk size must be positive");
  }
  if (policy.max_chunks_per_entry == 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "evidence chunks: the cap on chunks per entry must be positive");
  }
  return ok_status();
}

Status check_chunk_count(std::size_t count, const ChunkingPolicy& policy) {
  if (count > policy.max_chunks_per_entry) {
    return make_error(ErrorCode::kInvalidArgument,
                      "evidence chunks: " + std::to_string(count) + " chunks of " +
                          std::to_string(policy.chunk_size) + " bytes exceed the cap of " +
                          std::to_string(policy.max_chunks_per_entry) + " per entry");
  }
  return ok_status();
}

std::vector<merkle::Hash> leaf_hashes_of(std::span<const Bytes> chunks) {
  std::vector<merkle::Hash> hashes;
  hashes.reserve(chunks.size());
  for (const Bytes& chunk : chunks) hashes.push_back(merkle::leaf_hash(chunk));
  return hashes;
}

}  // namespace

ChunkedEvidence::ChunkedEvidence(std::string content_type, std::vector<Bytes> chunks,
                                 merkle::MerkleTree tree)
    : content_type_(std::move(content_type)),
      chunks_(std::move(chunks)),
      tree_(std::move(tree)),
      proof_root_(merkle::format_hash(tree_.root())) {}

Result<ChunkedEvidence> ChunkedEvidence::split(ByteView evidence, std::string content_type,
                                               const ChunkingPolicy& policy) {
  if (Status status = check_policy(policy); !status) return status.error();
  if (content_type.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "evidence chunks: content type is empty");
  }
  const std::size_t count = (evidence.size() + policy.chunk_size - 1) / policy.chunk_size;
  if (Status status = check_chunk_count(count, policy); !status) return status.error();

  std::vector<Bytes> chunks;
  chunks.reserve(count);
  for (std::size_t offset = 0; offset < evidence.size(); offset += policy.chunk_size) {
    const ByteView piece =
        evidence.subspan(offset, std::min(policy.chunk_size, evidence.size() - offset));
    chunks.emplace_back(piece.begin(), piece.end());
  }
  std::vector<merkle::Hash> hashes = leaf_hashes_of(chunks);

  std::vector<ChunkMetadata> metadata;
  metadata.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    metadata.push_back(
        ChunkMetadata{i, merkle::format_hash(hashes[i]), chunks[i].size(), content_type});
  }
  ChunkedEvidence result(std::move(content_type), std::move(chunks),
                         merkle::MerkleTree::from_leaf_hashes(std::move(hashes)));
  result.metadata_ = std::move(metadata);
  result.total_size_ = evidence.size();
  return result;
}

Result<ChunkProof> ChunkedEvidence::proof(std::uint64_t index) const {
  auto path = tree_.inclusion_proof(index);
  if (!path) return path.error().with_context("evidence chunk proof");
  return ChunkProof{index, chunks_.size(), std::move(*path)};
}

Status verify_chunk(ByteView chunk, const ChunkProof& proof, std::string_view proof_root) {
  auto root = merkle::parse_hash(proof_root);
  if (!root) return root.error().with_context("evidence chunk: proofRoot");
  Status verified = merkle::verify_inclusion(merkle::leaf_hash(chunk), proof.index,
                                             proof.chunk_count, proof.path, *root);
  if (!verified) {
    return verified.error().with_context("evidence chunk " + std::to_string(proof.index) + " of " +
                                         std::to_string(proof.chunk_count));
  }
  return ok_status();
}

Result<Bytes> reassemble_evidence(std::span<const Bytes> chunks, std::string_view proof_root,
                                  const ChunkingPolicy& policy) {
  if (Status status = check_policy(policy); !status) return status.error();
  auto root = merkle::parse_hash(proof_root);
  if (!root) return root.error().with_context("evidence chunks: proofRoot");
  if (Status status = check_chunk_count(chunks.size(), policy); !status) return status.error();

  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const bool last = i + 1 == chunks.size();
    const bool size_ok = last ? !chunks[i].empty() && chunks[i].size() <= policy.chunk_size
                              : chunks[i].size() == policy.chunk_size;
    if (!size_ok) {
      return make_error(ErrorCode::kInvalidArgument,
                        "evidence chunks: chunk " + std::to_string(i) + " has " +
                            std::to_string(chunks[i].size()) + " bytes; expected " +
                            (last ? "1.." : "exactly ") + std::to_string(policy.chunk_size));
    }
  }
  const std::vector<merkle::Hash> hashes = leaf_hashes_of(chunks);
  const merkle::Hash computed = merkle::root_from_leaf_hashes(hashes);
  if (computed != *root) {
    return make_error(ErrorCode::kVerification,
                      "evidence chunks: the " + std::to_string(chunks.size()) + " chunks hash to " +
                          merkle::format_hash(computed) + ", not the proofRoot " +
                          std::string(proof_root));
  }
  Bytes evidence;
  for (const Bytes& chunk : chunks) evidence.insert(evidence.end(), chunk.begin(), chunk.end());
  return evidence;
}

}  // namespace zastava::provcache
