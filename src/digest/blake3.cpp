// The BLAKE3 tree (spec sections 2.4 and 5.1): chunks of 1024 bytes are
// hashed into chaining values, which are merged pairwise into parent nodes up
// to the root. The hasher keeps one partial chunk and a stack of the chaining
// values of completed power-of-two subtrees. Big inputs are cut into whole
// aligned subtrees that the SIMD kernels hash many chunks at a time.
//
// Only the root is compressed differently (ROOT flag, extendable output), and
// whether a node is the root is known only once more input arrives or the
// hasher is finalized. So nodes are merged lazily: a new entry on the stack
// first merges the entries it proves are not the root (as the spec's
// reference hasher does), and a subtree is pushed as its two children rather
// than as its own, possibly-root, chaining value.
#include "digest/blake3.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "digest/blake3_detail.hpp"

namespace zastava::digest {

using detail::Blake3Backend;
using detail::kBlake3BlockLen;
using detail::kBlake3ChunkLen;
using detail::kBlake3CvLen;

namespace {

using Words = std::array<std::uint32_t, 8>;

// The largest subtree hashed in one go: 256 chunks (256 KiB of input) keep
// the wide kernels busy on the parent levels too, for 12 KiB of stack.
constexpr std::size_t kMaxSubtreeChunks = 256;

Words words_from_bytes(const std::uint8_t* bytes) noexcept {
  Words words{};
  for (std::size_t i = 0; i < 8; ++i) {
    const std::uint8_t* p = bytes + 4 * i;
    words[i] = std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
               std::uint32_t{p[3]} << 24;
  }
  return words;
}

void bytes_from_words(const std::uint32_t* words, std::size_t count, std::uint8_t* out) noexcept {
  for (std::size_t i = 0; i < count; ++i) {
    for (std::size_t byte = 0; byte < 4; ++byte) {
      out[4 * i + byte] = static_cast<std::uint8_t>(words[i] >> (8 * byte));
    }
  }
}

struct SubtreeChildren {
  Words left;
  Words right;
};

// The chaining values of the two halves of `chunks` whole chunks (a power of
// two, 2..kMaxSubtreeChunks) starting at chunk number `counter`: the leaves
// with the wide kernel, then each parent level with it too.
SubtreeChildren subtree_children(Blake3Backend backend, const std::uint8_t* input,
                                 std::size_t chunks, std::uint64_t counter, const Words& key,
                                 std::uint8_t flags) {
  const std::uint8_t* inputs[kMaxSubtreeChunks];
  std::uint8_t level[kMaxSubtreeChunks * kBlake3CvLen];
  std::uint8_t next_level[kMaxSubtreeChunks / 2 * kBlake3CvLen];

  for (std::size_t i = 0; i < chunks; ++i) inputs[i] = input + i * kBlake3ChunkLen;
  detail::blake3_hash_many(
      backend, {inputs, chunks, detail::kBlake3BlocksPerChunk, key.data(), counter, true, flags,
                detail::kChunkStart, detail::kChunkEnd, level});
  for (std::size_t nodes = chunks; nodes > 2; nodes /= 2) {
    const std::size_t parents = nodes / 2;
    // A parent's block is its two children's chaining values, side by side.
    for (std::size_t i = 0; i < parents; ++i) inputs[i] = level + i * 2 * kBlake3CvLen;
    detail::blake3_hash_many(
        backend, {inputs, parents, 1, key.data(), 0, false,
                  static_cast<std::uint8_t>(flags | detail::kParent), 0, 0, next_level});
    std::memcpy(level, next_level, parents * kBlake3CvLen);
  }
  return {words_from_bytes(level), words_from_bytes(level + kBlake3CvLen)};
}

}  // namespace

// What the last compression of a node needs, kept so that the root can be
// compressed again with ROOT set, once for each 64 bytes of output.
struct Blake3Hasher::Output {
  Words input_cv;
  std::array<std::uint8_t, kBlake3BlockLen> block;
  std::uint64_t counter;
  std::uint8_t block_len;
  std::uint8_t flags;

