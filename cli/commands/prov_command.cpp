// stella prov: the provcache from the command line (seed 000, "Air-Gap
// Integration"): evaluate evidence into a store, export a decision as a proof
// bundle, import (verify, then store) a bundle, invalidate entries, and look
// one up.
//
// Exit codes: 0 done, 1 an error, a miss (get) or a bundle that did not
// verify, 64 bad command line. Results go to stdout, diagnostics to stderr.
#include <unistd.h>

#include <array>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../args.hpp"
#include "../cli_io.hpp"
#include "../commands.hpp"
#include "../prov_evaluate.hpp"
#include "../prov_fetch.hpp"
#include "../prov_store.hpp"
#include "json/canonical_json.hpp"
#include "provcache/bundle.hpp"
#include "provcache/decision_digest.hpp"
#include "provcache/invalidation.hpp"

namespace zastava::cli {
namespace {

using provcache::BundleDensity;
using provcache::ProvcacheEntry;

constexpr std::string_view kEvaluateUsage =
    "usage: stella prov evaluate --image sha256:HEX --sbom SBOM.json --policy-hash sha256:HEX\n"
    "                            [--vex VEX.json]... [--findings F.json|F.sarif]...\n"
    "                            [--signer-keyid K]... [--feed-epoch E] [--ttl SECONDS]\n"
    "                            [--time T] [--policy-updated T] STORE\n"
    "  Evaluates the gate on the image's evidence, builds the DecisionDigest, chunks the\n"
    "  evidence ({\"findings\",\"sbom\",\"vex\"} as application/vnd.zastava.evidence+json),\n"
    "  stores entry and evidence, prints the entry JSON (stdout) and the verdict (stderr).\n"
    "  --findings        SARIF 2.1.0, or a JSON list [{\"id\",\"purl\",\"severity\",\"status\"?}]\n"
    "  --signer-keyid    the image's signer set (not verified here: signer trust earns 0)\n"
    "  --feed-epoch      the vulnerability feeds' epoch (default empty: older than any)\n"
    "  --ttl             requested TTL (default 24h, at most 168h)\n"
    "  --time            evaluation time, RFC 3339 UTC (YYYY-MM-DDTHH:MM:SSZ; default now)\n"
    "  --policy-updated  when the policy last changed, RFC 3339 UTC (default unknown:\n"
    "                    policy freshness earns 0)\n";

constexpr std::string_view kExportUsage =
    "usage: stella prov export --verikey K --density lite|standard|strict [--chunks N]\n"
    "                          [--sign --key KEY.pem [--key ...]] [--output FILE] STORE\n"
    "  Writes the decision under K as a proof bundle (zastava.provcache.bundle/v1):\n"
    "    lite      the entry and the evidence manifest (chunk hashes), no chunk bytes\n"
    "    standard  + the first N chunks (--chunks N, default 3)\n"
    "    strict    + every chunk\n"
    "  --sign wraps it in a DSSE envelope signed by every --key. Default output: stdout.\n";

constexpr std::string_view kImportUsage =
    "usage: stella prov import --input FILE [--pub KEY.pub.pem]... [--threshold N]\n"
    "                          [--require-signature]\n"
    "                          [--lazy-fetch --backend https://HOST:PORT --ca CA.pem\n"
    "                           [--token-file F]] STORE\n"
    "  Verifies the bundle fully (signature with N distinct trusted keys, default 1;\n"
    "  verdict hash; Merkle root; every chunk), then stores the entry and, when every\n"
    "  chunk is present, the evidence. Nothing is stored when a check fails.\n"
    "  A signed bundle needs --pub; --require-signature refuses unsigned bundles.\n"
    "  --lazy-fetch fetches the chunks a lite/standard bundle lacks from the backend's\n"
    "  GET /v1/proofs/{proofRoot}/chunks/{index} and verifies each before storing.\n";

constexpr std::string_view kInvalidateUsage =
    "usage: stella prov invalidate --by signer_set_hash|policy_hash|feed_epoch|expired\n"
    "                              [--value V] --reason R [--actor A] [--result-file PATH]\n"
    "                              STORE\n"
    "  Removes the matching entries and records the revocation; prints the record\n"
    "  (JSON with entriesAffected, the number of entries removed).\n"
    "    signer_set_hash, policy_hash  entries with that hash (--value sha256:...)\n"
    "    feed_epoch                    entries whose feed epoch is older than --value\n"
    "    expired                       entries past their expiresAt (no --value)\n"
    "  --actor        default stella-cli:USER@HOST\n"
    "  --result-file  also write the record to PATH (a Job's /dev/termination-log, so it\n"
    "                 becomes the container's termination message); at most 4 KiB:\n"
    "                 reason, actor, then targetHash are left out of a longer record\n";

constexpr std::string_view kGetUsage =
    "usage: stella prov get --verikey K STORE\n"
    "  Prints {\"entry\":...,\"source\":...} for a live entry; exit 1 on a miss.\n";

std::string prov_usage() {
  return std::string(kEvaluateUsage) + std::string(kExportUsage) + std::string(kImportUsage) +
         std::string(kInvalidateUsage) + std::string(kGetUsage) + kStoreUsage;
}

// A subcommand's name and usage, for its messages.
struct Subcommand {
  std::string_view name;
  std::string_view usage;

