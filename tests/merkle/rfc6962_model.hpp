#pragma once
// A second, deliberately naive implementation of RFC 6962 section 2.1: the
// recursive definitions of MTH, PATH and PROOF/SUBPROOF transcribed as
// written, built on the public leaf_hash/node_hash. The tests check the
// iterative library against it for every small tree; it shares no code with
// the library beyond those two hash functions (which the reference vectors
// pin down).

#include <cstdint>
#include <span>
#include <vector>

#include "merkle/merkle_tree.hpp"

namespace zastava::merkle::testing {

// The largest power of two strictly smaller than n (n > 1).
inline std::size_t split_point(std::size_t n) {
  std::size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

inline Hash model_root(std::span<const Hash> d) {
  if (d.empty()) return empty_root();
  if (d.size() == 1) return d[0];
  const std::size_t k = split_point(d.size());
  return node_hash(model_root(d.first(k)), model_root(d.subspan(k)));
}

// PATH(m, D[n]) for 0 <= m < n.
inline std::vector<Hash> model_path(std::size_t m, std::span<const Hash> d) {
  if (d.size() <= 1) return {};
  const std::size_t k = split_point(d.size());
  std::vector<Hash> path;
  if (m < k) {
    path = model_path(m, d.first(k));
    path.push_back(model_root(d.subspan(k)));
  } else {
    path = model_path(m - k, d.subspan(k));
    path.push_back(model_root(d.first(k)));
  }
  return path;
}

// SUBPROOF(m, D[n], b) for 0 < m <= n.
inline std::vector<Hash> model_subproof(std::size_t m, std::span<const Hash> d, bool b) {
  if (m == d.size()) {
    if (b) return {};
    return {model_root(d)};
  }
  const std::size_t k = split_point(d.size());
  std::vector<Hash> proof;
  if (m <= k) {
    proof = model_subproof(m, d.first(k), b);
    proof.push_back(model_root(d.subspan(k)));
  } else {
    proof = model_subproof(m - k, d.subspan(k), false);
    proof.push_back(model_root(d.first(k)));
  }
  return proof;
}

// PROOF(m, D[n]) for 0 < m <= n.
inline std::vector<Hash> model_consistency(std::size_t m, std::span<const Hash> d) {
  return model_subproof(m, d, true);
}

}  // namespace zastava::merkle::testing
