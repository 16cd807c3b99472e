// canonicalize: one pass over the tree into one output string. Object
// members come out of nlohmann's std::map in UTF-8 byte order, which is
// already UTF-16 order unless names mix U+E000..U+FFFF with characters above
// U+FFFF; only then are member pointers sorted (never copies of members).
#include "json/canonical_json.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <vector>

#include "json/diagnostics.hpp"
#include "json/ecmascript_number.hpp"
#include "json/unicode.hpp"

namespace zastava::json {
namespace {

using nlohmann::json;
using Member = json::object_t::value_type;

// Thrown inside this file only; canonicalize_to turns it into an Error.
struct CannotCanonicalize {
  const json* where;
  std::string reason;
};

// RFC 8785 section 3.2.2.2 (ECMAScript JSON.stringify's QuoteJSONString):
// these escapes, \u00XX in lower-case hex for other controls, all else as is.
std::string_view escape_for(std::uint8_t byte) {
  static const std::array<std::string, 0x20> kControlEscapes = [] {
    static constexpr char kHex[] = "0123456789abcdef";
    std::array<std::string, 0x20> escapes;
    for (std::size_t c = 0; c < escapes.size(); ++c) {
      escapes[c] = std::string("\\u00") + kHex[c >> 4U] + kHex[c & 0xFU];
    }
    escapes['\b'] = "\\b";
    escapes['\t'] = "\\t";
    escapes['\n'] = "\\n";
    escapes['\f'] = "\\f";
    escapes['\r'] = "\\r";
    return escapes;
  }();
  if (byte == '"') return "\\\"";
  if (byte == '\\') return "\\\\";
  return kControlEscapes[byte];
}

bool needs_escape(std::uint8_t byte) {
  return byte < 0x20 || byte == '"' || byte == '\\';
}

// True if none of the 8 bytes at `bytes` is a control, '"', '\\' or
// non-ASCII: the common case, checked a word at a time (SWAR).
bool is_plain_ascii_word(const char* bytes) {
  std::uint64_t word = 0;
  std::memcpy(&word, bytes, sizeof word);
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  const auto has_zero_byte = [](std::uint64_t x) { return (x - kOnes) & ~x & kHighBits; };
  const std::uint64_t below_space = (word - kOnes * 0x20) & ~word & kHighBits;
  const std::uint64_t special = below_space | has_zero_byte(word ^ (kOnes * '"')) |
                                has_zero_byte(word ^ (kOnes * '\\')) | (word & kHighBits);
  return special == 0;
}

class CanonicalWriter {
 public:
  explicit CanonicalWriter(std::string& out) : out_(out) {}

  void write(const json& value, std::size_t depth) {
    switch (value.type()) {
      case json::value_t::null:
        out_ += "null";
        return;
      case json::value_t::boolean:
        out_ += value.get_ref<const json::boolean_t&>() ? "true" : "false";
        return;
      case json::value_t::number_integer:
        append_ecmascript_number(
            static_cast<double>(value.get_ref<const json::number_integer_t&>()), out_);
        return;
      case json::value_t::number_unsigned:
        append_ecmascript_number(
            static_cast<double>(value.get_ref<const json::number_unsigned_t&>()), out_);
        return;
      case json::value_t::number_float:
        write_double(value);
        return;
      case json::value_t::string:
        write_string(value.get_ref<const json::string_t&>(), value, "the string");
        return;
      case json::value_t::array:
        write_array(value, depth + 1);
        return;
      case json::value_t::object:
        write_object(value, depth + 1);
        return;
      case json::value_t::binary:
        throw CannotCanonicalize{&value, "binary values have no JSON form"};
      case json::value_t::discarded:
        break;
    }
    throw CannotCanonicalize{&value, "a discarded value has no JSON form"};
  }

 private:
  void write_double(const json& value) {
    const double number = value.get_ref<const json::number_float_t&>();
    if (!std::isfinite(number)) {
      throw CannotCanonicalize{&value, std::isnan(number) ? "NaN is not a JSON number"
                                                          : "Infinity is not a JSON number"};
    }
    append_ecmascript_number(number, out_);
  }

