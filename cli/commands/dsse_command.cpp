// stella keygen: signing key pairs.
// stella dsse sign|verify: DSSE v1 envelopes.
//
// Exit codes: 0 done (verified), 1 failed (or did not verify), 64 bad command
// line. Results go to stdout, diagnostics to stderr.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../args.hpp"
#include "../cli_io.hpp"
#include "../commands.hpp"
#include "crypto/private_key.hpp"
#include "crypto/public_key.hpp"
#include "dsse/envelope.hpp"
#include "dsse/signing.hpp"
#include "dsse/verification.hpp"

namespace zastava::cli {
namespace {

constexpr std::string_view kKeygenUsage =
    "usage: stella keygen --type ecdsa-p256|ed25519|rsa-pss-3072 --out KEY.pem [--force]\n"
    "  Writes the private key (PKCS#8 PEM, mode 0600) to KEY.pem and the public\n"
    "  key (SubjectPublicKeyInfo PEM) to KEY.pub.pem, then prints the keyid.\n"
    "  --force  overwrite existing files\n";

constexpr std::string_view kDsseUsage =
    "usage: stella dsse sign --key KEY.pem [--key ...] --payload-type TYPE --in FILE|-\n"
    "                        [--out FILE]\n"
    "       stella dsse verify ENVELOPE.json|- (--pub PUB.pem | --cert CERT.pem)...\n"
    "                        [--threshold K] [--payload-type TYPE] [--payload-out FILE]\n"
    "  sign    signs the payload with every key; writes the envelope JSON\n"
    "  verify  checks that K (default 1) distinct trusted keys signed the envelope;\n"
    "          --cert trusts a certificate's key (the certificate itself is not\n"
    "          validated); --payload-out writes the payload once verified\n";

// Envelopes and payloads larger than this are refused when read.
constexpr std::size_t kMaxInputBytes = dsse::kMaxEnvelopeJsonBytes;

int usage_error(std::string_view command, std::string_view problem, std::string_view usage) {
  std::cerr << "stella " << command << ": " << problem << "\n\n" << usage;
  return kExitUsage;
}

int failure(std::string_view command, std::string_view problem) {
  std::cerr << "stella " << command << ": " << problem << "\n";
  return kExitFailure;
}

// The whole of `path` ("-" is stdin), refusing more than kMaxInputBytes.
Result<std::string> read_input(const std::string& path) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) {
      return make_error(ErrorCode::kIo, "cannot open '" + path + "': " + std::strerror(errno));
    }
    in = &file;
  }
  std::string content;
  std::array<char, 1 << 16> buffer{};
  while (in->read(buffer.data(), buffer.size()) || in->gcount() > 0) {
    content.append(buffer.data(), static_cast<std::size_t>(in->gcount()));
    if (content.size() > kMaxInputBytes) {
      return make_error(ErrorCode::kInvalidArgument, "'" + path + "' is larger than " +
                                                         std::to_string(kMaxInputBytes) + " bytes");
    }
  }
  if (in->bad()) return make_error(ErrorCode::kIo, "error reading '" + path + "'");
  return content;
}

// Writes `content` to `path` with `mode`. Without `overwrite` an existing
// file is an error (O_EXCL: no race between checking and creating). With it,
// the mode is also forced on an existing file, so a private key never keeps
// an older file's wider permissions.
Status write_file(const std::string& path, std::string_view content, mode_t mode, bool overwrite) {
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL);
  const FileDescriptor fd(::open(path.c_str(), flags, mode));
  if (fd.get() < 0) {
    return make_error(ErrorCode::kIo, "cannot create '" + path + "': " + std::strerror(errno) +
                                          (errno == EEXIST ? " (use --force to overwrite)" : ""));
  }
  if (overwrite && ::fchmod(fd.get(), mode) != 0) {
    return make_error(ErrorCode::kIo, "cannot chmod '" + path + "': " + std::strerror(errno));
  }
  while (!content.empty()) {
    const ssize_t written = ::write(fd.get(), content.data(), content.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      return make_error(ErrorCode::kIo, "cannot write '" + path + "': " + std::strerror(errno));
    }
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  return ok_status();
}

bool file_exists(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0;
}

