// parse_strict: nlohmann's parser, driven through its SAX interface so that
// the checks nlohmann's own DOM builder does not make (duplicate names,
// I-JSON's noncharacters, nesting depth) happen while the tree is built.
// nlohmann's lexer already rejects invalid UTF-8, lone surrogate escapes,
// NaN/Infinity literals and overflowing numbers.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "json/canonical_json.hpp"
#include "json/diagnostics.hpp"
#include "json/unicode.hpp"

namespace zastava::json {
namespace {

using nlohmann::json;

constexpr std::int64_t kLargestExactInteger = std::int64_t{1} << 53;

// nlohmann's messages start with "[json.exception.parse_error.101] ".
std::string_view without_exception_prefix(std::string_view message) {
  if (message.starts_with("[json.exception.")) {
    const std::size_t end = message.find("] ");
    if (end != std::string_view::npos) message.remove_prefix(end + 2);
  }
  return message;
}

// Builds the tree value by value. Containers being filled are on `open_`;
// a member's value goes to the slot its key created (`member_slot_`).
class StrictTreeBuilder {
 public:
  explicit StrictTreeBuilder(json& root) : root_(root) {}

  [[nodiscard]] const std::optional<std::string>& error() const { return error_; }

  bool null() { return put(nullptr); }
  bool boolean(bool value) { return put(value); }
  bool number_integer(std::int64_t value) {
    if (value < -kLargestExactInteger || value > kLargestExactInteger) {
      return put(static_cast<double>(value));
    }
    return put(value);
  }
  bool number_unsigned(std::uint64_t value) {
    if (value > static_cast<std::uint64_t>(kLargestExactInteger)) {
      return put(static_cast<double>(value));
    }
    return put(value);
  }
  bool number_float(double value, const std::string& /*text*/) { return put(value); }
  bool string(std::string& value) {
    if (const auto noncharacter = find_noncharacter(value)) {
      return fail("the string at " + describe_location(location_of_next_value()) +
                  forbidden_noncharacter(*noncharacter));
    }
    return put(std::move(value));
  }
  bool binary(json::binary_t& /*value*/) {  // JSON text has no binary values
    return fail("binary values are not JSON");
  }

  bool start_object(std::size_t /*size*/) { return open(json::object()); }
  bool key(std::string& name) {
    json* object = open_.back();
    if (const auto noncharacter = find_noncharacter(name)) {
      return fail("the member name at " + describe_location(pointer_to_child(root_, object, name)) +
                  forbidden_noncharacter(*noncharacter));
    }
    auto& members = object->get_ref<json::object_t&>();
    auto [member, inserted] = members.try_emplace(std::move(name));
    if (!inserted) {
      return fail("duplicate member name \"" + printable(member->first) + "\" in the object at " +
                  describe_location(pointer_to(root_, object)));
    }
    member_slot_ = &member->second;
    member_name_ = &member->first;
    return true;
  }
  bool end_object() {
    open_.pop_back();
    return true;
  }

  bool start_array(std::size_t /*size*/) { return open(json::array()); }
  bool end_array() {
    open_.pop_back();
    return true;
  }

  bool parse_error(std::size_t position, const std::string& last_token,
                   const json::exception& cause) {
    if (dynamic_cast<const json::out_of_range*>(&cause) != nullptr) {
      // The only out_of_range the lexer raises: a number beyond the double range.
      return fail("the number " + printable(last_token) + " ending at byte " +
                  std::to_string(position) + " is outside the range of an IEEE-754 double");
    }
    return fail(printable(without_exception_prefix(cause.what())));
  }

 private:
  // Places a scalar where the next value belongs; true: go on parsing.
  template <typename Value>
  bool put(Value&& value) {
    place(json(std::forward<Value>(value)));
    return true;
  }

  // Stores `value` in the open container (or as the root); returns where it went.

  json* place(json&& value) {
    if (open_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& parent = *open_.back();
    if (parent.is_array()) {
      auto& elements = parent.get_ref<json::array_t&>();
      elements.push_back(std::move(value));
      return &elements.back();
    }
    *member_slot_ = std::move(value);
    return member_slot_;
  }

  bool open(json&& container) {
    if (open_.size() >= kMaxNestingDepth) {
      return fail("nesting deeper than " + std::to_string(kMaxNestingDepth) + " levels at " +
                  describe_location(location_of_next_value()));
    }
    open_.push_back(place(std::move(container)));
    return true;
  }

  // I-JSON (RFC 7493 section 2.1) forbids noncharacters; the lexer has already
  // guaranteed well-formed UTF-8 without surrogates.
  static std::string forbidden_noncharacter(char32_t code_point) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string digits;
    const int first_shift = code_point > 0xFFFFF ? 20 : code_point > 0xFFFF ? 16 : 12;
    for (int shift = first_shift; shift >= 0; shift -= 4) {
      digits += kHex[(code_point >> static_cast<unsigned>(shift)) & 0xFU];
    }
    return " contains the Unicode noncharacter U+" + digits + ", which I-JSON forbids";
  }

  // The JSON Pointer the next value will have: the next index of the open
  // array, or the member whose name was just read.
  std::string location_of_next_value() const {
    if (open_.empty()) return "";
    const json* parent = open_.back();
    if (parent->is_array()) return pointer_to_child(root_, parent, std::to_string(parent->size()));
    return pointer_to_child(root_, parent, *member_name_);
  }

  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }

  json& root_;
  std::vector<json*> open_;
  json* member_slot_ = nullptr;
  const std::string* member_name_ = nullptr;
  std::optional<std::string> error_;
};

}  // namespace

Result<json> parse_strict(std::string_view text) {
  // RFC 8259 lets parsers skip a byte order mark; nlohmann does, JavaScript's
  // JSON.parse does not. Strict here means JavaScript's answer.
  if (text.starts_with("\xEF\xBB\xBF")) {
    return make_error(ErrorCode::kParse,
                      "invalid JSON: a byte order mark (U+FEFF) may not precede the JSON text");
  }
  json root;
  StrictTreeBuilder builder(root);
  const bool parsed = json::sax_parse(text, &builder, json::input_format_t::json,
                                      /*strict=*/true, /*ignore_comments=*/false);
  if (!parsed) {
    return make_error(ErrorCode::kParse,
                      "invalid JSON: " + builder.error().value_or("rejected by the parser"));
  }
  return root;
}

}  // namespace zastava::json
