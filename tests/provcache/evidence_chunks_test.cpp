// Tests for provcache/evidence_chunks: chunk layout at the edges, roots
// recomputed here from plain SHA-256, proofs that verify and fail when
// tampered, the cap, and reassembly.
#include "provcache/evidence_chunks.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/hex.hpp"
#include "digest/sha2.hpp"

namespace zastava::provcache {
namespace {

constexpr std::size_t k64KiB = 65536;

Bytes patterned(std::size_t size) {
  Bytes bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>((i * 31 + 7) % 251);
  return bytes;
}

// SHA-256(0x00 || data) and SHA-256(0x01 || l || r), straight from RFC 6962.
digest::Sha256Digest plain_leaf(ByteView data) {
  Bytes prefixed{0x00};
  prefixed.insert(prefixed.end(), data.begin(), data.end());
  return digest::sha256(prefixed);
}

digest::Sha256Digest plain_node(const digest::Sha256Digest& left,
                                const digest::Sha256Digest& right) {
  Bytes prefixed{0x01};
  prefixed.insert(prefixed.end(), left.begin(), left.end());
  prefixed.insert(prefixed.end(), right.begin(), right.end());
  return digest::sha256(prefixed);
}

std::string id(const digest::Sha256Digest& hash) {
  return "sha256:" + encoding::hex_encode(hash);
}

ChunkedEvidence split_ok(const Bytes& evidence, const ChunkingPolicy& policy = {}) {
  auto result = ChunkedEvidence::split(evidence, "application/json", policy);
  EXPECT_TRUE(result.ok()) << result.error().describe();
  return std::move(result).value();
}

TEST(EvidenceChunks, EmptyEvidenceHasNoChunksAndTheEmptyTreeRoot) {
  const ChunkedEvidence chunks = split_ok({});
  EXPECT_EQ(chunks.chunk_count(), 0u);
  EXPECT_EQ(chunks.total_size(), 0u);
  EXPECT_EQ(chunks.proof_root(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_FALSE(chunks.proof(0).ok());
  EXPECT_EQ(reassemble_evidence({}, chunks.proof_root()).value(), Bytes{});
}

TEST(EvidenceChunks, ExactlyOneChunkRootIsItsLeafHash) {
  const Bytes evidence = patterned(k64KiB);
  const ChunkedEvidence chunks = split_ok(evidence);
  ASSERT_EQ(chunks.chunk_count(), 1u);
  EXPECT_EQ(chunks.chunks()[0], evidence);
  EXPECT_EQ(chunks.proof_root(), id(plain_leaf(evidence)));
  EXPECT_EQ(chunks.metadata()[0],
            (ChunkMetadata{0, id(plain_leaf(evidence)), k64KiB, "application/json"}));
  EXPECT_TRUE(chunks.proof(0)->path.empty());
}

TEST(EvidenceChunks, OneByteIsOneChunk) {
  const ChunkedEvidence chunks = split_ok(Bytes{0x42});
  ASSERT_EQ(chunks.chunk_count(), 1u);
  EXPECT_EQ(chunks.metadata()[0].size, 1u);
}

TEST(EvidenceChunks, MultipleOfTheChunkSizeFillsEveryChunk) {
  const Bytes evidence = patterned(3 * k64KiB);
  const ChunkedEvidence chunks = split_ok(evidence);
  ASSERT_EQ(chunks.chunk_count(), 3u);
  for (const ChunkMetadata& meta : chunks.metadata()) EXPECT_EQ(meta.size, k64KiB);
  // Three leaves: node(node(l0, l1), l2).
  const ByteView all(evidence);
  const auto l0 = plain_leaf(all.subspan(0, k64KiB));
  const auto l1 = plain_leaf(all.subspan(k64KiB, k64KiB));
  const auto l2 = plain_leaf(all.subspan(2 * k64KiB, k64KiB));
  EXPECT_EQ(chunks.proof_root(), id(plain_node(plain_node(l0, l1), l2)));
  EXPECT_EQ(chunks.metadata()[2].hash, id(l2));
}

TEST(EvidenceChunks, OneByteOverAMultipleAddsAOneByteChunk) {
  const Bytes evidence = patterned(2 * k64KiB + 1);
  const ChunkedEvidence chunks = split_ok(evidence);
  ASSERT_EQ(chunks.chunk_count(), 3u);
  EXPECT_EQ(chunks.metadata()[1].size, k64KiB);
  EXPECT_EQ(chunks.metadata()[2].size, 1u);
  EXPECT_EQ(chunks.chunks()[2], Bytes{evidence.back()});
  EXPECT_EQ(chunks.total_size(), evidence.size());
  EXPECT_EQ(reassemble_evidence(chunks.chunks(), chunks.proof_root()).value(), evidence);
}

TEST(EvidenceChunks, ChunkSizeIsConfigurable) {
  const ChunkedEvidence chunks = split_ok(to_bytes("abcdefghij"), ChunkingPolicy{4, 10});
  ASSERT_EQ(chunks.chunk_count(), 3u);
  EXPECT_EQ(as_string(chunks.chunks()[0]), "abcd");
  EXPECT_EQ(as_string(chunks.chunks()[1]), "efgh");
  EXPECT_EQ(as_string(chunks.chunks()[2]), "ij");
  EXPECT_EQ(chunks.metadata()[1].index, 1u);
  EXPECT_EQ(chunks.metadata()[1].content_type, "application/json");
}

TEST(EvidenceChunks, TheCapIsInclusive) {
  const ChunkingPolicy policy{4, 3};
  EXPECT_TRUE(ChunkedEvidence::split(patterned(12), "text/plain", policy).ok());
  auto over = ChunkedEvidence::split(patterned(13), "text/plain", policy);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(over.error().message.find("cap of 3"), std::string::npos) << over.error().message;
}

TEST(EvidenceChunks, TheDefaultCapIsAThousandChunks) {
  EXPECT_TRUE(ChunkedEvidence::split(Bytes(1000 * k64KiB), "application/octet-stream").ok());
  auto over = ChunkedEvidence::split(Bytes(1000 * k64KiB + 1), "application/octet-stream");
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error().message.find("1001 chunks"), std::string::npos) << over.error().message;
}

TEST(EvidenceChunks, RejectsABadPolicyOrContentType) {
  EXPECT_EQ(ChunkedEvidence::split(patterned(4), "text/plain", ChunkingPolicy{0, 10}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_FALSE(ChunkedEvidence::split(patterned(4), "text/plain", ChunkingPolicy{4, 0}).ok());
  auto no_type = ChunkedEvidence::split(patterned(4), "");
  ASSERT_FALSE(no_type.ok());
  EXPECT_NE(no_type.error().message.find("content type"), std::string::npos);
}

TEST(EvidenceChunkProofs, EveryChunkVerifiesForEverySize) {
  const ChunkingPolicy policy{3, 100};
  for (std::size_t size = 1; size <= 40; ++size) {
    const ChunkedEvidence chunks = split_ok(patterned(size), policy);
    for (std::uint64_t i = 0; i < chunks.chunk_count(); ++i) {
      auto proof = chunks.proof(i);
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(verify_chunk(chunks.chunks()[i], *proof, chunks.proof_root()).ok())
          << "size " << size << " chunk " << i;
    }
  }
}

TEST(EvidenceChunkProofs, TamperingFails) {
  const ChunkedEvidence chunks = split_ok(patterned(20), ChunkingPolicy{3, 100});  // 7 chunks
  const ChunkProof proof = chunks.proof(2).value();
  const Bytes& chunk = chunks.chunks()[2];

  Bytes flipped = chunk;
  flipped[1] ^= 0x01;
  Status bad_chunk = verify_chunk(flipped, proof, chunks.proof_root());
  ASSERT_FALSE(bad_chunk.ok());
  EXPECT_EQ(bad_chunk.error().code, ErrorCode::kVerification);
  EXPECT_NE(bad_chunk.error().message.find("chunk 2 of 7"), std::string::npos)
      << bad_chunk.error().message;

  ChunkProof wrong_index = proof;
  wrong_index.index = 3;
  EXPECT_FALSE(verify_chunk(chunk, wrong_index, chunks.proof_root()).ok());

  ChunkProof bad_sibling = proof;
  bad_sibling.path[0][0] ^= 0x80;
  EXPECT_EQ(verify_chunk(chunk, bad_sibling, chunks.proof_root()).error().code,
            ErrorCode::kVerification);

  ChunkProof short_path = proof;
  short_path.path.pop_back();
  EXPECT_FALSE(verify_chunk(chunk, short_path, chunks.proof_root()).ok());

  const std::string other_root = split_ok(patterned(21), ChunkingPolicy{3, 100}).proof_root();
  EXPECT_FALSE(verify_chunk(chunk, proof, other_root).ok());

  Status malformed_root = verify_chunk(chunk, proof, "sha256:xyz");
  ASSERT_FALSE(malformed_root.ok());
  EXPECT_NE(malformed_root.error().message.find("proofRoot"), std::string::npos);
}

TEST(EvidenceReassembly, RoundTripsAndRejectsTampering) {
  const Bytes evidence = patterned(10);
  const ChunkingPolicy policy{4, 10};
  const ChunkedEvidence chunks = split_ok(evidence, policy);
  EXPECT_EQ(reassemble_evidence(chunks.chunks(), chunks.proof_root(), policy).value(), evidence);

  std::vector<Bytes> tampered = chunks.chunks();
  tampered[1][0] ^= 0x01;
  auto bad = reassemble_evidence(tampered, chunks.proof_root(), policy);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kVerification);

  std::vector<Bytes> reordered = chunks.chunks();
  std::swap(reordered[0], reordered[1]);
  EXPECT_EQ(reassemble_evidence(reordered, chunks.proof_root(), policy).error().code,
            ErrorCode::kVerification);

  std::vector<Bytes> missing_last = chunks.chunks();
  missing_last.pop_back();
  EXPECT_FALSE(reassemble_evidence(missing_last, chunks.proof_root(), policy).ok());
}

TEST(EvidenceReassembly, RejectsABadLayout) {
  const ChunkingPolicy policy{4, 10};
  const std::string root = split_ok(patterned(10), policy).proof_root();
  const std::vector<Bytes> short_middle{patterned(4), patterned(3), patterned(3)};
  auto layout = reassemble_evidence(short_middle, root, policy);
  ASSERT_FALSE(layout.ok());
  EXPECT_EQ(layout.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(layout.error().message.find("chunk 1 has 3 bytes"), std::string::npos)
      << layout.error().message;

  const std::vector<Bytes> empty_last{patterned(4), Bytes{}};
  EXPECT_EQ(reassemble_evidence(empty_last, root, policy).error().code,
            ErrorCode::kInvalidArgument);

  const std::vector<Bytes> too_many(11, patterned(4));
  EXPECT_EQ(reassemble_evidence(too_many, root, policy).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace zastava::provcache
