#pragma once
// Durations in the policy document, written as Go's time.ParseDuration does
// for whole seconds ("24h", "90m", "1h30m", "45s"), read strictly:
//   - one or more <digits><unit> parts, units h, m and s, each at most once
//     and in that order ("1h30m", not "30m1h" or "1h1h");
//   - no sign, no fraction ("1.5h"), no spaces, no other units ("1d", "500ms":
//     days are ambiguous and the document has no sub-second settings);
//   - at most kMaxDurationSeconds (100 years), so no arithmetic overflows.
// "0s" is a duration; whether zero is allowed is the field's decision.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace zastava::policy {

inline constexpr std::int64_t kMaxDurationSeconds = 100LL * 365 * 24 * 3600;

// kInvalidArgument with the reason.
Result<std::int64_t> parse_duration_seconds(std::string_view text);

// The shortest text parse_duration_seconds reads back: 5400 -> "1h30m", 0 -> "0s".
// Precondition: 0 <= seconds.
std::string format_duration(std::int64_t seconds);

}  // namespace zastava::policy