// KEY.pem -> KEY.pub.pem; any other name gets ".pub.pem" appended.
std::string public_key_path(const std::string& private_path) {
  constexpr std::string_view kPem = ".pem";
  const std::string stem = private_path.ends_with(kPem)
                               ? private_path.substr(0, private_path.size() - kPem.size())
                               : private_path;
  return stem + ".pub.pem";
}

Result<crypto::PrivateKey> load_private_key(const std::string& path) {
  auto pem = read_input(path);
  if (!pem) return pem.error();
  auto key = crypto::PrivateKey::from_pem(*pem);
  if (!key) return key.error().with_context(path);
  return key;
}

Result<crypto::PublicKey> load_public_key(const std::string& path, bool certificate) {
  auto pem = read_input(path);
  if (!pem) return pem.error();
  auto key = certificate ? crypto::PublicKey::from_certificate_pem(*pem)
                         : crypto::PublicKey::from_pem(*pem);
  if (!key) return key.error().with_context(path);
  return key;
}

int run_sign(const Argv& argv) {
  constexpr std::string_view kCommand = "dsse sign";
  auto args = Args::parse(argv, ArgSpec{{"key", "payload-type", "in", "out"}, {"help"}});
  if (!args) return usage_error(kCommand, args.error().message, kDsseUsage);
  if (args->has("help")) {
    std::cout << kDsseUsage;
    return kExitOk;
  }
  if (!args->positional().empty()) {
    return usage_error(kCommand, "unexpected argument '" + args->positional()[0] + "'", kDsseUsage);
  }
  const auto key_paths = args->values("key");
  const auto payload_type = args->value("payload-type");
  const auto input = args->value("in");
  if (key_paths.empty()) return usage_error(kCommand, "--key is required", kDsseUsage);
  if (!payload_type || payload_type->empty()) {
    return usage_error(kCommand, "--payload-type is required", kDsseUsage);
  }
  if (!input) return usage_error(kCommand, "--in is required (a file, or - for stdin)", kDsseUsage);

  std::vector<crypto::PrivateKey> keys;
  for (const std::string& path : key_paths) {
    auto key = load_private_key(path);
    if (!key) return failure(kCommand, key.error().describe());
    keys.push_back(std::move(key).value());
  }
  std::vector<const crypto::PrivateKey*> signers;
  for (const auto& key : keys) signers.push_back(&key);

  auto payload = read_input(*input);
  if (!payload) return failure(kCommand, payload.error().describe());
  auto envelope = dsse::sign_envelope(*payload_type, as_bytes(*payload), signers);
  if (!envelope) return failure(kCommand, envelope.error().describe());
  auto json = dsse::serialize(*envelope);
  if (!json) return failure(kCommand, json.error().describe());

  if (const auto out = args->value("out")) {
    if (Status written = write_file(*out, *json + "\n", 0644, /*overwrite=*/true); !written) {
      return failure(kCommand, written.error().describe());
    }
  } else {
    std::cout << *json << "\n";
  }
  return kExitOk;
}