  [[nodiscard]] int usage_error(std::string_view problem) const {
    std::cerr << "stella prov " << name << ": " << problem << "\n\n" << usage << kStoreUsage;
    return kExitUsage;
  }
  [[nodiscard]] int failure(std::string_view problem) const {
    std::cerr << "stella prov " << name << ": " << problem << "\n";
    return kExitFailure;
  }
  [[nodiscard]] int help() const {
    std::cout << usage << kStoreUsage;
    return kExitOk;
  }
};

// Parses `argv` with `options` and `switches` plus the store flags and
// --help. No positional arguments are taken.
Result<Args> parse_args(const Argv& argv, std::set<std::string> options,
                        std::set<std::string> switches) {
  options.insert(store_option_names().begin(), store_option_names().end());
  switches.insert("help");
  auto args = Args::parse(argv, ArgSpec{std::move(options), std::move(switches)});
  if (args && !args->positional().empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "unexpected argument '" + args->positional().front() + "'");
  }
  return args;
}

Result<std::int64_t> parse_positive(std::string_view flag, std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(flag) + " '" + std::string(text) + "' is not a positive integer");
  }
  return value;
}

Result<std::int64_t> parse_time(std::string_view flag, std::string_view text) {
  auto parsed = provcache::parse_utc_time(text);
  if (!parsed) return parsed.error().with_context(std::string(flag));
  return parsed;
}

std::string user_at_host() {
  const char* user = std::getenv("USER");
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  const std::string user_name = user != nullptr && *user != '\0' ? user : "unknown";
  return host[0] != '\0' ? user_name + "@" + host.data() : user_name;
}

// The store named by the flags; a usage error or a failure when it cannot be.
struct OpenedStore {
  std::unique_ptr<store::ProvcacheStore> store;
  int exit_code = kExitOk;
};

OpenedStore open_store(const Subcommand& command, const Args& args) {
  auto settings = store_settings_from(args);
  if (!settings) return {nullptr, command.usage_error(settings.error().message)};
  auto store = store::open_store(*settings, nullptr);
  if (!store) return {nullptr, command.failure(store.error().describe())};
  return {std::move(*store), kExitOk};
}

void print_verdict(const Evaluation& evaluation) {
  const ProvcacheEntry& entry = evaluation.entry;
  std::cerr << "verdict: " << entry.verdict() << " (trust " << evaluation.trust.score
            << "/100) for " << entry.source_hash << "\nveriKey: " << entry.veri_key()
            << "\nproofRoot: " << entry.decision.proof_root << " ("
            << evaluation.evidence.chunk_count() << " chunk(s), "
            << evaluation.evidence.total_size() << " bytes)\n";
  for (const std::string& reason : evaluation.gate.reasons)
    std::cerr << "  deny: " << reason << "\n";
  for (const auto& component : evaluation.trust.components) {
    std::cerr << "  trust " << component.name << ": " << component.explanation << "\n";
  }
}

