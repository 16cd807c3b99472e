#pragma once
// Helpers shared by the policy tests: documents written as YAML text.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "policy/policy_document.hpp"

namespace zastava::policy::testing {

inline constexpr const char* kHeader =
    "apiVersion: zastava.stellaops.io/v1alpha1\n"
    "kind: CompiledPolicy\n"
    "metadata:\n"
    "  name: test\n";

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::string pem(const char* name) {
  return read_text(std::string(ZASTAVA_TESTDATA_DIR) + "/crypto/" + name);
}

// Indents every line of `text` by `spaces`, for block scalars in YAML.
inline std::string indent(const std::string& text, int spaces) {
  std::string out;
  const std::string pad(static_cast<std::size_t>(spaces), ' ');
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) out += pad + line + "\n";
  return out;
}

// The header followed by `body` (YAML).
inline Result<CompiledPolicy> compile(const std::string& body) {
  return compile_policy_text(std::string(kHeader) + body);
}

inline CompiledPolicy compile_ok(const std::string& body) {
  auto policy = compile(body);
  EXPECT_TRUE(policy.ok()) << policy.error().message;
  if (!policy.ok()) throw std::runtime_error(policy.error().message);
  return std::move(policy).value();
}

inline std::string compile_error(const std::string& body) {
  auto policy = compile(body);
  EXPECT_FALSE(policy.ok()) << body;
  return policy.ok() ? std::string() : policy.error().message;
}

}  // namespace zastava::policy::testing
