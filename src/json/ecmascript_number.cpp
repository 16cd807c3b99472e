#include "json/ecmascript_number.hpp"

#include <array>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <system_error>

namespace zastava::json {
namespace {

// Below 2^53 every integer is a double and its exact decimal digits are also
// its shortest round-trip digits, so the integer printer gives the same text
// as the general path, only faster. (Above it, ECMAScript pads the shortest
// digits with zeros: 2^60 prints as 1152921504606847000.)
constexpr double kExactIntegerLimit = 9007199254740992.0;  // 2^53

// The shortest round-trip decimal for a double, as `digits` x 10^(exponent).
// digits holds no leading or trailing zeros: 1e21 -> "1", exponent 21.
struct ShortestDecimal {
  std::array<char, 17> digits{};  // a double never needs more than 17
  int digit_count = 0;
  int exponent = 0;  // of the first digit
  bool negative = false;
};

ShortestDecimal shortest_decimal(double value) {
  // std::to_chars without a precision gives the shortest text that reads back
  // as `value`, choosing the closest one on ties - exactly the digit choice
  // ECMA-262 Number::toString requires (steps 5 and its note).
  std::array<char, 32> text{};
  const auto [end, ec] =
      std::to_chars(text.data(), text.data() + text.size(), value, std::chars_format::scientific);
  assert(ec == std::errc{});
  (void)ec;

  // Layout: [-]d[.ddd]e(+|-)dd[d]
  ShortestDecimal result;
  const char* cursor = text.data();
  if (*cursor == '-') {
    result.negative = true;
    ++cursor;
  }
  for (; *cursor != 'e'; ++cursor) {
    if (*cursor != '.') result.digits[static_cast<std::size_t>(result.digit_count++)] = *cursor;
  }
  ++cursor;  // 'e'
  const bool negative_exponent = *cursor == '-';
  ++cursor;  // sign
  int magnitude = 0;
  std::from_chars(cursor, end, magnitude);
  result.exponent = negative_exponent ? -magnitude : magnitude;
  return result;
}

void append_zeros(int count, std::string& out) {
  if (count > 0) out.append(static_cast<std::size_t>(count), '0');
}

void append_digits(const ShortestDecimal& decimal, int from, int to, std::string& out) {
  out.append(decimal.digits.data() + from, static_cast<std::size_t>(to - from));
}

void append_exponent(int exponent, std::string& out) {
  out += 'e';
  out += exponent < 0 ? '-' : '+';
  std::array<char, 8> text{};
  const auto [end, ec] = std::to_chars(text.data(), text.data() + text.size(), std::abs(exponent));
  (void)ec;
  out.append(text.data(), end);
}

// ECMA-262 Number::toString steps 6-10, with k = digit_count and
// n = exponent + 1 (the position of the decimal point after the first digit).
void append_formatted(const ShortestDecimal& decimal, std::string& out) {
  const int k = decimal.digit_count;
  const int n = decimal.exponent + 1;
  if (decimal.negative) out += '-';

  if (k <= n && n <= 21) {  // an integer: digits then zeros
    append_digits(decimal, 0, k, out);
    append_zeros(n - k, out);
  } else if (0 < n && n <= 21) {  // point inside the digits
    append_digits(decimal, 0, n, out);
    out += '.';
    append_digits(decimal, n, k, out);
  } else if (-6 < n && n <= 0) {  // small: "0.000ddd"
    out += "0.";
    append_zeros(-n, out);
    append_digits(decimal, 0, k, out);
  } else {  // exponent form: "d.ddde+n"
    append_digits(decimal, 0, 1, out);
    if (k > 1) {
      out += '.';
      append_digits(decimal, 1, k, out);
    }
    append_exponent(n - 1, out);
  }
}

void append_integer(std::int64_t value, std::string& out) {
  std::array<char, 24> text{};
  const auto [end, ec] = std::to_chars(text.data(), text.data() + text.size(), value);
  (void)ec;
  out.append(text.data(), end);
}

}  // namespace

void append_ecmascript_number(double value, std::string& out) {
  assert(std::isfinite(value));
  if (value == 0.0) {  // +0 and -0 alike (ECMA-262 step 2)
    out += '0';
    return;
  }
  if (std::fabs(value) < kExactIntegerLimit && std::trunc(value) == value) {
    append_integer(static_cast<std::int64_t>(value), out);
    return;
  }
  append_formatted(shortest_decimal(value), out);
}

}  // namespace zastava::json
