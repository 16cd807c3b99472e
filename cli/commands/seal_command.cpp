// stella seal IMAGE: one DSSE-signed facet seal a facet, written to a seals file.
// stella seal verify SEALS.json: checks every seal of a seals file.
//
// Exit codes: 0 done (all verified), 1 failed (or something did not verify),
// 64 bad command line. Results go to stdout, diagnostics to stderr.
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../args.hpp"
#include "../cli_io.hpp"
#include "../commands.hpp"
#include "../image_input.hpp"
#include "../seals_writer.hpp"
#include "../table.hpp"
#include "base/bytes.hpp"
#include "facet/definitions.hpp"
#include "facet/extract.hpp"
#include "facet/names.hpp"
#include "facet/seal.hpp"

namespace zastava::cli {
namespace {

constexpr std::string_view kSealUsage =
    "usage: stella seal IMAGE --key KEY.pem [--key ...] --output SEALS.json\n"
    "                  [--facet ID ...] [--facets-file DEFS.yaml] [--sealed-by NAME]\n"
    "                  [--image-ref REF]\n"
    "       stella seal verify SEALS.json --pub KEY.pub.pem [--pub ...] [--threshold K]\n"
    "  IMAGE is oci:DIR[:TAG], docker-archive:FILE or dir:ROOTFS.\n"
    "  seal         reads the image, builds one manifest a facet (the built-in\n"
    "               facets, or those of --facets-file; --facet keeps only some),\n"
    "               signs each as a DSSE facet seal with every --key and writes\n"
    "               the seals file; prints a summary table\n"
    "  --sealed-by  who sealed (default: USER@HOSTNAME)\n"
    "  --image-ref  the imageRef to record (default: the name the image gives\n"
    "               itself, e.g. a docker-archive's RepoTags, else IMAGE as given)\n"
    "  seal verify  checks each seal's signatures (K distinct trusted keys,\n"
    "               default 1), payload and Merkle root, and that it belongs to\n"
    "               the seals file's image; prints a report; exit 0 only if all pass\n";

int usage_error(std::string_view command, std::string_view problem) {
  std::cerr << "stella " << command << ": " << problem << "\n\n" << kSealUsage;
  return kExitUsage;
}

int failure(std::string_view command, std::string_view problem) {
  std::cerr << "stella " << command << ": " << problem << "\n";
  return kExitFailure;
}

std::string default_sealed_by() {
  const char* user = std::getenv("USER");
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  const std::string user_name = user != nullptr && *user != '\0' ? user : "stella";
  return host[0] != '\0' ? user_name + "@" + host.data() : user_name;
}

Result<facet::FacetSet> load_facets(const std::optional<std::string>& facets_file) {
  if (!facets_file) return facet::FacetSet::defaults();
  auto facets = facet::FacetSet::load(*facets_file);
  if (!facets) return facets.error().with_context(*facets_file);
  return facets;
}

// What the summary table shows of a sealed facet (the manifest itself is
// released once signed).
struct SealedFacet {
  std::string facet_id;
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
  std::string root;
};

void print_seal_summary(const facet::SealsFile& file, const std::vector<SealedFacet>& sealed,
                        const std::vector<crypto::PrivateKey>& keys, const std::string& output) {
  std::cout << "sealed " << sealed.size() << " facet(s) of " << file.image_ref;
  if (!file.image_digest.empty()) std::cout << " (" << file.image_digest << ")";
  std::cout << " into " << output << "\nsigned by";
  for (const auto& key : keys) std::cout << " " << key.public_key().keyid();
  std::cout << "\n\n";
  TextTable table({"FACET", "FILES", "BYTES", "ROOT"});
  for (const auto& facet : sealed) {
    table.add_row(
        {facet.facet_id, std::to_string(facet.files), std::to_string(facet.bytes), facet.root});
  }
  table.print(std::cout);
}

struct ExtractedImage {
  std::string name;  // the image's own name, or ""
  std::string digest;
  std::vector<facet::FacetManifest> manifests;
};

// Reads the image and cuts it into facet manifests. The image's file list is
// released on return: memory then holds the manifests only.
Result<ExtractedImage> extract_image(const std::string& spec, const facet::FacetSet& facets,
                                     const std::vector<std::string>& only, const std::string& now) {
  auto image = read_image_input(spec, ImageReadRequest{});
  if (!image) return image.error();
  auto manifests = facet::extract_manifests(image->contents, facets, only, now);
  if (!manifests) return manifests.error().with_context(spec);
  return ExtractedImage{image->name, image->contents.image_digest, std::move(manifests).value()};
}

struct SealContext {
  std::string sealed_at;
  std::string sealed_by;
  const facet::FacetSet* facets = nullptr;
  std::vector<const crypto::PrivateKey*> signers;
};

// Signs one seal a manifest and appends it to `writer`. Each manifest is
// moved into its seal and freed once written, so memory holds one facet's
// payload at a time.
Result<std::vector<SealedFacet>> sign_manifests(std::vector<facet::FacetManifest> manifests,
                                                const SealContext& context,
                                                const facet::SealsFile& identity,
                                                SealsFileWriter& writer) {
  std::vector<SealedFacet> sealed;
  for (auto& manifest : manifests) {
    sealed.push_back(
        {manifest.facet_id, manifest.file_count, manifest.total_bytes, manifest.merkle_root});
    facet::FacetSeal seal;
    seal.seal_id = facet::new_seal_id();
    seal.image_ref = identity.image_ref;
    seal.image_digest = identity.image_digest;
    seal.quota = context.facets->find(manifest.facet_id)->quota;
    seal.manifest = std::move(manifest);
    seal.sealed_at = context.sealed_at;
    seal.sealed_by = context.sealed_by;
    auto envelope = facet::sign_seal(seal, context.signers);
    if (!envelope) return envelope.error().with_context("sealing facet " + seal.manifest.facet_id);
    if (Status written = writer.add(*envelope); !written) return written.error();
  }
  return sealed;
}

int run_seal_image(const Argv& argv) {
  constexpr std::string_view kCommand = "seal";
  auto args = Args::parse(
      argv, ArgSpec{{"facet", "facets-file", "key", "sealed-by", "image-ref", "output"}, {"help"}});
  if (!args) return usage_error(kCommand, args.error().message);
  if (args->has("help")) {
    std::cout << kSealUsage;
    return kExitOk;
  }
  if (args->positional().size() != 1) return usage_error(kCommand, "expected one IMAGE argument");
  const std::string& spec = args->positional()[0];
  const auto key_paths = args->values("key");
  const auto output = args->value("output");
  if (key_paths.empty()) return usage_error(kCommand, "--key is required");
  if (!output || output->empty()) return usage_error(kCommand, "--output is required");
  if (auto source = image::parse_image_spec(spec); !source) {
    return usage_error(kCommand, source.error().message);
  }

  // Everything that can be wrong with the command line is checked before the
  // image, which may take a while to read.
  auto keys = load_private_keys(key_paths);
  if (!keys) return failure(kCommand, keys.error().describe());
  auto facets = load_facets(args->value("facets-file"));
  if (!facets) return failure(kCommand, facets.error().describe());
  const auto only = args->values("facet");
  for (const std::string& id : only) {
    if (facets->find(id) == nullptr) {
      return usage_error(kCommand, "unknown facet '" + id + "' (not in the facet definitions)");
    }
  }

  SealContext context{facet::format_time(now_seconds()),
                      args->value("sealed-by").value_or(default_sealed_by()),
                      &*facets,
                      {}};
  for (const auto& key : *keys) context.signers.push_back(&key);
  auto image = extract_image(spec, *facets, only, context.sealed_at);
  if (!image) return failure(kCommand, image.error().describe());

  facet::SealsFile file;  // the image's identity; the seals go straight to the output
  file.image_ref = args->value("image-ref").value_or(image->name.empty() ? spec : image->name);
  file.image_digest = image->digest;
  auto writer = SealsFileWriter::open(*output, file.image_ref, file.image_digest);
  if (!writer) return failure(kCommand, writer.error().describe());
  auto sealed = sign_manifests(std::move(image->manifests), context, file, *writer);
  if (!sealed) return failure(kCommand, sealed.error().describe());
  if (Status committed = writer->commit(); !committed) {
    return failure(kCommand, committed.error().describe());
  }
  print_seal_summary(file, *sealed, *keys, *output);
  return kExitOk;
}

// One seal's line in the verify report. Until the seal verifies, what is
// shown of it comes from its unverified payload (when readable).
struct SealReport {
  std::string facet_id = "?";
  std::string seal_id = "?";
  std::string files = "?";
  std::string root = "?";
  std::string signers = "-";
  std::optional<std::string> failure;  // the reason, or nullopt when OK
};

void describe_unverified(const dsse::Envelope& envelope, SealReport& report) {
  auto seal = facet::parse_seal_payload(as_string(envelope.payload));
  if (!seal) return;
  report.facet_id = seal->manifest.facet_id;
  report.seal_id = seal->seal_id;
  report.files = std::to_string(seal->manifest.file_count);
  report.root = short_digest(seal->manifest.merkle_root);
}

SealReport verify_one(const dsse::Envelope& envelope, const facet::SealsFile& file,
                      const dsse::TrustSet& trust, std::size_t threshold,
                      std::map<std::string, int>& facets_seen) {
  SealReport report;
  auto verified = facet::verify_seal(envelope, trust, threshold);
  if (!verified) {
    describe_unverified(envelope, report);
    report.failure = verified.error().message;
    return report;
  }
  const facet::FacetSeal& seal = verified->seal;
  report.facet_id = seal.manifest.facet_id;
  report.seal_id = seal.seal_id;
  report.files = std::to_string(seal.manifest.file_count);
  report.root = short_digest(seal.manifest.merkle_root);
  report.signers.clear();
  for (const auto& keyid : verified->keyids) {
    report.signers += (report.signers.empty() ? "" : ",") + short_digest(keyid);
  }
  // A correctly signed seal of another image (or a second seal of one facet)
  // spliced into the file is still a wrong seals file.
  if (seal.image_digest != file.image_digest) {
    report.failure =
        "seal is for image " + (seal.image_digest.empty() ? "(none)" : seal.image_digest) +
        ", the seals file for " + (file.image_digest.empty() ? "(none)" : file.image_digest);
  } else if (seal.image_ref != file.image_ref) {
    report.failure =
        "seal names image '" + seal.image_ref + "', the seals file '" + file.image_ref + "'";
  } else if (++facets_seen[seal.manifest.facet_id] > 1) {
    report.failure = "a second seal of facet " + seal.manifest.facet_id;
  }
  return report;
}

int run_seal_verify(const Argv& argv) {
  constexpr std::string_view kCommand = "seal verify";
  auto args = Args::parse(argv, ArgSpec{{"pub", "threshold"}, {"help"}});
  if (!args) return usage_error(kCommand, args.error().message);
  if (args->has("help")) {
    std::cout << kSealUsage;
    return kExitOk;
  }
  if (args->positional().size() != 1) {
    return usage_error(kCommand, "expected one SEALS.json argument");
  }
  const auto pub_paths = args->values("pub");
  if (pub_paths.empty()) return usage_error(kCommand, "at least one --pub is required");
  std::size_t threshold = 1;
  if (const auto text = args->value("threshold")) {
    auto parsed = parse_threshold(*text);
    if (!parsed) return usage_error(kCommand, parsed.error().message);
    threshold = *parsed;
  }
  auto trust = load_trust_set(pub_paths);
  if (!trust) return failure(kCommand, trust.error().describe());
  if (threshold > trust->size()) {
    return usage_error(kCommand, "--threshold " + std::to_string(threshold) + " exceeds the " +
                                     std::to_string(trust->size()) +
                                     " distinct trusted keys given");
  }

  const std::string& path = args->positional()[0];
  auto text = read_text_file(path, kMaxSealsFileBytes);
  if (!text) return failure(kCommand, text.error().describe());
  auto file = facet::parse_seals_file(*text);
  if (!file) return failure(kCommand, file.error().with_context(path).describe());

  std::cout << path << ": " << file->seals.size() << " seal(s) of " << file->image_ref;
  if (!file->image_digest.empty()) std::cout << " (" << file->image_digest << ")";
  std::cout << "\n\n";
  TextTable table({"FACET", "SEAL ID", "FILES", "ROOT", "SIGNED BY", "RESULT"});
  std::map<std::string, int> facets_seen;
  std::size_t failed = 0;
  for (const auto& envelope : file->seals) {
    const SealReport report = verify_one(envelope, *file, *trust, threshold, facets_seen);
    if (report.failure) ++failed;
    table.add_row({report.facet_id, report.seal_id, report.files, report.root, report.signers,
                   report.failure ? "FAILED: " + *report.failure : "OK"});
  }
  table.print(std::cout);
  if (file->seals.empty()) {
    std::cout << "\nFAILED: the seals file holds no seals\n";
    return kExitFailure;
  }
  if (failed > 0) {
    std::cout << "\nFAILED: " << failed << " of " << file->seals.size()
              << " seal(s) did not verify\n";
    return kExitFailure;
  }
  std::cout << "\nOK: all " << file->seals.size() << " seal(s) verified (threshold " << threshold
            << ")\n";
  return kExitOk;
}

}  // namespace

int run_seal(const Argv& argv) {
  if (!argv.empty() && argv[0] == "verify")
    return run_seal_verify(Argv(argv.begin() + 1, argv.end()));
  if (argv.empty()) return usage_error("seal", "expected IMAGE or 'verify'");
  return run_seal_image(argv);
}

}  // namespace zastava::cli
