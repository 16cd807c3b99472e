#pragma once
// Calendar arithmetic for RFC 3339 UTC timestamps (proleptic Gregorian, the
// years four digits can write). Callers keep their own parsing rules (which
// forms they accept); the conversions and the formatting live here once.

#include <cstdint>
#include <string>

namespace zastava {

struct UtcDateTime {
  int year = 1970;
  unsigned month = 1;  // 1-12
  unsigned day = 1;    // 1-31
  int hour = 0;
  int minute = 0;
  int second = 0;
};

inline constexpr std::int64_t kMinUtcSeconds = -62167219200;  // 0000-01-01T00:00:00Z
inline constexpr std::int64_t kMaxUtcSeconds = 253402300799;  // 9999-12-31T23:59:59Z

// True for an existing date in years 0000-9999.
bool is_valid_date(int year, unsigned month, unsigned day) noexcept;

// Precondition: a valid date and time of day.
std::int64_t to_unix_seconds(const UtcDateTime& time) noexcept;

// Precondition: kMinUtcSeconds <= seconds <= kMaxUtcSeconds.
UtcDateTime from_unix_seconds(std::int64_t seconds) noexcept;

// "2026-01-05T10:00:00Z", or "2026-01-05T10:00:00.000Z" with `millis`.
// Precondition: kMinUtcSeconds <= seconds <= kMaxUtcSeconds.
std::string format_rfc3339_utc(std::int64_t seconds, bool millis);

// "2026-01-05T10:00:00.123456Z": Kubernetes' MicroTime (Lease renewTime,
// Event series), from microseconds since the Unix epoch.
std::string format_rfc3339_utc_micros(std::int64_t unix_micros);

}  // namespace zastava
