#include "base/utc_time.hpp"

#include <array>
#include <chrono>
#include <cstdio>

namespace zastava {
namespace {

using std::chrono::sys_days;

std::chrono::year_month_day to_ymd(int year, unsigned month, unsigned day) {
  return {std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}};
}

}  // namespace

bool is_valid_date(int year, unsigned month, unsigned day) noexcept {
  return year >= 0 && year <= 9999 && to_ymd(year, month, day).ok();
}

std::int64_t to_unix_seconds(const UtcDateTime& time) noexcept {
  const std::int64_t days =
      sys_days{to_ymd(time.year, time.month, time.day)}.time_since_epoch().count();
  return days * 86400 + time.hour * 3600 + time.minute * 60 + time.second;
}

UtcDateTime from_unix_seconds(std::int64_t seconds) noexcept {
  const std::chrono::sys_seconds time{std::chrono::seconds{seconds}};
  const sys_days day = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss clock{time - day};
  return {static_cast<int>(date.year()),
          static_cast<unsigned>(date.month()),
          static_cast<unsigned>(date.day()),
          static_cast<int>(clock.hours().count()),
          static_cast<int>(clock.minutes().count()),
          static_cast<int>(clock.seconds().count())};
}

std::string format_rfc3339_utc(std::int64_t seconds, bool millis) {
  const UtcDateTime t = from_unix_seconds(seconds);
  std::array<char, 48> text{};
  std::snprintf(text.data(), text.size(), "%04d-%02u-%02uT%02d:%02d:%02d%sZ", t.year, t.month,
                t.day, t.hour, t.minute, t.second, millis ? ".000" : "");
  return text.data();
}

std::string format_rfc3339_utc_micros(std::int64_t unix_micros) {
  std::int64_t seconds = unix_micros / 1'000'000;
  if (unix_micros % 1'000'000 < 0) --seconds;  // floor, so the fraction is never negative
  const UtcDateTime t = from_unix_seconds(seconds);
  std::array<char, 48> text{};
  std::snprintf(text.data(), text.size(), "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ", t.year, t.month,
                t.day, t.hour, t.minute, t.second,
                static_cast<long long>(unix_micros - seconds * 1'000'000));
  return text.data();
}

}  // namespace zastava