int run_evaluate(const Argv& argv) {
  const Subcommand command{"evaluate", kEvaluateUsage};
  auto args = parse_args(argv,
                         {"image", "sbom", "vex", "findings", "signer-keyid", "policy-hash",
                          "feed-epoch", "ttl", "time", "policy-updated"},
                         {});
  if (!args) return command.usage_error(args.error().message);
  if (args->has("help")) return command.help();
  EvaluationRequest request;
  const auto image = args->value("image");
  const auto sbom = args->value("sbom");
  const auto policy = args->value("policy-hash");
  if (!image || !sbom || !policy) {
    return command.usage_error("--image, --sbom and --policy-hash are required");
  }
  request.image_digest = *image;
  request.sbom_path = *sbom;
  request.policy_hash = *policy;
  request.vex_paths = args->values("vex");
  request.findings_paths = args->values("findings");
  request.signer_keyids = args->values("signer-keyid");
  request.feed_epoch = args->value("feed-epoch").value_or("");
  request.evaluated_at_seconds = now_seconds();
  if (const auto ttl = args->value("ttl")) {
    auto parsed = parse_positive("--ttl", *ttl);
    if (!parsed) return command.usage_error(parsed.error().message);
    request.ttl_seconds = *parsed;
  }
  if (const auto time = args->value("time")) {
    auto parsed = parse_time("--time", *time);
    if (!parsed) return command.usage_error(parsed.error().message);
    request.evaluated_at_seconds = *parsed;
  }
  if (const auto updated = args->value("policy-updated")) {
    auto parsed = parse_time("--policy-updated", *updated);
    if (!parsed) return command.usage_error(parsed.error().message);
    request.policy_updated_at_seconds = *parsed;
  }
  auto opened = open_store(command, *args);
  if (!opened.store) return opened.exit_code;

  auto evaluation = evaluate_evidence(request);
  if (!evaluation) return command.failure(evaluation.error().describe());
  auto entry_json = provcache::entry_to_json(evaluation->entry);
  if (!entry_json) return command.failure(entry_json.error().describe());
  // Evidence first: an entry never points at evidence the store lacks.
  if (Status stored = opened.store->put_evidence(provcache::manifest_of(evaluation->evidence),
                                                 evaluation->evidence.chunks());
      !stored) {
    return command.failure(stored.error().with_context("storing the evidence").describe());
  }
  if (Status stored = opened.store->put(evaluation->entry); !stored) {
    return command.failure(stored.error().with_context("storing the entry").describe());
  }
  print_verdict(*evaluation);
  std::cout << *entry_json << "\n";
  return kExitOk;
}

// The first `count` chunks of the evidence under `proof_root`.
Result<std::vector<Bytes>> leading_chunks(store::ProvcacheStore& store, std::string_view proof_root,
                                          std::size_t count) {
  std::vector<Bytes> chunks;
  for (std::size_t i = 0; i < count; ++i) {
    auto chunk = store.get_chunk(proof_root, i);
    if (!chunk) return chunk.error();
    if (!*chunk) {
      return make_error(ErrorCode::kNotFound, "chunk " + std::to_string(i) + " of " +
                                                  std::string(proof_root) + " is not in the store");
    }
    chunks.push_back(std::move(**chunk));
  }
  return chunks;
}

