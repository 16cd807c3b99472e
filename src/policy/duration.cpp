#include "policy/duration.hpp"

namespace zastava::policy {
namespace {

struct Unit {
  char symbol;
  std::int64_t seconds;
};
constexpr Unit kUnits[] = {{'h', 3600}, {'m', 60}, {'s', 1}};

Error bad(std::string_view text, std::string_view why) {
  return make_error(ErrorCode::kInvalidArgument, "invalid duration \"" + std::string(text) +
                                                     "\": " + std::string(why) +
                                                     " (write it like 24h, 90m, 1h30m or 45s)");
}

}  // namespace

Result<std::int64_t> parse_duration_seconds(std::string_view text) {
  if (text.empty()) return bad(text, "empty");
  std::int64_t total = 0;
  std::size_t pos = 0;
  std::size_t next_unit = 0;  // index into kUnits of the smallest unit still allowed
  while (pos < text.size()) {
    const std::size_t digits_start = pos;
    std::int64_t number = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      number = number * 10 + (text[pos] - '0');
      if (number > kMaxDurationSeconds) return bad(text, "too long (at most 100 years)");
      ++pos;
    }
    if (pos == digits_start) {
      return bad(text, pos < text.size() && (text[pos] == '-' || text[pos] == '+')
                           ? "signs are not allowed"
                           : "expected a number");
    }
    if (pos == text.size()) return bad(text, "missing unit after " + std::to_string(number));
    if (text[pos] == '.') return bad(text, "fractions are not allowed");
    std::size_t unit = next_unit;
    while (unit < std::size(kUnits) && kUnits[unit].symbol != text[pos]) ++unit;
    if (unit == std::size(kUnits)) {
      const bool known = text[pos] == 'h' || text[pos] == 'm' || text[pos] == 's';
      return bad(text, known ? "units must appear once each, in the order h, m, s"
                             : "unknown unit '" + std::string(1, text[pos]) + "'");
    }
    if (text[pos] == 'm' && pos + 1 < text.size() && text[pos + 1] == 's') {
      return bad(text, "milliseconds are not allowed");
    }
    total += number * kUnits[unit].seconds;
    if (total > kMaxDurationSeconds) return bad(text, "too long (at most 100 years)");
    next_unit = unit + 1;
    ++pos;
  }
  return total;
}

std::string format_duration(std::int64_t seconds) {
  if (seconds == 0) return "0s";
  std::string text;
  for (const Unit& unit : kUnits) {
    if (seconds >= unit.seconds) {
      text += std::to_string(seconds / unit.seconds) + unit.symbol;
      seconds %= unit.seconds;
    }
  }
  return text;
}

}  // namespace zastava::policy
