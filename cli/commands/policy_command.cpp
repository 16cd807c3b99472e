// stella policy check FILE [--format table|json]: validates a compiled policy
// document (docs/policy.md) exactly as zastava-webhook loads --policy-file,
// and shows each scope with what it enforces and its hashes.
//
// Exit 0 when the document is valid (warnings included), 1 when it is not
// (the error, with its JSON path, on stderr; in the JSON output too), 64 for
// a bad command line.
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "../args.hpp"
#include "../commands.hpp"
#include "../table.hpp"
#include "policy/effective_scope.hpp"
#include "policy/policy_document.hpp"

namespace zastava::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: stella policy check FILE [--format table|json]\n"
    "  Validates a CompiledPolicy document (YAML, or JSON when FILE ends in .json)\n"
    "  as zastava-webhook does, and prints its scopes in match order (the defaults\n"
    "  last) with mode, seal and digest requirements, trusted keys, and the policy\n"
    "  and signer set hashes the provcache VeriKey uses. Exit 0 valid, 1 invalid.\n";

int usage_error(std::string_view reason) {
  std::cerr << "stella policy: " << reason << "\n" << kUsage;
  return kExitUsage;
}

std::string yes_no(bool value) {
  return value ? "yes" : "no";
}

void print_table(const std::string& file, const policy::CompiledPolicy& compiled) {
  std::cout << file << ": valid CompiledPolicy \"" << compiled.metadata.name << "\""
            << (compiled.metadata.version.empty()
                    ? ""
                    : " version \"" + compiled.metadata.version + "\"")
            << ", content " << compiled.content_hash << "\n\n";
  TextTable table({"SCOPE", "MODE", "FAILURE", "DIGEST", "SEAL", "KEYS", "FACETS", "MIN-TRUST",
                   "ON-MISS", "POLICY-HASH", "SIGNER-SET"});
  const auto add = [&](const policy::Scope& scope) {
    table.add_row(
        {scope.name, std::string(policy::mode_name(scope.mode)),
         std::string(policy::failure_policy_name(scope.failure_policy)),
         yes_no(scope.require_digest), yes_no(scope.require_seal),
         scope.trusted_keys.empty() ? std::string("none")
                                    : std::to_string(scope.signature_threshold) + " of " +
                                          std::to_string(scope.trusted_keys.size()),
         std::to_string(scope.facets->definitions().size()),
         scope.provcache.enabled ? std::to_string(scope.provcache.min_trust_score) : "off",
         std::string(policy::on_miss_name(scope.provcache.on_miss)),
         short_digest(scope.policy_hash), short_digest(scope.signer_set_hash)});
  };
  for (const policy::Scope& scope : compiled.scopes) add(scope);
  add(compiled.defaults);
  table.print(std::cout);
  for (const std::string& warning : compiled.warnings) std::cout << "\nwarning: " << warning;
  if (!compiled.warnings.empty()) std::cout << "\n";
}

nlohmann::json scope_json(const policy::Scope& scope) {
  return {{"name", scope.name},
          {"mode", policy::mode_name(scope.mode)},
          {"failurePolicy", policy::failure_policy_name(scope.failure_policy)},
          {"requireDigest", scope.require_digest},
          {"requireSeal", scope.require_seal},
          {"trustedKeys", scope.trusted_keys.size()},
          {"signatureThreshold", scope.signature_threshold},
          {"policyHash", scope.policy_hash},
          {"signerSetHash", scope.signer_set_hash},
          {"effective", nlohmann::json::parse(policy::effective_scope_json(scope).value())}};
}

int check(const std::string& file, const std::string& format) {
  auto compiled = policy::load_policy_file(file);
  if (!compiled) {
    if (format == "json") {
      std::cout << nlohmann::json{{"file", file},
                                  {"valid", false},
                                  {"error", compiled.error().message}}
                       .dump(2)
                << "\n";
    }
    std::cerr << "stella policy check: " << compiled.error().message << "\n";
    return kExitFailure;
  }
  if (format == "json") {
    nlohmann::json scopes = nlohmann::json::array();
    for (const policy::Scope& scope : compiled->scopes) scopes.push_back(scope_json(scope));
    std::cout << nlohmann::json{{"file", file},
                                {"valid", true},
                                {"name", compiled->metadata.name},
                                {"version", compiled->metadata.version},
                                {"contentHash", compiled->content_hash},
                                {"scopes", std::move(scopes)},
                                {"defaults", scope_json(compiled->defaults)},
                                {"warnings", compiled->warnings}}
                     .dump(2)
              << "\n";
  } else {
    print_table(file, *compiled);
  }
  return kExitOk;
}

}  // namespace

int run_policy(const Argv& argv) {
  if (argv.empty() || argv[0] == "--help" || argv[0] == "-h") {
    std::cout << kUsage;
    return argv.empty() ? kExitUsage : kExitOk;
  }
  if (argv[0] != "check") return usage_error("unknown subcommand '" + argv[0] + "'");
  auto args = Args::parse(Argv(argv.begin() + 1, argv.end()), ArgSpec{{"format"}, {"help"}});
  if (!args) return usage_error(args.error().message);
  if (args->has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (args->positional().size() != 1) return usage_error("expected one FILE");
  const std::string format = args->value("format").value_or("table");
  if (format != "table" && format != "json") {
    return usage_error("--format must be table or json, not '" + format + "'");
  }
  return check(args->positional()[0], format);
}

}  // namespace zastava::cli
