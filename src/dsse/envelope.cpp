#include "dsse/envelope.hpp"

#include <simdjson.h>

#include <nlohmann/json.hpp>
#include <set>

#include "base/base64.hpp"
#include "json/canonical_json.hpp"

namespace zastava::dsse {
namespace {

namespace ondemand = simdjson::ondemand;
using ondemand::json_type;

// Containers nested deeper than this (the envelope object counts as 1) are
// refused, so a hostile unknown member can't make the validation below
// recurse without bound.
constexpr int kMaxNestingDepth = 64;

// Thrown inside this file; parse_envelope turns it into a kParse Error.
struct EnvelopeError {
  std::string message;
};

[[noreturn]] void fail(std::string_view field, std::string_view problem) {
  throw EnvelopeError{"DSSE envelope: " + std::string(field) + " " + std::string(problem)};
}

// For text that is not strict JSON; `where` names the member being read.
[[noreturn]] void invalid_json(std::string_view where, std::string_view problem) {
  throw EnvelopeError{"DSSE envelope is not valid JSON" +
                      (where.empty() ? std::string() : " (in " + std::string(where) + ")") + ": " +
                      std::string(problem)};
}

std::string too_large(std::size_t size, std::size_t limit) {
  return "is too large (" + std::to_string(size) + " bytes; at most " + std::to_string(limit) + ")";
}

// The value of a simdjson result, or invalid_json with simdjson's message.
template <typename T>
T take(simdjson::simdjson_result<T>&& result, std::string_view where) {
  T value;
  if (const simdjson::error_code error = std::move(result).get(value)) {
    invalid_json(where, simdjson::error_message(error));
  }
  return value;
}

std::string_view type_name(json_type type) {
  switch (type) {
    case json_type::array:
      return "array";
    case json_type::object:
      return "object";
    case json_type::number:
      return "number";
    case json_type::string:
      return "string";
    case json_type::boolean:
      return "boolean";
    case json_type::null:
      return "null";
  }
  return "unknown";
}

[[noreturn]] void duplicate(std::string_view name, std::string_view path) {
  throw EnvelopeError{"DSSE envelope: duplicate member name \"" + std::string(name) + "\"" +
                      (path.empty() ? "" : " in " + std::string(path))};
}

// For the members DSSE defines: `seen` says whether one came before.
void reject_duplicate(bool& seen, std::string_view name, std::string_view path) {
  if (seen) duplicate(name, path);
  seen = true;
}

// On-Demand checks a value's grammar only when it is read (stage 1 checks
// UTF-8, string control characters and the structural characters of the whole
// document), so members DSSE doesn't define are read here rather than skipped:
// the envelope is accepted only when it is strict JSON throughout, with no
// duplicate member names anywhere.
void validate_value(ondemand::value value, int depth, std::string_view where);

void validate_object(ondemand::object object, int depth, std::string_view where) {
  std::set<std::string_view> names;  // views into the parser's string buffer
  for (auto member : object) {
    ondemand::field field = take(std::move(member), where);
    const std::string_view name = take(field.unescaped_key(), where);
    if (!names.insert(name).second) {
      invalid_json(where, "duplicate member name \"" + std::string(name) + "\"");
    }
    validate_value(field.value(), depth, where);
  }
}

void validate_value(ondemand::value value, int depth, std::string_view where) {
  const json_type type = take(value.type(), where);
  if ((type == json_type::object || type == json_type::array) && depth >= kMaxNestingDepth) {
    invalid_json(where, "nesting deeper than " + std::to_string(kMaxNestingDepth));
  }
  switch (type) {
    case json_type::object:
      validate_object(take(value.get_object(), where), depth + 1, where);
      break;
    case json_type::array:
      for (auto element : take(value.get_array(), where)) {
        validate_value(take(std::move(element), where), depth + 1, where);
      }
      break;
    case json_type::number:
      // Read as a double so that integers beyond 64 bits (valid JSON) pass;
      // numbers beyond the range of a double (1e400) are refused, as I-JSON
      // (RFC 7493) advises.
      take(value.get_double(), where);
      break;
    case json_type::string:
      take(value.get_string(), where);
      break;
    case json_type::boolean:
      take(value.get_bool(), where);
      break;
    case json_type::null:
      if (!take(value.is_null(), where)) invalid_json(where, "malformed null");
      break;
  }
}

// So that a malformed document is called that, not "not an object". simdjson
// reads a scalar document only through the document itself.
void validate_non_object_root(ondemand::document& document, json_type type) {
  switch (type) {
    case json_type::array:
      for (auto element : take(document.get_array(), "")) {
        validate_value(take(std::move(element), ""), 1, "");
      }
      break;
    case json_type::number:
      take(document.get_double(), "");
      break;
    case json_type::string:
      take(document.get_string(), "");
      break;
    case json_type::boolean:
      take(document.get_bool(), "");
      break;
    case json_type::null:
      if (!take(document.is_null(), "")) invalid_json("", "malformed null");
      break;
    case json_type::object:
      break;
  }
  if (document.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    invalid_json("", "content after the document's first value");
  }
}

// Names of the members DSSE doesn't define, seen in one object.
class UnknownMembers {
 public:
  void note(std::string_view name, std::string_view path) {
    if (!names_.insert(name).second) duplicate(name, path);
  }

