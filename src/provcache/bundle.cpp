#include "provcache/bundle.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "base/base64.hpp"
#include "dsse/envelope.hpp"
#include "dsse/signing.hpp"
#include "dsse/verification.hpp"
#include "json/canonical_json.hpp"
#include "merkle/merkle_tree.hpp"
#include "provcache/json_fields.hpp"

namespace zastava::provcache {
namespace {

Error verification_error(std::string message) {
  return make_error(ErrorCode::kVerification, std::move(message));
}

std::string chunk_label(std::uint64_t index) {
  return "chunk " + std::to_string(index);
}

// Check 4: the manifest's rows rebuild its root, and it is the decision's.
Status verify_proof_root(const ProofBundle& bundle) {
  std::vector<merkle::Hash> leaves;
  leaves.reserve(bundle.manifest.chunks.size());
  for (const ChunkMetadata& row : bundle.manifest.chunks) {
    auto hash = merkle::parse_hash(row.hash);
    if (!hash) return hash.error().with_context("evidence manifest: " + chunk_label(row.index));
    leaves.push_back(*hash);
  }
  const std::string rebuilt = merkle::format_hash(merkle::root_from_leaf_hashes(leaves));
  if (rebuilt != bundle.manifest.proof_root) {
    return verification_error("proofRoot mismatch: the manifest's chunk hashes build " + rebuilt +
                              ", not the manifest's proofRoot " + bundle.manifest.proof_root);
  }
  if (bundle.manifest.proof_root != bundle.entry.decision.proof_root) {
    return verification_error("proofRoot mismatch: the evidence manifest's proofRoot " +
                              bundle.manifest.proof_root + " is not the decision's proofRoot " +
                              bundle.entry.decision.proof_root);
  }
  return ok_status();
}

// Check 5 for every chunk, and that they come in increasing index order.
Status verify_included_chunks(const ProofBundle& bundle) {
  for (std::size_t i = 0; i < bundle.chunks.size(); ++i) {
    const BundleChunk& chunk = bundle.chunks[i];
    if (i > 0 && chunk.index <= bundle.chunks[i - 1].index) {
      return verification_error(chunk_label(chunk.index) + ": out of order or repeated (after " +
                                chunk_label(bundle.chunks[i - 1].index) + ")");
    }
    if (Status status = verify_manifest_chunk(bundle.manifest, chunk.index, chunk.data); !status) {
      return status;
    }
  }
  return ok_status();
}

// Check 6. Chunks are already known to be distinct rows of the manifest.
Status verify_density(const ProofBundle& bundle) {
  if (bundle.density == BundleDensity::kLite && !bundle.chunks.empty()) {
    return verification_error("lite bundle: carries " + std::to_string(bundle.chunks.size()) +
                              " chunk(s); a lite bundle has none");
  }
  if (bundle.density == BundleDensity::kStrict && !bundle.complete()) {
    std::uint64_t missing = 0;
    for (const BundleChunk& chunk : bundle.chunks) {
      if (chunk.index != missing) break;
      ++missing;
    }
    return verification_error("strict bundle: " + chunk_label(missing) + " is missing (" +
                              std::to_string(bundle.chunks.size()) + " of " +
                              std::to_string(bundle.manifest.chunks.size()) + " chunks present)");
  }
  return ok_status();
}

nlohmann::json bundle_document(const ProofBundle& bundle, const std::string& entry_json,
                               const std::string& manifest_json) {
  nlohmann::json chunks = nlohmann::json::array();
  for (const BundleChunk& chunk : bundle.chunks) {
    chunks.push_back({{"data", encoding::base64_encode(chunk.data)}, {"index", chunk.index}});
  }
  return nlohmann::json{
      {"bundleVersion", kBundleVersion},
      {"density", to_string(bundle.density)},
      {"entry", nlohmann::json::parse(entry_json)},
      {"evidence",
       {{"chunks", std::move(chunks)}, {"manifest", nlohmann::json::parse(manifest_json)}}}};
}

std::vector<BundleChunk> chunks_from_fields(const JsonFields& evidence) {
  std::vector<BundleChunk> chunks;
  const nlohmann::json& array = evidence.array("chunks");
  for (std::size_t i = 0; i < array.size(); ++i) {
    const JsonFields chunk(array[i], "bundle: evidence: chunks[" + std::to_string(i) + "]");
    chunk.allow_only({"data", "index"});
    auto data = encoding::base64_decode_any(chunk.string("data"));
    if (!data) chunk.fail("data: " + data.error().message);
    chunks.push_back(BundleChunk{chunk.unsigned_integer("index"), std::move(*data)});
  }
  return chunks;
}

// Checks 2 and 3 and the manifest's own form; the rest is verify_bundle's.
Result<ProofBundle> bundle_from_document(const nlohmann::json& root) {
  try {
    const JsonFields fields(root, "bundle");
    fields.allow_only({"bundleVersion", "density", "entry", "evidence"});
    const std::string version = fields.string("bundleVersion");
    if (version != kBundleVersion) {
      return make_error(ErrorCode::kUnsupported, "bundle: bundleVersion \"" + version +
                                                     "\" is not " + std::string(kBundleVersion));
    }
    ProofBundle bundle;
    const std::string density = fields.string("density");
    const auto parsed_density = parse_bundle_density(density);
    if (!parsed_density) fields.fail("unknown density \"" + density + "\"");
    bundle.density = *parsed_density;
    auto entry = parse_entry(fields.object("entry").dump());
    if (!entry) return entry.error().with_context("bundle: entry");
    bundle.entry = std::move(*entry);
    const JsonFields evidence(fields.object("evidence"), "bundle: evidence");
    evidence.allow_only({"chunks", "manifest"});
    auto manifest = parse_manifest(evidence.object("manifest").dump());
    if (!manifest) return manifest.error().with_context("bundle: evidence");
    bundle.manifest = std::move(*manifest);
    bundle.chunks = chunks_from_fields(evidence);
    return bundle;
  } catch (const FieldError& failure) {
    return make_error(ErrorCode::kParse, failure.message);
  }
}

// Check 1 for a signed bundle: the verified payload.
Result<Bytes> verified_payload(std::string_view file_text, const BundleTrust& trust,
                               std::vector<std::string>& signer_keyids) {
  auto envelope = dsse::parse_envelope(file_text);
  if (!envelope) return envelope.error().with_context("signature: bundle envelope");
  if (trust.trust == nullptr || trust.trust->empty()) {
    return verification_error(
        "signature: the bundle is signed, but no trusted keys were given to check it");
  }
  auto verified =
      dsse::verify_envelope(*envelope, *trust.trust, trust.threshold, kBundlePayloadType);
  if (!verified) return verified.error().with_context("signature");
  signer_keyids = std::move(verified->keyids);
  return std::move(verified->payload);
}

}  // namespace

std::string_view to_string(BundleDensity density) noexcept {
  switch (density) {
    case BundleDensity::kLite:
      return "lite";
    case BundleDensity::kStandard:
      return "standard";
    case BundleDensity::kStrict:
      return "strict";
  }
  return "lite";
}

std::optional<BundleDensity> parse_bundle_density(std::string_view text) noexcept {
  if (text == "lite") return BundleDensity::kLite;
  if (text == "standard") return BundleDensity::kStandard;
  if (text == "strict") return BundleDensity::kStrict;
  return std::nullopt;
}

std::size_t included_chunk_count(BundleDensity density, std::size_t chunk_count,
                                 std::size_t standard_chunks) {
  switch (density) {
    case BundleDensity::kLite:
      return 0;
    case BundleDensity::kStandard:
      return std::min(standard_chunks, chunk_count);
    case BundleDensity::kStrict:
      return chunk_count;
  }
  return 0;
}

Result<ProofBundle> make_bundle(BundleDensity density, ProvcacheEntry entry,
                                EvidenceManifest manifest, std::vector<Bytes> leading_chunks) {
  ProofBundle bundle{density, std::move(entry), std::move(manifest), {}};
  bundle.entry.hit_count = 0;
  for (std::size_t i = 0; i < leading_chunks.size(); ++i) {
    bundle.chunks.push_back(BundleChunk{i, std::move(leading_chunks[i])});
  }
  if (Status status = verify_bundle(bundle); !status) {
    return status.error().with_context("exporting " + bundle.entry.veri_key());
  }
  return bundle;
}

Status verify_bundle(const ProofBundle& bundle) {
  if (auto entry = entry_to_json(bundle.entry); !entry) return entry.error();
  if (auto manifest = manifest_to_json(bundle.manifest); !manifest) return manifest.error();
  if (Status status = verify_proof_root(bundle); !status) return status;
  if (Status status = verify_included_chunks(bundle); !status) return status;
  if (Status status = verify_density(bundle); !status) return status;
  if (bundle.complete()) return verify_complete_evidence(bundle.manifest, chunk_bytes(bundle));
  return ok_status();
}

Status verify_manifest_chunk(const EvidenceManifest& manifest, std::uint64_t index, ByteView data) {
  if (index >= manifest.chunks.size()) {
    return verification_error(chunk_label(index) + ": not in the manifest, which has " +
                              std::to_string(manifest.chunks.size()) + " chunk(s)");
  }
  const ChunkMetadata& row = manifest.chunks[index];
  if (data.size() != row.size) {
    return verification_error(chunk_label(index) +
                              ": size mismatch: " + std::to_string(data.size()) +
                              " bytes, the manifest says " + std::to_string(row.size));
  }
  const std::string leaf = merkle::format_hash(merkle::leaf_hash(data));
  if (leaf != row.hash) {
    return verification_error(chunk_label(index) + ": hash mismatch: the bytes hash to " + leaf +
                              ", the manifest says " + row.hash);
  }
  return ok_status();
}

Status verify_complete_evidence(const EvidenceManifest& manifest, std::span<const Bytes> chunks) {
  if (chunks.size() != manifest.chunks.size()) {
    return verification_error("evidence: " + std::to_string(chunks.size()) + " of " +
                              std::to_string(manifest.chunks.size()) + " chunks present");
  }
  ChunkingPolicy policy;
  if (!manifest.chunks.empty()) policy.chunk_size = manifest.chunks.front().size;
  policy.max_chunks_per_entry = std::max<std::size_t>(1, manifest.chunks.size());
  auto evidence = reassemble_evidence(chunks, manifest.proof_root, policy);
  if (!evidence) return evidence.error().with_context("evidence");
  if (evidence->size() != manifest.total_size) {
    return verification_error("evidence: reassembled " + std::to_string(evidence->size()) +
                              " bytes, the manifest says totalSize " +
                              std::to_string(manifest.total_size));
  }
  return ok_status();
}

std::vector<Bytes> chunk_bytes(const ProofBundle& bundle) {
  std::vector<Bytes> out;
  out.reserve(bundle.chunks.size());
  for (const BundleChunk& chunk : bundle.chunks) out.push_back(chunk.data);
  return out;
}

Result<std::string> bundle_to_json(const ProofBundle& bundle) {
  if (Status status = verify_bundle(bundle); !status) return status.error();
  auto entry = entry_to_json(bundle.entry);
  if (!entry) return entry.error();
  auto manifest = manifest_to_json(bundle.manifest);
  if (!manifest) return manifest.error();
  auto canonical = json::canonicalize(bundle_document(bundle, *entry, *manifest));
  if (!canonical) return canonical.error().with_context("bundle");
  return canonical;
}

Result<std::string> sign_bundle(const ProofBundle& bundle,
                                std::span<const crypto::PrivateKey* const> keys) {
  auto payload = bundle_to_json(bundle);
  if (!payload) return payload.error();
  auto envelope = dsse::sign_envelope(kBundlePayloadType, as_bytes(*payload), keys);
  if (!envelope) return envelope.error().with_context("signing the bundle");
  return dsse::serialize(*envelope);
}

Result<ImportedBundle> read_bundle(std::string_view file_text, const BundleTrust& trust) {
  if (file_text.size() > kMaxBundleBytes) {
    return make_error(ErrorCode::kInvalidArgument,
                      "bundle: " + std::to_string(file_text.size()) + " bytes is over the " +
                          std::to_string(kMaxBundleBytes) + "-byte limit");
  }
  auto document = json::parse_strict(file_text);
  if (!document) return document.error().with_context("bundle");
  ImportedBundle imported;
  if (document->is_object() && document->contains("payloadType")) {
    auto payload = verified_payload(file_text, trust, imported.signer_keyids);
    if (!payload) return payload.error();
    imported.is_signed = true;
    document = json::parse_strict(as_string(*payload));
    if (!document) return document.error().with_context("bundle (signed payload)");
  } else if (trust.require_signature) {
    return verification_error("signature: the bundle is not signed, and a signature is required");
  }
  auto bundle = bundle_from_document(*document);
  if (!bundle) return bundle.error();
  if (Status status = verify_bundle(*bundle); !status) return status.error();
  imported.bundle = std::move(*bundle);
  return imported;
}

}  // namespace zastava::provcache