  // Copies runs of bytes that need no escaping in one append each, checking
  // UTF-8 as it goes.
  void write_string(std::string_view text, const json& owner, std::string_view what) {
    out_ += '"';
    const char* const data = text.data();
    std::size_t run_start = 0;
    std::size_t offset = 0;
    while (offset < text.size()) {
      if (text.size() - offset >= 8 && is_plain_ascii_word(data + offset)) {
        offset += 8;
        continue;
      }
      const auto byte = static_cast<std::uint8_t>(data[offset]);
      if (byte < 0x80) {
        if (needs_escape(byte)) {
          out_.append(data + run_start, offset - run_start);
          out_ += escape_for(byte);
          run_start = offset + 1;
        }
        ++offset;
        continue;
      }
      const std::size_t length = utf8_sequence_length(text, offset);
      if (length == 0) {
        throw CannotCanonicalize{&owner, std::string(what) + " \"" + printable(text) +
                                             "\" is not valid UTF-8 (at byte " +
                                             std::to_string(offset) + ")"};
      }
      offset += length;
    }
    out_.append(data + run_start, text.size() - run_start);
    out_ += '"';
  }

  void write_array(const json& array, std::size_t depth) {
    check_depth(array, depth);
    out_ += '[';
    bool first = true;
    for (const json& element : array.get_ref<const json::array_t&>()) {
      if (!first) out_ += ',';
      first = false;
      write(element, depth);
    }
    out_ += ']';
  }

  void write_object(const json& object, std::size_t depth) {
    check_depth(object, depth);
    const auto& members = object.get_ref<const json::object_t&>();
    out_ += '{';
    if (is_in_utf16_order(members)) {
      write_members(members.begin(), members.end(), object, depth);
    } else {
      std::vector<const Member*> sorted;
      sorted.reserve(members.size());
      for (const Member& member : members) sorted.push_back(&member);
      std::sort(sorted.begin(), sorted.end(),
                [](const Member* a, const Member* b) { return less_by_utf16(a->first, b->first); });
      write_members(sorted.begin(), sorted.end(), object, depth);
    }
    out_ += '}';
  }

  static bool is_in_utf16_order(const json::object_t& members) {
    return std::is_sorted(members.begin(), members.end(), [](const Member& a, const Member& b) {
      return less_by_utf16(a.first, b.first);
    });
  }

  // Iterates either map entries or pointers to them.
  template <typename Iterator>
  void write_members(Iterator begin, Iterator end, const json& object, std::size_t depth) {
    for (Iterator it = begin; it != end; ++it) {
      const Member& member = as_member(*it);
      if (it != begin) out_ += ',';
      write_string(member.first, object, "a member name");
      out_ += ':';
      write(member.second, depth);
    }
  }
  static const Member& as_member(const Member& member) { return member; }
  static const Member& as_member(const Member* member) { return *member; }

  static void check_depth(const json& container, std::size_t depth) {
    if (depth > kMaxNestingDepth) {
      throw CannotCanonicalize{
          &container, "nesting deeper than " + std::to_string(kMaxNestingDepth) + " levels"};
    }
  }

  std::string& out_;
};

}  // namespace

Status canonicalize_to(const json& value, std::string& out) {
  const std::size_t original_size = out.size();
  try {
    CanonicalWriter(out).write(value, 0);
    return ok_status();
  } catch (const CannotCanonicalize& failure) {
    out.resize(original_size);
    return make_error(ErrorCode::kInvalidArgument,
                      "cannot canonicalize the value at " +
                          describe_location(pointer_to(value, failure.where)) + ": " +
                          failure.reason);
  }
}

Result<std::string> canonicalize(const json& value) {
  std::string out;
  out.reserve(256);
  Status status = canonicalize_to(value, out);
  if (!status) return status.error();
  return out;
}

Result<std::string> canonicalize_text(std::string_view text) {
  Result<json> parsed = parse_strict(text);
  if (!parsed) return std::move(parsed).error();
  std::string out;
  // Canonical text is rarely longer than its source (whitespace goes, and
  // only control characters grow); one reservation usually suffices.
  out.reserve(text.size());
  Status status = canonicalize_to(*parsed, out);
  if (!status) return status.error();
  return out;
}

}  // namespace zastava::json