int run_export(const Argv& argv) {
  const Subcommand command{"export", kExportUsage};
  auto args = parse_args(argv, {"verikey", "density", "chunks", "key", "output"}, {"sign"});
  if (!args) return command.usage_error(args.error().message);
  if (args->has("help")) return command.help();
  const auto veri_key = args->value("verikey");
  const auto density_name = args->value("density");
  if (!veri_key || !density_name)
    return command.usage_error("--verikey and --density are required");
  const auto density = provcache::parse_bundle_density(*density_name);
  if (!density) return command.usage_error("unknown --density '" + *density_name + "'");
  std::size_t standard_chunks = provcache::kDefaultStandardChunks;
  if (const auto chunks = args->value("chunks")) {
    if (*density != BundleDensity::kStandard) {
      return command.usage_error("--chunks applies to --density standard only");
    }
    auto parsed = parse_positive("--chunks", *chunks);
    if (!parsed) return command.usage_error(parsed.error().message);
    standard_chunks = static_cast<std::size_t>(*parsed);
  }
  const auto key_paths = args->values("key");
  if (args->has("sign") != !key_paths.empty()) {
    return command.usage_error("--sign and --key go together: --sign --key KEY.pem");
  }
  std::vector<crypto::PrivateKey> keys;
  if (!key_paths.empty()) {
    auto loaded = load_private_keys(key_paths);
    if (!loaded) return command.failure(loaded.error().describe());
    keys = std::move(*loaded);
  }
  auto opened = open_store(command, *args);
  if (!opened.store) return opened.exit_code;

  auto lookup = opened.store->get(*veri_key, now_seconds());
  if (!lookup) return command.failure(lookup.error().describe());
  if (!lookup->entry) return command.failure("no live entry for " + *veri_key);
  const std::string proof_root = lookup->entry->decision.proof_root;
  auto manifest = opened.store->get_evidence(proof_root);
  if (!manifest) return command.failure(manifest.error().describe());
  if (!*manifest) {
    return command.failure("the store has no evidence for proofRoot " + proof_root +
                           " (was it imported without its chunks?)");
  }
  const std::size_t count =
      provcache::included_chunk_count(*density, (*manifest)->chunks.size(), standard_chunks);
  auto chunks = leading_chunks(*opened.store, proof_root, count);
  if (!chunks) return command.failure(chunks.error().describe());
  auto bundle = provcache::make_bundle(*density, std::move(*lookup->entry), std::move(**manifest),
                                       std::move(*chunks));
  if (!bundle) return command.failure(bundle.error().describe());

  std::vector<const crypto::PrivateKey*> signers;
  for (const auto& key : keys) signers.push_back(&key);
  auto text = signers.empty() ? provcache::bundle_to_json(*bundle)
                              : provcache::sign_bundle(*bundle, signers);
  if (!text) return command.failure(text.error().describe());
  if (const auto output = args->value("output")) {
    if (Status written = write_file_atomically(*output, *text + "\n"); !written) {
      return command.failure(written.error().describe());
    }
    std::cerr << "stella prov export: wrote " << *output << ": " << *density_name << ", "
              << bundle->chunks.size() << " of " << bundle->manifest.chunks.size() << " chunk(s), "
              << (signers.empty() ? "unsigned" : "signed") << ", " << text->size() + 1
              << " bytes\n";
  } else {
    std::cout << *text << "\n";
  }
  return kExitOk;
}

// The trust an import checks signatures against.
struct ImportTrust {
  std::optional<dsse::TrustSet> keys;
  std::size_t threshold = 1;
};

// A verified bundle into the store: the evidence (when every chunk is
// present) before the entry, so an entry never points at missing evidence.
Status store_bundle(store::ProvcacheStore& store, const provcache::ProofBundle& bundle) {
  if (bundle.complete()) {
    if (Status stored = store.put_evidence(bundle.manifest, provcache::chunk_bytes(bundle));
        !stored) {
      return stored.error().with_context("storing the evidence");
    }
  }
  if (Status stored = store.put(bundle.entry); !stored) {
    return stored.error().with_context("storing the entry");
  }
  return ok_status();
}