int run_verify(const Argv& argv) {
  constexpr std::string_view kCommand = "dsse verify";
  auto args = Args::parse(
      argv, ArgSpec{{"pub", "cert", "threshold", "payload-type", "payload-out"}, {"help"}});
  if (!args) return usage_error(kCommand, args.error().message, kDsseUsage);
  if (args->has("help")) {
    std::cout << kDsseUsage;
    return kExitOk;
  }
  if (args->positional().size() != 1) {
    return usage_error(kCommand, "expected exactly one ENVELOPE argument", kDsseUsage);
  }
  if (args->values("pub").empty() && args->values("cert").empty()) {
    return usage_error(kCommand, "at least one --pub or --cert is required", kDsseUsage);
  }
  std::size_t threshold = 1;
  if (const auto text = args->value("threshold")) {
    const auto parsed = parse_threshold(*text);
    if (!parsed) return usage_error(kCommand, parsed.error().message, kDsseUsage);
    threshold = *parsed;
  }

  dsse::TrustSet trust;
  for (const auto& [option, certificate] : {std::pair{"pub", false}, std::pair{"cert", true}}) {
    for (const std::string& path : args->values(option)) {
      auto key = load_public_key(path, certificate);
      if (!key) return failure(kCommand, key.error().describe());
      trust.add(std::move(key).value());
    }
  }
  if (threshold > trust.size()) {
    return usage_error(kCommand,
                       "--threshold " + std::to_string(threshold) + " exceeds the " +
                           std::to_string(trust.size()) + " distinct trusted keys given",
                       kDsseUsage);
  }

  const std::string& envelope_path = args->positional()[0];
  auto text = read_input(envelope_path);
  if (!text) return failure(kCommand, text.error().describe());
  auto envelope = dsse::parse_envelope(*text);
  if (!envelope) return failure(kCommand, envelope_path + ": " + envelope.error().describe());

  const auto expected_type = args->value("payload-type");
  auto verified = dsse::verify_envelope(
      *envelope, trust, threshold,
      expected_type ? std::optional<std::string_view>(*expected_type) : std::nullopt);
  if (!verified) {
    std::cout << "NOT VERIFIED: " << envelope_path << "\n  " << verified.error().message << "\n";
    return kExitFailure;
  }
  if (const auto payload_out = args->value("payload-out")) {
    if (Status written = write_file(*payload_out, as_string(verified->payload), 0644, true);
        !written) {
      return failure(kCommand, written.error().describe());
    }
  }
  std::cout << "VERIFIED: " << envelope_path << "\n  payload type " << verified->payload_type
            << ", " << verified->payload.size() << " bytes\n  " << verified->keyids.size() << " of "
            << threshold << " required trusted signatures:\n";
  for (const std::string& keyid : verified->keyids) std::cout << "    " << keyid << "\n";
  return kExitOk;
}

}  // namespace

int run_keygen(const Argv& argv) {
  constexpr std::string_view kCommand = "keygen";
  auto args = Args::parse(argv, ArgSpec{{"type", "out"}, {"force", "help"}});
  if (!args) return usage_error(kCommand, args.error().message, kKeygenUsage);
  if (args->has("help")) {
    std::cout << kKeygenUsage;
    return kExitOk;
  }
  if (!args->positional().empty()) {
    return usage_error(kCommand, "unexpected argument '" + args->positional()[0] + "'",
                       kKeygenUsage);
  }
  const auto type_name = args->value("type");
  const auto private_path = args->value("out");
  if (!type_name) return usage_error(kCommand, "--type is required", kKeygenUsage);
  if (!private_path || private_path->empty()) {
    return usage_error(kCommand, "--out is required", kKeygenUsage);
  }
  auto type = crypto::parse_key_type(*type_name);
  if (!type) return usage_error(kCommand, type.error().message, kKeygenUsage);

  const std::string public_path = public_key_path(*private_path);
  const bool force = args->has("force");
  for (const std::string& path : {*private_path, public_path}) {
    if (!force && file_exists(path)) {
      return failure(kCommand, "'" + path + "' exists; use --force to overwrite it");
    }
  }
  auto key = crypto::PrivateKey::generate(*type);
  if (!key) return failure(kCommand, key.error().describe());
  if (Status written = write_file(*private_path, key->to_pem(), 0600, force); !written) {
    return failure(kCommand, written.error().describe());
  }
  if (Status written = write_file(public_path, key->public_key().to_pem(), 0644, force); !written) {
    return failure(kCommand, written.error().describe());
  }
  std::cerr << "stella keygen: wrote " << key_type_name(*type) << " private key to "
            << *private_path << " (mode 0600) and public key to " << public_path << "\n";
  std::cout << key->public_key().keyid() << "\n";
  return kExitOk;
}

int run_dsse(const Argv& argv) {
  if (argv.empty()) return usage_error("dsse", "expected 'sign' or 'verify'", kDsseUsage);
  const std::string& subcommand = argv[0];
  const Argv rest(argv.begin() + 1, argv.end());
  if (subcommand == "sign") return run_sign(rest);
  if (subcommand == "verify") return run_verify(rest);
  if (subcommand == "--help" || subcommand == "-h" || subcommand == "help") {
    std::cout << kDsseUsage;
    return kExitOk;
  }
  return usage_error("dsse", "unknown subcommand '" + subcommand + "'", kDsseUsage);
}

}  // namespace zastava::cli
