#pragma once
// Evidence chunks (seed 000): large evidence (SBOM, VEX, call graphs) is split
// into fixed-size chunks so an auditor can fetch and verify only the chunks
// it needs.
//
// Layout. Chunk i holds bytes [i * chunk_size, min((i + 1) * chunk_size, n))
// of the evidence: every chunk is exactly chunk_size bytes except the last,
// which holds 1..chunk_size bytes. Empty evidence has no chunks.
//
// Hashes. Each chunk's bytes are one leaf of the foundation's RFC 6962 Merkle
// tree, in chunk order:
//   chunk hash  = merkle::leaf_hash(chunk bytes) = SHA-256(0x00 || chunk)
//   proofRoot   = the tree's root, "sha256:<hex>" (merkle::format_hash);
//                 for empty evidence, the empty tree's root SHA-256("").
// A chunk verifies on its own with its index, the chunk count and its
// inclusion proof (sibling hashes bottom-up, as merkle::MerkleTree returns).
// The root does not commit to the chunk count (RFC 6962): take the count from
// the same record as the root.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "merkle/merkle_tree.hpp"

namespace zastava::provcache {

// The seed's defaults: chunkSize 65536, maxChunksPerEntry 1000.
struct ChunkingPolicy {
  std::size_t chunk_size = 65536;
  std::size_t max_chunks_per_entry = 1000;
};

struct ChunkMetadata {
  std::uint64_t index = 0;
  std::string hash;  // "sha256:<hex>" of the leaf hash
  std::uint64_t size = 0;
  std::string content_type;  // of the whole evidence, e.g. "application/vnd.cyclonedx+json"

  friend bool operator==(const ChunkMetadata&, const ChunkMetadata&) = default;
};

struct ChunkProof {
  std::uint64_t index = 0;
  std::uint64_t chunk_count = 0;
  std::vector<merkle::Hash> path;  // bottom-up sibling hashes
};

class ChunkedEvidence {
 public:
  // kInvalidArgument when chunk_size or max_chunks_per_entry is 0, the
  // content type is empty, or the evidence needs more chunks than the cap.
  static Result<ChunkedEvidence> split(ByteView evidence, std::string content_type,
                                       const ChunkingPolicy& policy = {});

  [[nodiscard]] const std::string& proof_root() const noexcept { return proof_root_; }
  [[nodiscard]] const std::string& content_type() const noexcept { return content_type_; }
  [[nodiscard]] std::size_t chunk_count() const noexcept { return chunks_.size(); }
  [[nodiscard]] std::uint64_t total_size() const noexcept { return total_size_; }
  [[nodiscard]] const std::vector<Bytes>& chunks() const noexcept { return chunks_; }
  [[nodiscard]] const std::vector<ChunkMetadata>& metadata() const noexcept { return metadata_; }

  // kInvalidArgument when index >= chunk_count().
  [[nodiscard]] Result<ChunkProof> proof(std::uint64_t index) const;

 private:
  ChunkedEvidence(std::string content_type, std::vector<Bytes> chunks, merkle::MerkleTree tree);

  std::string content_type_;
  std::vector<Bytes> chunks_;
  std::vector<ChunkMetadata> metadata_;
  merkle::MerkleTree tree_;
  std::string proof_root_;
  std::uint64_t total_size_ = 0;
};

// Verifies one chunk against a proofRoot. kInvalidArgument for a malformed
// root or a proof of the wrong shape; kVerification when the chunk, its
// index or its proof do not lead to the root.
Status verify_chunk(ByteView chunk, const ChunkProof& proof, std::string_view proof_root);

// Joins chunks back into the evidence after checking the layout (every chunk
// chunk_size bytes but the last, which is non-empty; at most the cap) and
// that their Merkle root is proof_root. kInvalidArgument for a bad layout or
// root text, kVerification for a root mismatch.
Result<Bytes> reassemble_evidence(std::span<const Bytes> chunks, std::string_view proof_root,
                                  const ChunkingPolicy& policy = {});

}  // namespace zastava::provcache