std::string describe_import(const provcache::ImportedBundle& imported) {
  const provcache::ProofBundle& bundle = imported.bundle;
  const std::string signature =
      imported.is_signed
          ? "signed by " + std::to_string(imported.signer_keyids.size()) + " trusted key(s)"
          : "unsigned";
  const std::string total = std::to_string(bundle.manifest.chunks.size());
  const std::string evidence = bundle.complete()
                                   ? "stored (" + total + " chunk(s))"
                                   : "not stored (" + std::to_string(bundle.chunks.size()) +
                                         " of " + total + " chunk(s) present)";
  return "imported " + bundle.entry.veri_key() + " (" +
         std::string(provcache::to_string(bundle.density)) + ", " + signature + "): verdict " +
         bundle.entry.verdict() + ", evidence " + evidence;
}

int run_import(const Argv& argv) {
  const Subcommand command{"import", kImportUsage};
  auto args = parse_args(argv, {"input", "pub", "threshold", "backend", "ca", "token-file"},
                         {"require-signature", "lazy-fetch"});
  if (!args) return command.usage_error(args.error().message);
  if (args->has("help")) return command.help();
  const auto input = args->value("input");
  if (!input) return command.usage_error("--input is required");
  const bool lazy = args->has("lazy-fetch");
  auto fetch_options = lazy_fetch_options_from(*args);
  if (!fetch_options) return command.usage_error(fetch_options.error().message);
  ImportTrust trust;
  if (const auto text = args->value("threshold")) {
    auto parsed = parse_threshold(*text);
    if (!parsed) return command.usage_error(parsed.error().message);
    trust.threshold = *parsed;
  }
  if (const auto pubs = args->values("pub"); !pubs.empty()) {
    auto loaded = load_trust_set(pubs);
    if (!loaded) return command.failure(loaded.error().describe());
    trust.keys = std::move(*loaded);
  }
  const std::size_t trusted = trust.keys ? trust.keys->size() : 0;
  if (trust.threshold > 1 && trust.threshold > trusted) {
    return command.usage_error("--threshold " + std::to_string(trust.threshold) + " exceeds the " +
                               std::to_string(trusted) + " distinct trusted keys given");
  }
  // Checked before anything is read, so a usage error never touches the store.
  if (auto settings = store_settings_from(*args); !settings) {
    return command.usage_error(settings.error().message);
  }

  auto text = read_text_file(*input, provcache::kMaxBundleBytes);
  if (!text) return command.failure(text.error().describe());
  const provcache::BundleTrust bundle_trust{trust.keys ? &*trust.keys : nullptr, trust.threshold,
                                            args->has("require-signature")};
  auto imported = provcache::read_bundle(*text, bundle_trust);
  if (!imported) return command.failure(*input + ": " + imported.error().message);
  provcache::ProofBundle& bundle = imported->bundle;
  if (lazy && !bundle.complete()) {
    if (Status fetched = fetch_missing_chunks(*fetch_options, bundle); !fetched) {
      return command.failure(*input + ": lazy fetch: " + fetched.error().message);
    }
  }

  auto opened = open_store(command, *args);
  if (!opened.store) return opened.exit_code;
  if (Status stored = store_bundle(*opened.store, bundle); !stored) {
    return command.failure(stored.error().describe());
  }
  std::cout << describe_import(*imported) << "\n";
  return kExitOk;
}

// Kubernetes keeps at most 4 KiB of a container's termination message.
constexpr std::size_t kMaxResultFileBytes = 4096;

// The record `json_text` (canonical JSON) within `limit` bytes: whole as long
// as it fits, else without reason, actor and then targetHash (free text the
// requester already knows), so what remains is still JSON with the counts.
Result<std::string> fit_result(const std::string& json_text, std::size_t limit) {
  if (json_text.size() <= limit) return json_text;
  auto document = json::parse_strict(json_text);
  if (!document) return document.error();
  for (const char* field : {"reason", "actor", "targetHash"}) {
    document->erase(field);
    auto shorter = json::canonicalize(*document);
    if (!shorter) return shorter.error();
    if (shorter->size() <= limit) return shorter;
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "the revocation record does not fit in " + std::to_string(limit) + " bytes");
}

