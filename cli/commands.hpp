#pragma once
// The `stella` subcommands. Each takes the arguments after its name and
// returns the process exit code (see ExitCode).

#include <string>
#include <vector>

namespace zastava::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,       // an error, or something did not verify
  kExitQuotaBlocked = 2,  // stella drift: a Block quota was exceeded
  kExitRequireVex = 3,    // stella drift: a RequireVex quota was exceeded
  kExitUsage = 64,        // bad command line (sysexits.h EX_USAGE)
};

using Argv = std::vector<std::string>;

int run_canon(const Argv& args);      // canonical JSON (RFC 8785)
int run_digest(const Argv& args);     // sha256 / sha512 / blake3 of files
int run_keygen(const Argv& args);     // signing key pairs
int run_dsse(const Argv& args);       // DSSE sign / verify
int run_selfcheck(const Argv& args);  // sign and verify a sample statement
int run_seal(const Argv& args);       // facet seals of an image; seal verify
int run_drift(const Argv& args);      // facet drift between two images or seals files
int run_vex(const Argv& args);        // vex gen --from-drift: OpenVEX from facet drift
int run_prov(const Argv& args);       // prov export / import / invalidate
int run_policy(const Argv& args);     // policy check: validate a compiled policy document
int run_certs(const Argv& args);      // a CA and a serving certificate for the webhook

}  // namespace zastava::cli