 private:
  std::set<std::string_view> names_;  // views into the parser's string buffer
};

// `value` as a string; names the field and the JSON type it has otherwise
// (after checking that the value is at least valid JSON).
std::string_view read_string(ondemand::value value, std::string_view path, int depth) {
  const json_type type = take(value.type(), path);
  if (type != json_type::string) {
    validate_value(value, depth, path);
    fail(path, "must be a string, not " + std::string(type_name(type)));
  }
  return take(value.get_string(), path);
}

Bytes read_base64(ondemand::value value, std::string_view path, int depth) {
  auto bytes = encoding::base64_decode_any(read_string(value, path, depth));
  if (!bytes) fail(path, "is not valid base64: " + bytes.error().message);
  return std::move(bytes).value();
}

std::string read_payload_type(ondemand::value value) {
  const std::string_view type = read_string(value, "payloadType", 1);
  if (type.empty()) fail("payloadType", "is empty");
  if (type.size() > kMaxPayloadTypeBytes) {
    fail("payloadType", too_large(type.size(), kMaxPayloadTypeBytes));
  }
  return std::string(type);
}

// Each signature object sits at depth 3: envelope, signatures array, itself.
Signature read_signature(ondemand::value value, std::size_t index) {
  const std::string path = "signatures[" + std::to_string(index) + "]";
  if (const json_type type = take(value.type(), path); type != json_type::object) {
    validate_value(value, 2, path);
    fail(path, "must be an object, not " + std::string(type_name(type)));
  }
  Signature signature;
  bool has_keyid = false;
  bool has_sig = false;
  UnknownMembers unknown;
  for (auto member : take(value.get_object(), path)) {
    ondemand::field field = take(std::move(member), path);
    const std::string_view name = take(field.unescaped_key(), path);
    if (name == "keyid") {
      reject_duplicate(has_keyid, name, path);
      const std::string keyid_path = path + ".keyid";
      const std::string_view keyid = read_string(field.value(), keyid_path, 3);
      if (keyid.size() > kMaxKeyidBytes) fail(keyid_path, too_large(keyid.size(), kMaxKeyidBytes));
      signature.keyid = keyid;
    } else if (name == "sig") {
      reject_duplicate(has_sig, name, path);
      const std::string sig_path = path + ".sig";
      signature.sig = read_base64(field.value(), sig_path, 3);
      if (signature.sig.empty()) fail(sig_path, "is empty");
      if (signature.sig.size() > kMaxSignatureBytes) {
        fail(sig_path, too_large(signature.sig.size(), kMaxSignatureBytes));
      }
    } else {
      unknown.note(name, path);
      validate_value(field.value(), 3, path + "." + std::string(name));
    }
  }
  if (!has_sig) fail(path + ".sig", "is missing");
  return signature;
}

std::vector<Signature> read_signatures(ondemand::value value) {
  if (const json_type type = take(value.type(), "signatures"); type != json_type::array) {
    validate_value(value, 1, "signatures");
    fail("signatures", "must be an array, not " + std::string(type_name(type)));
  }
  std::vector<Signature> signatures;
  for (auto element : take(value.get_array(), "signatures")) {
    if (signatures.size() == kMaxSignatures) {
      fail("signatures", "has more than " + std::to_string(kMaxSignatures) + " entries");
    }
    signatures.push_back(read_signature(take(std::move(element), "signatures"), signatures.size()));
  }
  if (signatures.empty()) fail("signatures", "is empty");
  return signatures;
}

// Reads the envelope with simdjson's On-Demand API: no DOM is built, the
// members DSSE defines are read as they come. Duplicate member names are
// errors: a signed document must not read differently to two verifiers whose
// parsers keep different duplicates.
Envelope read_envelope(ondemand::document& document) {
  if (const json_type type = take(document.type(), ""); type != json_type::object) {
    validate_non_object_root(document, type);
    throw EnvelopeError{"DSSE envelope must be a JSON object, not " + std::string(type_name(type))};
  }
  Envelope envelope;
  bool has_type = false;
  bool has_payload = false;
  bool has_signatures = false;
  UnknownMembers unknown;
  for (auto member : take(document.get_object(), "")) {
    ondemand::field field = take(std::move(member), "");
    const std::string_view name = take(field.unescaped_key(), "");
    if (name == "payloadType") {
      reject_duplicate(has_type, name, "");
      envelope.payload_type = read_payload_type(field.value());
    } else if (name == "payload") {
      reject_duplicate(has_payload, name, "");
      envelope.payload = read_base64(field.value(), "payload", 1);
    } else if (name == "signatures") {
      reject_duplicate(has_signatures, name, "");
      envelope.signatures = read_signatures(field.value());
    } else {
      unknown.note(name, "");
      validate_value(field.value(), 1, name);
    }
  }
  // simdjson 3.0 has no document::at_end(); current_location() is
  // OUT_OF_BOUNDS exactly when the whole document has been read.
  if (document.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    invalid_json("", "content after the envelope object");
  }
  if (!has_type) fail("payloadType", "is missing");
  if (!has_payload) fail("payload", "is missing");
  if (!has_signatures) fail("signatures", "is missing");
  return envelope;
}

}  // namespace

Result<Envelope> parse_envelope(std::string_view json_text) {
  if (json_text.size() > kMaxEnvelopeJsonBytes) {
    return make_error(ErrorCode::kParse,
                      "DSSE envelope " + too_large(json_text.size(), kMaxEnvelopeJsonBytes));
  }
  try {
    // simdjson reads up to SIMDJSON_PADDING bytes past the end of its input,
    // so it parses a padded copy; parsed strings live in `parser`.
    const simdjson::padded_string padded(json_text);
    ondemand::parser parser;
    ondemand::document document = take(parser.iterate(padded), "");
    return read_envelope(document);
  } catch (const EnvelopeError& e) {
    return make_error(ErrorCode::kParse, e.message);
  }
}

Result<std::string> serialize(const Envelope& envelope) {
  using Json = nlohmann::json;
  Json signatures = Json::array();
  for (const Signature& signature : envelope.signatures) {
    signatures.push_back(
        Json{{"keyid", signature.keyid}, {"sig", encoding::base64_encode(signature.sig)}});
  }
  const Json document = {{"payload", encoding::base64_encode(envelope.payload)},
                         {"payloadType", envelope.payload_type},
                         {"signatures", std::move(signatures)}};
  auto text = zastava::json::canonicalize(document);
  if (!text) return text.error().with_context("serializing DSSE envelope");
  return text;
}

}  // namespace zastava::dsse
