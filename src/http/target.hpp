#pragma once
// A request target in origin form ("/v1/proofs/sha256%3Aab?x=1") split into
// the percent-decoded path a router matches and the raw query string.
// Anything else (absolute form, "*", a bad or NUL escape) is malformed: the
// server answers 400.

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace zastava::http {

struct TargetParts {
  std::string path;   // percent-decoded
  std::string query;  // after the first '?', raw; empty when there is none
};

// kParse when the target is not origin form or has a bad escape.
Result<TargetParts> split_target(std::string_view target);

}  // namespace zastava::http
