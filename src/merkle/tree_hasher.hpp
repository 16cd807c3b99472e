#pragma once
// Internal to the merkle module: leaf and node hashing through one reusable
// OpenSSL context, for code that hashes many nodes in a row (building a tree,
// walking a proof). One-shot EVP_Digest allocates a context and looks up the
// algorithm on every call, which costs more than hashing 65 bytes.
// Not thread-safe: one TreeHasher per thread or call.

#include <memory>

#include "base/bytes.hpp"
#include "merkle/merkle_tree.hpp"

namespace zastava::merkle::detail {

class TreeHasher {
 public:
  // Throws std::runtime_error if OpenSSL cannot provide SHA-256.
  TreeHasher();
  ~TreeHasher();
  TreeHasher(const TreeHasher&) = delete;
  TreeHasher& operator=(const TreeHasher&) = delete;

  Hash leaf(ByteView leaf);
  Hash node(const Hash& left, const Hash& right);

 private:
  struct OpenSsl;
  std::unique_ptr<OpenSsl> openssl_;
};

}  // namespace zastava::merkle::detail
