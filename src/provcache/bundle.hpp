#pragma once
// Proof bundles (seed 000, "Air-Gap Integration"): one provcache decision and
// as much of its evidence as the density asks for, in a file that can be
// carried into an air-gapped cluster and checked there before it is trusted.
//
// Format "zastava.provcache.bundle/v1", canonical JSON (RFC 8785):
//   {"bundleVersion":"zastava.provcache.bundle/v1","density":"standard",
//    "entry":{...provcache entry, entry.hpp...},
//    "evidence":{"chunks":[{"data":"<base64>","index":0},...],
//                "manifest":{...EvidenceManifest, entry.hpp...}}}
//
// Densities ("Density Levels"):
//   lite      the entry and the manifest: the DecisionDigest, its proofRoot and
//             every chunk's hash and size, so the root can be recomputed; no
//             chunk bytes (~2 KB)
//   standard  + the first N chunks (N = 3 by default: ~200 KB of 64 KiB chunks)
//   strict    + every chunk (the whole evidence)
//
// Signed bundles are a DSSE envelope whose payloadType is
// kBundlePayloadType and whose payload is the canonical bundle; an unsigned
// bundle is the plain JSON. read_bundle tells them apart by their members.
//
// What read_bundle checks, in order, before anything may be stored:
//   1. the DSSE signatures against the trusted keys with the threshold (a
//      signed bundle), or that a signature was not required (an unsigned one);
//   2. the form: version, density, strict JSON, no unknown members;
//   3. the entry (parse_entry: the verdict hashes to decision.verdictHash);
//   4. the manifest's chunk hashes rebuild the Merkle root, which must be the
//      manifest's proofRoot and the decision's proofRoot;
//   5. every included chunk: an index of the manifest, in increasing order,
//      its size and leaf hash those of its manifest row;
//   6. the density: lite carries no chunks, strict every chunk;
//   7. with every chunk present: reassembly against the root
//      (reassemble_evidence) and the manifest's totalSize.
// Errors name what failed: "signature: ...", "proofRoot mismatch: ...",
// "chunk 3: hash mismatch ...", "strict bundle: chunk 4 is missing".
// kVerification for a check that failed, kParse for a malformed bundle.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "crypto/private_key.hpp"
#include "dsse/trust_set.hpp"
#include "provcache/entry.hpp"

namespace zastava::provcache {

inline constexpr std::string_view kBundleVersion = "zastava.provcache.bundle/v1";
inline constexpr std::string_view kBundlePayloadType =
    "application/vnd.stellaops.provcache.bundle+json";
// The seed's "~200 KB" of standard: three 64 KiB chunks.
inline constexpr std::size_t kDefaultStandardChunks = 3;
// The largest bundle file read_bundle accepts: the DSSE envelope cap, room for
// 1000 chunks of 64 KiB in base64 inside an envelope's base64.
inline constexpr std::size_t kMaxBundleBytes = std::size_t{256} << 20;

enum class BundleDensity { kLite, kStandard, kStrict };

std::string_view to_string(BundleDensity density) noexcept;  // "lite", "standard", "strict"
std::optional<BundleDensity> parse_bundle_density(std::string_view text) noexcept;

struct BundleChunk {
  std::uint64_t index = 0;
  Bytes data;

  friend bool operator==(const BundleChunk&, const BundleChunk&) = default;
};

struct ProofBundle {
  BundleDensity density = BundleDensity::kLite;
  ProvcacheEntry entry;
  EvidenceManifest manifest;
  std::vector<BundleChunk> chunks;  // increasing index, each a row of the manifest

  // Every chunk of the manifest is present (always true for empty evidence).
  [[nodiscard]] bool complete() const noexcept { return chunks.size() == manifest.chunks.size(); }

  friend bool operator==(const ProofBundle&, const ProofBundle&) = default;
};

// How many leading chunks a bundle of `density` carries out of `chunk_count`:
// 0 for lite, min(standard_chunks, chunk_count) for standard, all for strict.
std::size_t included_chunk_count(BundleDensity density, std::size_t chunk_count,
                                 std::size_t standard_chunks = kDefaultStandardChunks);

// A bundle of `entry`'s decision with `leading_chunks` as chunks 0, 1, ...
// (exactly included_chunk_count of them), checked as read_bundle checks it,
// so a broken store cannot export a bundle that would not import.
// The hit count is local bookkeeping and is exported as 0.
Result<ProofBundle> make_bundle(BundleDensity density, ProvcacheEntry entry,
                                EvidenceManifest manifest, std::vector<Bytes> leading_chunks);

// Checks 3-7 above on a bundle already in memory.
Status verify_bundle(const ProofBundle& bundle);

// Check 5 for one chunk: `index` is a row of the manifest and `data` has that
// row's size and leaf hash. For chunks fetched later (lazy fetch).
Status verify_manifest_chunk(const EvidenceManifest& manifest, std::uint64_t index, ByteView data);

// Check 7: `chunks` (every chunk, in index order) reassemble to the manifest's
// proofRoot and totalSize.
Status verify_complete_evidence(const EvidenceManifest& manifest, std::span<const Bytes> chunks);

// The chunks' bytes in index order (what ProvcacheStore::put_evidence takes).
std::vector<Bytes> chunk_bytes(const ProofBundle& bundle);

// The canonical JSON above (an unsigned bundle file, or a signed one's payload).
Result<std::string> bundle_to_json(const ProofBundle& bundle);

// A DSSE envelope over bundle_to_json(bundle), serialized (dsse::serialize).
Result<std::string> sign_bundle(const ProofBundle& bundle,
                                std::span<const crypto::PrivateKey* const> keys);

// What read_bundle requires of signatures. `trust` may be null when no keys
// are trusted: then a signed bundle is refused (it cannot be checked).
struct BundleTrust {
  const dsse::TrustSet* trust = nullptr;
  std::size_t threshold = 1;
  bool require_signature = false;
};

struct ImportedBundle {
  ProofBundle bundle;
  bool is_signed = false;
  std::vector<std::string> signer_keyids;  // distinct trusted keys that verified, sorted
};

// Reads a bundle file (signed or not) and runs every check above.
Result<ImportedBundle> read_bundle(std::string_view file_text, const BundleTrust& trust);

}  // namespace zastava::provcache