  static Output parent(const Words& left, const Words& right, const Words& key,
                       std::uint8_t flags) noexcept {
    Output output{key, {}, 0, kBlake3BlockLen, static_cast<std::uint8_t>(flags | detail::kParent)};
    bytes_from_words(left.data(), 8, output.block.data());
    bytes_from_words(right.data(), 8, output.block.data() + kBlake3CvLen);
    return output;
  }

  [[nodiscard]] Words chaining_value() const noexcept {
    std::uint32_t out[16];
    detail::blake3_compress(input_cv.data(), block.data(), counter, block_len, flags, out);
    Words cv{};
    std::copy_n(out, 8, cv.begin());
    return cv;
  }

  // Root output block i is the root compression with the counter set to i.
  void root_bytes(std::span<std::uint8_t> out) const noexcept {
    std::uint64_t output_block = 0;
    for (std::size_t offset = 0; offset < out.size(); offset += kBlake3BlockLen) {
      std::uint32_t words[16];
      detail::blake3_compress(input_cv.data(), block.data(), output_block++, block_len,
                              flags | detail::kRoot, words);
      std::uint8_t bytes[kBlake3BlockLen];
      bytes_from_words(words, 16, bytes);
      std::copy_n(bytes, std::min(kBlake3BlockLen, out.size() - offset), out.data() + offset);
    }
  }
};

Blake3Hasher::Blake3Hasher(const Words& key, std::uint8_t flags)
    : key_(key), flags_(flags), backend_(detail::blake3_best_backend()) {
  start_chunk(0);
}

Blake3Hasher::Blake3Hasher() : Blake3Hasher(detail::kBlake3Iv, 0) {}

Blake3Hasher Blake3Hasher::keyed(const Blake3Key& key) {
  return Blake3Hasher(words_from_bytes(key.data()), detail::kKeyedHash);
}

Blake3Hasher Blake3Hasher::derive_key(std::string_view context) {
  // The context string is hashed on its own into the key of the second,
  // key-material stage.
  Blake3Hasher context_hasher(detail::kBlake3Iv, detail::kDeriveKeyContext);
  context_hasher.update(as_bytes(context));
  const Blake3Digest context_key = context_hasher.finalize();
  return Blake3Hasher(words_from_bytes(context_key.data()), detail::kDeriveKeyMaterial);
}

void Blake3Hasher::start_chunk(std::uint64_t counter) {
  chunk_ = ChunkState{};
  chunk_.chaining_value = key_;
  chunk_.counter = counter;
}

void Blake3Hasher::update(ByteView data) {
  while (!data.empty()) {
    // A full chunk is finished only now that more input follows: until then
    // it might have been the root.
    if (chunk_.length() == kBlake3ChunkLen) {
      push_cv(chunk_output().chaining_value(), chunk_.counter);
      start_chunk(chunk_.counter + 1);
    }
    if (chunk_.length() == 0 && data.size() > kBlake3ChunkLen) {
      absorb_subtree(data);
      continue;
    }
    if (chunk_.length() == 0) merge_stack(chunk_.counter);  // this chunk follows them
    const std::size_t take = std::min(kBlake3ChunkLen - chunk_.length(), data.size());
    absorb_into_chunk(data.first(take));
    data = data.subspan(take);
  }
}

// Precondition: the chunk is not full, and data fits in it.
void Blake3Hasher::absorb_into_chunk(ByteView data) {
  while (!data.empty()) {
    if (chunk_.block_len == kBlake3BlockLen) {
      // The buffered block is not the chunk's last: more data follows.
      const std::uint8_t start = chunk_.blocks_compressed == 0 ? detail::kChunkStart : 0;
      std::uint32_t out[16];
      detail::blake3_compress(chunk_.chaining_value.data(), chunk_.block.data(), chunk_.counter,
                              kBlake3BlockLen, flags_ | start, out);
      std::copy_n(out, 8, chunk_.chaining_value.begin());
      ++chunk_.blocks_compressed;
      chunk_.block_len = 0;
      chunk_.block.fill(0);  // a short last block is zero-padded
    }
    const std::size_t take = std::min(kBlake3BlockLen - chunk_.block_len, data.size());
    std::copy_n(data.begin(), take, chunk_.block.begin() + chunk_.block_len);
    chunk_.block_len = static_cast<std::uint8_t>(chunk_.block_len + take);
    data = data.subspan(take);
  }
}

// Precondition: at a chunk boundary, with more than one chunk of data.
// Hashes the largest aligned power-of-two run of whole chunks at the front of
// `data` (up to kMaxSubtreeChunks) and consumes it.
void Blake3Hasher::absorb_subtree(ByteView& data) {
  const std::uint64_t counter = chunk_.counter;
  std::size_t chunks = std::min(std::bit_floor(data.size() / kBlake3ChunkLen), kMaxSubtreeChunks);
  // A run of 2^k chunks is a node of the tree only if it starts at a
  // multiple of 2^k chunks.
  while (counter % chunks != 0) chunks /= 2;
  if (chunks == 1) {
    // More data follows (precondition), so this chunk is not the root.
    const std::uint8_t* input = data.data();
    std::uint8_t cv[kBlake3CvLen];
    detail::blake3_hash_many(
        backend_, {&input, 1, detail::kBlake3BlocksPerChunk, key_.data(), counter, true, flags_,
                   detail::kChunkStart, detail::kChunkEnd, cv});
    push_cv(words_from_bytes(cv), counter);
  } else {
    const SubtreeChildren children =
        subtree_children(backend_, data.data(), chunks, counter, key_, flags_);
    push_cv(children.left, counter);
    push_cv(children.right, counter + chunks / 2);
  }
  start_chunk(counter + chunks);
  data = data.subspan(chunks * kBlake3ChunkLen);
}

// Completed subtrees correspond to the set bits of the count of chunks done,
// as in binary addition. Entries beyond popcount(chunks_done) are finished
// siblings that later input has proven are not the root: merge them.
void Blake3Hasher::merge_stack(std::uint64_t chunks_done) {
  const auto keep = static_cast<std::size_t>(std::popcount(chunks_done));
  while (stack_len_ > keep) {
    stack_[stack_len_ - 2] =
        Output::parent(stack_[stack_len_ - 2], stack_[stack_len_ - 1], key_, flags_)
            .chaining_value();
    --stack_len_;
  }
}

// Pushes the chaining value of a subtree that starts at chunk number
// `chunks_before`.
void Blake3Hasher::push_cv(const Words& chaining_value, std::uint64_t chunks_before) {
  merge_stack(chunks_before);
  stack_[stack_len_++] = chaining_value;
}

Blake3Hasher::Output Blake3Hasher::chunk_output() const {
  const std::uint8_t start = chunk_.blocks_compressed == 0 ? detail::kChunkStart : 0;
  return Output{chunk_.chaining_value, chunk_.block, chunk_.counter, chunk_.block_len,
                static_cast<std::uint8_t>(flags_ | start | detail::kChunkEnd)};
}

// The rightmost node (the partial chunk, or after a subtree the parent of the
// top two stack entries), folded with the stack from the top down; the last
// fold is the root.
Blake3Hasher::Output Blake3Hasher::root_output() const {
  std::size_t remaining = stack_len_;
  Output output = chunk_output();
  if (chunk_.length() == 0 && stack_len_ > 0) {
    // update() ends on a subtree only after pushing both of its children.
    output = Output::parent(stack_[stack_len_ - 2], stack_[stack_len_ - 1], key_, flags_);
    remaining -= 2;
  }
  while (remaining-- > 0) {
    output = Output::parent(stack_[remaining], output.chaining_value(), key_, flags_);
  }
  return output;
}

Blake3Digest Blake3Hasher::finalize() const {
  Blake3Digest digest{};
  root_output().root_bytes(digest);
  return digest;
}

void Blake3Hasher::finalize_xof(std::span<std::uint8_t> out) const {
  root_output().root_bytes(out);
}

Blake3Digest blake3(ByteView data) {
  Blake3Hasher hasher;
  hasher.update(data);
  return hasher.finalize();
}

Blake3Digest blake3_keyed(const Blake3Key& key, ByteView data) {
  Blake3Hasher hasher = Blake3Hasher::keyed(key);
  hasher.update(data);
  return hasher.finalize();
}

Blake3Digest blake3_derive_key(std::string_view context, ByteView key_material) {
  Blake3Hasher hasher = Blake3Hasher::derive_key(context);
  hasher.update(key_material);
  return hasher.finalize();
}

}  // namespace zastava::digest
