#include "dsse/envelope.hpp"

#include <nlohmann/json.hpp>
#include <set>

#include "base/base64.hpp"
#include "dsse/detail/json_scanner.hpp"
#include "json/canonical_json.hpp"

namespace zastava::dsse {
namespace {

using detail::JsonScanner;
using detail::JsonSyntaxError;

// Thrown inside this file for a well-formed document that is not a valid
// envelope; parse_envelope turns it into a kParse Error.
struct EnvelopeError {
  std::string message;
};

[[noreturn]] void fail(std::string_view field, std::string_view problem) {
  throw EnvelopeError{"DSSE envelope: " + std::string(field) + " " + std::string(problem)};
}

std::string too_large(std::size_t size, std::size_t limit) {
  return "is too large (" + std::to_string(size) + " bytes; at most " + std::to_string(limit) + ")";
}

// Reads the envelope in one pass over the text (see detail/json_scanner.hpp
// for why not a DOM). Duplicate member names are errors: a signed document
// must not read differently to two verifiers whose parsers keep different
// duplicates.
class EnvelopeReader {
 public:
  explicit EnvelopeReader(std::string_view text) : scanner_(text) {}

  Envelope read() {
    if (const auto type = scanner_.peek_type(); type != "object") {
      throw EnvelopeError{"DSSE envelope must be a JSON object, not " + std::string(type)};
    }
    Envelope envelope;
    bool has_type = false;
    bool has_payload = false;
    bool has_signatures = false;
    UnknownMembers unknown;
    scanner_.expect('{');
    if (!scanner_.consume('}')) {
      do {
        const std::string name(scanner_.read_string(scratch_));
        scanner_.expect(':');
        if (name == "payloadType") {
          reject_duplicate(has_type, name, "");
          envelope.payload_type = read_payload_type();
        } else if (name == "payload") {
          reject_duplicate(has_payload, name, "");
          envelope.payload = read_base64("payload");
        } else if (name == "signatures") {
          reject_duplicate(has_signatures, name, "");
          envelope.signatures = read_signatures();
        } else {
          unknown.note(name, "");
          scanner_.skip_value(1);
        }
      } while (scanner_.consume(','));
      scanner_.expect('}');
    }
    scanner_.expect_end();
    if (!has_type) fail("payloadType", "is missing");
    if (!has_payload) fail("payload", "is missing");
    if (!has_signatures) fail("signatures", "is missing");
    return envelope;
  }

 private:
  [[noreturn]] static void duplicate(std::string_view name, std::string_view path) {
    throw EnvelopeError{"DSSE envelope: duplicate member name \"" + std::string(name) + "\"" +
                        (path.empty() ? "" : " in " + std::string(path))};
  }

  // For the members DSSE defines: `seen` says whether one came before.
  static void reject_duplicate(bool& seen, std::string_view name, std::string_view path) {
    if (seen) duplicate(name, path);
    seen = true;
  }

  // Names of the members DSSE doesn't define, seen in one object.
  class UnknownMembers {
   public:
    void note(const std::string& name, std::string_view path) {
      if (!names_.insert(name).second) duplicate(name, path);
    }

   private:
    std::set<std::string, std::less<>> names_;
  };

  std::string_view read_string(const std::string& path) {
    if (const auto type = scanner_.peek_type(); type != "string") {
      fail(path, "must be a string, not " + std::string(type));
    }
    return scanner_.read_string(scratch_);
  }

  std::string read_payload_type() {
    const std::string_view type = read_string("payloadType");
    if (type.empty()) fail("payloadType", "is empty");
    if (type.size() > kMaxPayloadTypeBytes) {
      fail("payloadType", too_large(type.size(), kMaxPayloadTypeBytes));
    }
    return std::string(type);
  }

  Bytes read_base64(const std::string& path) {
    auto bytes = encoding::base64_decode_any(read_string(path));
    if (!bytes) fail(path, "is not valid base64: " + bytes.error().message);
    return std::move(bytes).value();
  }

  std::vector<Signature> read_signatures() {
    if (const auto type = scanner_.peek_type(); type != "array") {
      fail("signatures", "must be an array, not " + std::string(type));
    }
    std::vector<Signature> signatures;
    scanner_.expect('[');
    if (!scanner_.consume(']')) {
      do {
        if (signatures.size() == kMaxSignatures) {
          fail("signatures", "has more than " + std::to_string(kMaxSignatures) + " entries");
        }
        signatures.push_back(read_signature(signatures.size()));
      } while (scanner_.consume(','));
      scanner_.expect(']');
    }
    if (signatures.empty()) fail("signatures", "is empty");
    return signatures;
  }

  Signature read_signature(std::size_t index) {
    const std::string path = "signatures[" + std::to_string(index) + "]";
    if (const auto type = scanner_.peek_type(); type != "object") {
      fail(path, "must be an object, not " + std::string(type));
    }
    Signature signature;
    bool has_keyid = false;
    bool has_sig = false;
    UnknownMembers unknown;
    scanner_.expect('{');
    if (!scanner_.consume('}')) {
      do {
        const std::string name(scanner_.read_string(scratch_));
        scanner_.expect(':');
        if (name == "keyid") {
          reject_duplicate(has_keyid, name, path);
          const std::string_view keyid = read_string(path + ".keyid");
          if (keyid.size() > kMaxKeyidBytes) {
            fail(path + ".keyid", too_large(keyid.size(), kMaxKeyidBytes));
          }
          signature.keyid = keyid;
        } else if (name == "sig") {
          reject_duplicate(has_sig, name, path);
          signature.sig = read_base64(path + ".sig");
          if (signature.sig.empty()) fail(path + ".sig", "is empty");
          if (signature.sig.size() > kMaxSignatureBytes) {
            fail(path + ".sig", too_large(signature.sig.size(), kMaxSignatureBytes));
          }
        } else {
          unknown.note(name, path);
          scanner_.skip_value(3);
        }
      } while (scanner_.consume(','));
      scanner_.expect('}');
    }
    if (!has_sig) fail(path + ".sig", "is missing");
    return signature;
  }

  JsonScanner scanner_;
  std::string scratch_;  // unescaped strings, when they have escapes
};

}  // namespace

Result<Envelope> parse_envelope(std::string_view json_text) {
  if (json_text.size() > kMaxEnvelopeJsonBytes) {
    return make_error(ErrorCode::kParse,
                      "DSSE envelope " + too_large(json_text.size(), kMaxEnvelopeJsonBytes));
  }
  try {
    return EnvelopeReader(json_text).read();
  } catch (const JsonSyntaxError& e) {
    return make_error(ErrorCode::kParse,
                      std::string("DSSE envelope is not valid JSON: ") + e.what());
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
