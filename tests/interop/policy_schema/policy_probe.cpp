// Test-only: reads policy files the way zastava-webhook does and prints, as
// one JSON array on stdout, each file's document tree and the parser's
// verdict, so that policy_schema_interop.cjs can hold the JSON Schema (via
// ajv) and our parser to the same answers.
//   policy_probe FILE...  ->  [{"file":..,"document":<tree or null>,"ok":bool,"error":"..",
//                               "contentHash":..,"scopes":[{"name","policyHash",
//                               "signerSetHash","effectiveJson"}]}, ..]
// (contentHash and scopes when ok; the defaults scope first).
#include <iostream>
#include <nlohmann/json.hpp>

#include "policy/effective_scope.hpp"
#include "policy/policy_document.hpp"
#include "support/config.hpp"

int main(int argc, char** argv) {
  using nlohmann::json;
  json results = json::array();
  for (int i = 1; i < argc; ++i) {
    const std::string path = argv[i];
    json result{{"file", path}, {"document", nullptr}, {"ok", false}, {"error", ""}};
    auto text = zastava::support::read_file(path);
    if (!text) {
      result["error"] = text.error().message;
    } else if (auto document = zastava::policy::read_policy_document(*text, path); !document) {
      result["error"] = document.error().message;
    } else {
      result["document"] = *document;
      auto policy = zastava::policy::compile_policy(*document);
      result["ok"] = policy.ok();
      if (!policy.ok()) {
        result["error"] = policy.error().message;
      } else {
        result["contentHash"] = policy->content_hash;
        json scopes = json::array();
        const auto describe = [&](const zastava::policy::Scope& scope) {
          scopes.push_back(
              {{"name", scope.name},
               {"policyHash", scope.policy_hash},
               {"signerSetHash", scope.signer_set_hash},
               {"effectiveJson", zastava::policy::effective_scope_json(scope).value()}});
        };
        describe(policy->defaults);
        for (const auto& scope : policy->scopes) describe(scope);
        result["scopes"] = std::move(scopes);
      }
    }
    results.push_back(std::move(result));
  }
  std::cout << results.dump() << "\n";
  return 0;
}
