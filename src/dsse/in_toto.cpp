#include "dsse/in_toto.hpp"

#include <nlohmann/json.hpp>

#include "base/hex.hpp"
#include "json/canonical_json.hpp"

namespace zastava::dsse {
namespace {

using Json = nlohmann::json;

// Thrown inside this file only; turned into an Error at the boundary.
struct StatementError {
  std::string message;
};

[[noreturn]] void fail(const std::string& field, std::string_view problem) {
  throw StatementError{"in-toto statement: " + field + " " + std::string(problem)};
}

std::size_t expected_hex_digits(std::string_view algorithm) {
  if (algorithm == "sha256") return 64;
  if (algorithm == "sha512") return 128;
  return 0;  // other algorithms: any non-empty lower-case hex
}

void check_digest_value(const std::string& field, std::string_view algorithm,
                        std::string_view value) {
  if (!encoding::is_lower_hex(value)) fail(field, "must be non-empty lower-case hex");
  const std::size_t digits = expected_hex_digits(algorithm);
  if (digits != 0 && value.size() != digits) {
    fail(field, "must have " + std::to_string(digits) + " hex digits for " +
                    std::string(algorithm) + ", not " + std::to_string(value.size()));
  }
}

void check_subject(const Subject& subject, const std::string& field) {
  if (subject.digest.empty()) fail(field + ".digest", "is empty");
  for (const auto& [algorithm, value] : subject.digest) {
    if (algorithm.empty()) fail(field + ".digest", "has an empty algorithm name");
    check_digest_value(field + ".digest." + algorithm, algorithm, value);
  }
}

void check_statement(const Statement& statement) {
  if (statement.subject.empty()) fail("subject", "is empty");
  for (std::size_t i = 0; i < statement.subject.size(); ++i) {
    check_subject(statement.subject[i], "subject[" + std::to_string(i) + "]");
  }
  if (statement.predicate_type.empty()) fail("predicateType", "is empty");
}

const Json& member(const Json& object, const char* name, const std::string& field) {
  const auto it = object.find(name);
  if (it == object.end()) fail(field, "is missing");
  return *it;
}

std::string string_value(const Json& value, const std::string& field) {
  if (!value.is_string()) fail(field, "must be a string, not " + std::string(value.type_name()));
  return value.get<std::string>();
}

Subject parse_subject(const Json& entry, const std::string& field) {
  if (!entry.is_object()) fail(field, "must be an object, not " + std::string(entry.type_name()));
  Subject subject;
  if (const auto name = entry.find("name"); name != entry.end()) {
    subject.name = string_value(*name, field + ".name");
  }
  const Json& digest = member(entry, "digest", field + ".digest");
  if (!digest.is_object()) {
    fail(field + ".digest", "must be an object, not " + std::string(digest.type_name()));
  }
  for (const auto& [algorithm, value] : digest.items()) {
    subject.digest.emplace(algorithm, string_value(value, field + ".digest." + algorithm));
  }
  check_subject(subject, field);
  return subject;
}

// Canonical text of a JSON value; errors come back with `field` named.
std::string canonical_text(const Json& value, const std::string& field) {
  auto text = zastava::json::canonicalize(value);
  if (!text) fail(field, "cannot be canonicalized: " + text.error().message);
  return std::move(text).value();
}

Statement parse_document(const Json& document) {
  if (!document.is_object()) {
    fail("document", "must be a JSON object, not " + std::string(document.type_name()));
  }
  const std::string type = string_value(member(document, "_type", "_type"), "_type");
  if (type != kInTotoStatementType) {
    fail("_type", "is \"" + type + "\", expected \"" + std::string(kInTotoStatementType) + "\"");
  }
  Statement statement;
  const Json& subjects = member(document, "subject", "subject");
  if (!subjects.is_array()) {
    fail("subject", "must be an array, not " + std::string(subjects.type_name()));
  }
  for (std::size_t i = 0; i < subjects.size(); ++i) {
    statement.subject.push_back(parse_subject(subjects[i], "subject[" + std::to_string(i) + "]"));
  }
  statement.predicate_type =
      string_value(member(document, "predicateType", "predicateType"), "predicateType");
  if (const auto predicate = document.find("predicate"); predicate != document.end()) {
    if (!predicate->is_object()) {
      fail("predicate", "must be an object, not " + std::string(predicate->type_name()));
    }
    statement.predicate_json = canonical_text(*predicate, "predicate");
  }
  check_statement(statement);
  return statement;
}

Json to_document(const Statement& statement) {
  check_statement(statement);
  Json subjects = Json::array();
  for (const Subject& subject : statement.subject) {
    Json entry = {{"digest", subject.digest}};
    if (!subject.name.empty()) entry["name"] = subject.name;
    subjects.push_back(std::move(entry));
  }
  Json document = {{"_type", kInTotoStatementType},
                   {"subject", std::move(subjects)},
                   {"predicateType", statement.predicate_type}};
  if (!statement.predicate_json.empty()) {
    auto predicate = zastava::json::parse_strict(statement.predicate_json);
    if (!predicate) fail("predicate", "is not valid JSON: " + predicate.error().message);
    if (!predicate->is_object()) {
      fail("predicate", "must be an object, not " + std::string(predicate->type_name()));
    }
    document["predicate"] = std::move(predicate).value();
  }
  return document;
}

}  // namespace

Result<std::string> to_canonical_json(const Statement& statement) {
  try {
    return canonical_text(to_document(statement), "statement");
  } catch (const StatementError& e) {
    return make_error(ErrorCode::kInvalidArgument, e.message);
  }
}

Result<Statement> parse_statement(std::string_view json_text) {
  auto document = zastava::json::parse_strict(json_text);
  if (!document) return document.error().with_context("in-toto statement");
  try {
    return parse_document(*document);
  } catch (const StatementError& e) {
    return make_error(ErrorCode::kParse, e.message);
  }
}

}  // namespace zastava::dsse