// Writes `content` plus a newline to `path` in place (truncating it): a
// termination-log file may be a bind mount that cannot be renamed over.
Status write_result_file(const std::string& path, const std::string& content) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return make_error(ErrorCode::kIo, "cannot open '" + path + "' for writing");
  file << content << "\n";
  file.flush();
  if (!file) return make_error(ErrorCode::kIo, "cannot write '" + path + "'");
  return ok_status();
}

int run_invalidate(const Argv& argv) {
  const Subcommand command{"invalidate", kInvalidateUsage};
  auto args = parse_args(argv, {"by", "value", "reason", "actor", "result-file"}, {});
  if (!args) return command.usage_error(args.error().message);
  if (args->has("help")) return command.help();
  const auto by = args->value("by");
  const auto reason = args->value("reason");
  if (!by || !reason) return command.usage_error("--by and --reason are required");
  const auto kind = provcache::parse_invalidation_kind(*by);
  if (!kind) return command.usage_error("unknown --by '" + *by + "'");
  provcache::InvalidationRequest request{
      *kind, args->value("value").value_or(""), *reason,
      args->value("actor").value_or("stella-cli:" + user_at_host())};
  if (*kind == provcache::InvalidationKind::kExpired && args->has("value")) {
    return command.usage_error("--by expired takes no --value");
  }
  if (Status valid = provcache::validate(request); !valid) {
    return command.usage_error(valid.error().message);
  }
  auto opened = open_store(command, *args);
  if (!opened.store) return opened.exit_code;
  auto record = store::invalidate(*opened.store, request, now_seconds());
  if (!record) return command.failure(record.error().describe());
  auto json = provcache::revocation_to_json(*record);
  if (!json) return command.failure(json.error().describe());
  std::cout << *json << "\n";
  if (const auto result_file = args->value("result-file")) {
    // The newline keeps the file within the limit too.
    auto fitted = fit_result(*json, kMaxResultFileBytes - 1);
    if (!fitted) return command.failure(fitted.error().describe());
    if (Status written = write_result_file(*result_file, *fitted); !written) {
      return command.failure(written.error().describe());
    }
  }
  return kExitOk;
}

int run_get(const Argv& argv) {
  const Subcommand command{"get", kGetUsage};
  auto args = parse_args(argv, {"verikey"}, {});
  if (!args) return command.usage_error(args.error().message);
  if (args->has("help")) return command.help();
  const auto veri_key = args->value("verikey");
  if (!veri_key) return command.usage_error("--verikey is required");
  auto opened = open_store(command, *args);
  if (!opened.store) return opened.exit_code;
  auto lookup = opened.store->get(*veri_key, now_seconds());
  if (!lookup) return command.failure(lookup.error().describe());
  if (!lookup->entry) return command.failure("miss: no live entry for " + *veri_key);
  auto entry = provcache::entry_to_json(*lookup->entry);
  if (!entry) return command.failure(entry.error().describe());
  auto out =
      json::canonicalize(nlohmann::json{{"entry", nlohmann::json::parse(*entry)},
                                        {"source", std::string(store::to_string(lookup->source))}});
  if (!out) return command.failure(out.error().describe());
  std::cout << *out << "\n";
  return kExitOk;
}

}  // namespace

int run_prov(const Argv& argv) {
  static const std::map<std::string, int (*)(const Argv&), std::less<>> kSubcommands = {
      {"evaluate", run_evaluate},
      {"export", run_export},
      {"import", run_import},
      {"invalidate", run_invalidate},
      {"get", run_get}};
  if (argv.empty() || argv[0] == "--help" || argv[0] == "-h" || argv[0] == "help") {
    (argv.empty() ? std::cerr : std::cout) << prov_usage();
    return argv.empty() ? kExitUsage : kExitOk;
  }
  const auto found = kSubcommands.find(argv[0]);
  if (found == kSubcommands.end()) {
    std::cerr << "stella prov: unknown subcommand '" << argv[0] << "'\n\n" << prov_usage();
    return kExitUsage;
  }
  return found->second(Argv(argv.begin() + 1, argv.end()));
}

}  // namespace zastava::cli
