#pragma once
// Internal to the dsse module: a strict, allocation-light JSON reader for the
// envelope, which sits on the admission hot path. A general DOM parser
// (nlohmann) spent ~30 us building a tree for a 2 KiB-payload envelope, half
// as long as the signature check itself; this reads the few members DSSE has
// in one pass, returns unescaped strings as views into the input, and
// validates (and skips) everything else.
//
// Strict as RFC 8259 + I-JSON require: UTF-8 only, no lone surrogates, no
// control characters in strings, numbers by the JSON grammar, no trailing
// content. Duplicate member names are the caller's to check (it knows which
// object it is in); skipped objects are checked here.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace zastava::dsse::detail {

// Thrown for malformed JSON; the message says what and at which byte offset.
class JsonSyntaxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class JsonScanner {
 public:
  static constexpr int kMaxDepth = 64;

  explicit JsonScanner(std::string_view text) : text_(text) {}

  // The JSON type of the next value, in nlohmann's words ("object", "array",
  // "string", "number", "boolean", "null"), without consuming it.
  [[nodiscard]] std::string_view peek_type();

  // Consumes `c` (after whitespace) or throws.
  void expect(char c);
  // Consumes `c` (after whitespace) when it is next.
  bool consume(char c);

  // Reads a string value. Returns a view into the input when the string has
  // no escapes, else into `scratch`, which receives the unescaped text.
  std::string_view read_string(std::string& scratch);

  // Validates and skips any value (nesting at most kMaxDepth deep).
  void skip_value(int depth = 0);

  // Throws unless only whitespace is left.
  void expect_end();

  [[noreturn]] void fail(std::string_view what) const;

 private:
  void skip_whitespace() noexcept;
  void skip_plain_ascii() noexcept;
  void skip_literal(std::string_view literal);
  void skip_number();
  void skip_object(int depth);
  void skip_array(int depth);
  unsigned read_hex4();
  void append_escape(std::string& out);
  std::size_t validate_utf8_sequence(std::size_t at) const;

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace zastava::dsse::detail
