// stella: the Zastava command-line tool. Thin: every subcommand parses its
// arguments and calls the core library (src/).

#include <iostream>
#include <string_view>

#include "commands.hpp"

namespace {

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(const zastava::cli::Argv&);
};

constexpr Command kCommands[] = {
    {"selfcheck", "sign and verify a sample in-toto statement with fresh keys",
     zastava::cli::run_selfcheck},
    {"keygen", "generate a signing key pair (--type ecdsa-p256|ed25519|rsa-pss-3072)",
     zastava::cli::run_keygen},
    {"dsse", "sign or verify DSSE envelopes (dsse sign|verify --help)", zastava::cli::run_dsse},
    {"canon", "canonicalize JSON per RFC 8785", zastava::cli::run_canon},
    {"digest", "content identity of files (--alg sha256|sha512|blake3)", zastava::cli::run_digest},
    {"seal", "seal an image's facets into signed seals (seal --help); seal verify",
     zastava::cli::run_seal},
    {"drift", "facet drift and quota verdicts between two images or seals files",
     zastava::cli::run_drift},
    {"vex", "vex gen --from-drift: an OpenVEX document from facet drift", zastava::cli::run_vex},
    {"prov", "provcache: export, import and invalidate decisions (prov --help)",
     zastava::cli::run_prov},
    {"policy", "policy check: validate a compiled policy document (docs/policy.md)",
     zastava::cli::run_policy},
    {"certs", "a CA and a serving certificate for zastava-webhook (certs --help)",
     zastava::cli::run_certs},
};

void print_usage(std::ostream& out) {
  out << "usage: stella <command> [arguments]\n\ncommands:\n";
  for (const auto& command : kCommands) {
    out << "  " << command.name << std::string(12 - command.name.size(), ' ') << command.summary
        << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    print_usage(std::cerr);
    return zastava::cli::kExitUsage;
  }
  const std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(std::cout);
    return zastava::cli::kExitOk;
  }
  const zastava::cli::Argv rest(argv + 2, argv + argc);
  for (const auto& command : kCommands) {
    if (command.name == name) {
      try {
        return command.run(rest);
      } catch (const std::exception& e) {
        std::cerr << "stella " << name << ": internal error: " << e.what() << "\n";
        return zastava::cli::kExitFailure;
      }
    }
  }
  std::cerr << "stella: unknown command '" << name << "'\n\n";
  print_usage(std::cerr);
  return zastava::cli::kExitUsage;
}
