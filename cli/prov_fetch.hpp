#pragma once
// Lazy chunk fetch for `stella prov import --lazy-fetch` (seed 000, "Lazy
// fetch: only fetch chunks needed for audit"): the chunks a lite or standard
// bundle lacks are fetched from a provcache backend over HTTPS,
//   GET {backend}/v1/proofs/{proofRoot}/chunks/{index}
// each checked against the bundle's (already verified) manifest before it is
// added, then the whole evidence is checked against the proofRoot. The
// backend is not trusted: a chunk that does not match is an error.
//
// Flags: --lazy-fetch --backend https://HOST:PORT --ca CA.pem [--token-file F]
// (the file's first line is sent as "Authorization: Bearer <token>").

#include <optional>
#include <string>

#include "args.hpp"
#include "base/result.hpp"
#include "provcache/bundle.hpp"

namespace zastava::cli {

struct LazyFetchOptions {
  bool enabled = false;
  std::string backend;  // https://host:port
  std::string ca_path;
  std::optional<std::string> token_path;
};

// kInvalidArgument when --lazy-fetch lacks --backend/--ca, when the backend is
// not an https:// URL, or when --backend/--ca/--token-file come without
// --lazy-fetch.
Result<LazyFetchOptions> lazy_fetch_options_from(const Args& args);

// Fetches, verifies and adds every chunk `bundle` lacks; on success the
// bundle is complete and its evidence verified (provcache::verify_complete_evidence).
Status fetch_missing_chunks(const LazyFetchOptions& options, provcache::ProofBundle& bundle);

}  // namespace zastava::cli
