#include "provcache/openvex.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "base/bytes.hpp"
#include "digest/content_id.hpp"
#include "json/canonical_json.hpp"
#include "provcache/document_reader.hpp"

namespace zastava::provcache {
namespace {

using detail::child;
using detail::DocumentError;

// The five justifications OpenVEX v0.2.0 defines for not_affected.
constexpr std::array<std::string_view, 5> kJustifications = {
    "component_not_present", "vulnerable_code_not_present", "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary", "inline_mitigations_already_exist"};

// v0.2.0 says "https://openvex.dev/ns/v0.2.0"; earlier documents said
// "https://openvex.dev/ns" or "https://openvex.dev/ns/v0.0.x".
bool is_openvex_context(std::string_view context) {
  constexpr std::string_view kBase = "https://openvex.dev/ns";
  return context == kBase || context.starts_with(std::string(kBase) + "/v");
}

VexStatus read_status(const nlohmann::json& statement, const std::string& pointer) {
  const std::string status = detail::required_string(statement, "status", pointer);
  if (status == "not_affected") return VexStatus::kNotAffected;
  if (status == "affected") return VexStatus::kAffected;
  if (status == "fixed") return VexStatus::kFixed;
  if (status == "under_investigation") return VexStatus::kUnderInvestigation;
  throw DocumentError(
      child(pointer, "status"),
      "\"" + status + "\" is not one of not_affected, affected, fixed, under_investigation");
}

std::vector<std::string> read_vulnerability(const nlohmann::json& statement,
                                            const std::string& pointer) {
  const nlohmann::json* value = detail::member(statement, "vulnerability");
  const std::string at = child(pointer, "vulnerability");
  if (value == nullptr) throw DocumentError(at, "missing");
  if (value->is_string()) {
    if (value->get_ref<const std::string&>().empty()) throw DocumentError(at, "must not be empty");
    return {value->get<std::string>()};
  }
  if (!value->is_object()) throw DocumentError(at, "expected an object or a string");
  std::vector<std::string> ids;
  for (const std::string_view key : {"name", "@id"}) {
    std::string id = detail::optional_string(*value, key, at);
    if (!id.empty()) ids.push_back(std::move(id));
  }
  if (ids.empty()) throw DocumentError(at, "needs a \"name\" or an \"@id\"");
  if (const nlohmann::json* aliases = detail::member(*value, "aliases")) {
    const std::string aliases_at = child(at, "aliases");
    detail::require_array(*aliases, aliases_at);
    for (std::size_t i = 0; i < aliases->size(); ++i) {
      if (!(*aliases)[i].is_string())
        throw DocumentError(child(aliases_at, i), "expected a string");
      ids.push_back((*aliases)[i].get<std::string>());
    }
  }
  return ids;
}

// One product or subcomponent: a string, or {"@id"} and/or {"identifiers": {"purl"}}.
void read_product_ids(const nlohmann::json& value, const std::string& pointer,
                      std::vector<std::string>& out) {
  if (value.is_string()) {
    if (value.get_ref<const std::string&>().empty())
      throw DocumentError(pointer, "must not be empty");
    out.push_back(value.get<std::string>());
    return;
  }
  if (!value.is_object()) throw DocumentError(pointer, "expected a string or an object");
  const std::size_t before = out.size();
  std::string id = detail::optional_string(value, "@id", pointer);
  if (!id.empty()) out.push_back(std::move(id));
  if (const nlohmann::json* identifiers = detail::member(value, "identifiers")) {
    const std::string at = child(pointer, "identifiers");
    detail::require_object(*identifiers, at);
    std::string purl = detail::optional_string(*identifiers, "purl", at);
    if (!purl.empty()) out.push_back(std::move(purl));
  }
  if (out.size() == before) throw DocumentError(pointer, "needs an \"@id\" or identifiers.purl");
}

void read_products(const nlohmann::json& statement, const std::string& pointer, VexStatement& out) {
  const nlohmann::json* products = detail::member(statement, "products");
  if (products == nullptr) return;
  const std::string at = child(pointer, "products");
  detail::require_array(*products, at);
  for (std::size_t i = 0; i < products->size(); ++i) {
    const std::string product_at = child(at, i);
    read_product_ids((*products)[i], product_at, out.products);
    if (!(*products)[i].is_object()) continue;
    if (const nlohmann::json* subcomponents = detail::member((*products)[i], "subcomponents")) {
      const std::string sub_at = child(product_at, "subcomponents");
      detail::require_array(*subcomponents, sub_at);
      for (std::size_t j = 0; j < subcomponents->size(); ++j) {
        read_product_ids((*subcomponents)[j], child(sub_at, j), out.subcomponents);
      }
    }
  }
}

VexStatement read_statement(const nlohmann::json& value, const std::string& pointer) {
  detail::require_object(value, pointer);
  VexStatement statement;
  statement.vulnerability_ids = read_vulnerability(value, pointer);
  read_products(value, pointer, statement);
  statement.status = read_status(value, pointer);
  statement.justification = detail::optional_string(value, "justification", pointer);
  if (!statement.justification.empty() &&
      std::find(kJustifications.begin(), kJustifications.end(), statement.justification) ==
          kJustifications.end()) {
    throw DocumentError(child(pointer, "justification"),
                        "\"" + statement.justification + "\" is not an OpenVEX justification");
  }
  statement.impact_statement = detail::optional_string(value, "impact_statement", pointer);
  statement.action_statement = detail::optional_string(value, "action_statement", pointer);
  auto canonical = json::canonicalize(value);
  if (!canonical.ok()) throw DocumentError(pointer, canonical.error().message);
  statement.hash = digest::ContentId::sha256_of(as_bytes(*canonical)).to_string();
  return statement;
}

Result<VexDocument> read_document(const nlohmann::json& document) {
  detail::require_object(document, "");
  const std::string context = detail::required_string(document, "@context", "");
  if (!is_openvex_context(context)) {
    throw DocumentError(
        "/@context", "\"" + context + "\" is not an OpenVEX context (https://openvex.dev/ns/...)");
  }
  VexDocument vex;
  vex.id = detail::optional_string(document, "@id", "");
  vex.author = detail::optional_string(document, "author", "");
  vex.timestamp = detail::optional_string(document, "timestamp", "");
  const nlohmann::json* statements = detail::member(document, "statements");
  if (statements == nullptr) throw DocumentError("/statements", "missing");
  detail::require_array(*statements, "/statements");
  for (std::size_t i = 0; i < statements->size(); ++i) {
    vex.statements.push_back(read_statement((*statements)[i], child("/statements", i)));
  }
  return vex;
}

}  // namespace

std::string_view to_string(VexStatus status) noexcept {
  switch (status) {
    case VexStatus::kNotAffected:
      return "not_affected";
    case VexStatus::kAffected:
      return "affected";
    case VexStatus::kFixed:
      return "fixed";
    case VexStatus::kUnderInvestigation:
      return "under_investigation";
  }
  return "under_investigation";
}

Result<VexDocument> parse_openvex(std::string_view text) {
  return detail::parse_document<VexDocument>(text, "OpenVEX document", read_document);
}

std::vector<std::string> vex_statement_hashes(std::span<const VexDocument> documents) {
  std::vector<std::string> hashes;
  for (const VexDocument& document : documents) {
    for (const VexStatement& statement : document.statements) hashes.push_back(statement.hash);
  }
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  return hashes;
}

}  // namespace zastava::provcache
