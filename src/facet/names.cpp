#include "facet/names.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>

#include "base/utc_time.hpp"

namespace zastava::facet {
namespace {

constexpr std::array<std::pair<FacetType, std::string_view>, 10> kFacetTypeNames = {{
    {FacetType::kOs, "OS"},
    {FacetType::kLangNode, "LangNode"},
    {FacetType::kLangPython, "LangPython"},
    {FacetType::kLangGo, "LangGo"},
    {FacetType::kLangRust, "LangRust"},
    {FacetType::kLangJava, "LangJava"},
    {FacetType::kLangDotNet, "LangDotNet"},
    {FacetType::kBinary, "Binary"},
    {FacetType::kConfig, "Config"},
    {FacetType::kCustom, "Custom"},
}};

constexpr std::array<std::pair<QuotaAction, std::string_view>, 3> kQuotaActionNames = {{
    {QuotaAction::kWarn, "Warn"},
    {QuotaAction::kBlock, "Block"},
    {QuotaAction::kRequireVex, "RequireVex"},
}};

constexpr std::array<std::pair<DriftCause, std::string_view>, 7> kDriftCauseNames = {{
    {DriftCause::kUnknown, "Unknown"},
    {DriftCause::kPackageUpdate, "PackageUpdate"},
    {DriftCause::kConfigChange, "ConfigChange"},
    {DriftCause::kBinaryRebuild, "BinaryRebuild"},
    {DriftCause::kNewDependency, "NewDependency"},
    {DriftCause::kRemovedDependency, "RemovedDependency"},
    {DriftCause::kSecurityPatch, "SecurityPatch"},
}};

// The facet ids whose family fixes their type; "custom/<name>" is handled apart.
constexpr std::array<std::pair<std::string_view, FacetType>, 9> kBuiltinIds = {{
    {"os", FacetType::kOs},
    {"lang/node", FacetType::kLangNode},
    {"lang/python", FacetType::kLangPython},
    {"lang/go", FacetType::kLangGo},
    {"lang/rust", FacetType::kLangRust},
    {"lang/java", FacetType::kLangJava},
    {"lang/dotnet", FacetType::kLangDotNet},
    {"binary", FacetType::kBinary},
    {"config", FacetType::kConfig},
}};

constexpr std::string_view kCustomPrefix = "custom/";

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& table,
                         Enum value) noexcept {
  for (const auto& [candidate, name] : table) {
    if (candidate == value) return name;
  }
  return "?";
}

template <typename Enum, std::size_t N>
Result<Enum> parse_name(const std::array<std::pair<Enum, std::string_view>, N>& table,
                        std::string_view what, std::string_view text) {
  std::string known;
  for (const auto& [value, name] : table) {
    if (name == text) return value;
    known += (known.empty() ? "" : ", ") + std::string(name);
  }
  return make_error(
      ErrorCode::kInvalidArgument,
      "unknown " + std::string(what) + " \"" + std::string(text) + "\" (known: " + known + ")");
}

bool is_custom_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads `count` decimal digits at text[pos]; false if any is not a digit.
bool read_digits(std::string_view text, std::size_t pos, std::size_t count, int& value) {
  if (pos + count > text.size()) return false;
  value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!is_digit(text[i])) return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

std::string_view facet_type_name(FacetType type) noexcept {
  return name_of(kFacetTypeNames, type);
}

Result<FacetType> parse_facet_type(std::string_view name) {
  return parse_name(kFacetTypeNames, "facet type", name);
}

std::string_view quota_action_name(QuotaAction action) noexcept {
  return name_of(kQuotaActionNames, action);
}

Result<QuotaAction> parse_quota_action(std::string_view name) {
  return parse_name(kQuotaActionNames, "quota action", name);
}

std::string_view drift_cause_name(DriftCause cause) noexcept {
  return name_of(kDriftCauseNames, cause);
}

Result<FacetType> facet_type_for_id(std::string_view id) {
  for (const auto& [builtin, type] : kBuiltinIds) {
    if (id == builtin) return type;
  }
  if (id.starts_with(kCustomPrefix)) {
    const std::string_view name = id.substr(kCustomPrefix.size());
    bool valid = !name.empty();
    for (const char c : name) valid = valid && is_custom_name_char(c);
    if (valid) return FacetType::kCustom;
    return make_error(ErrorCode::kInvalidArgument,
                      "facet id \"" + std::string(id) +
                          "\": a custom facet's name must be one or more of [A-Za-z0-9._-]");
  }
  std::string known;
  for (const auto& [builtin, type] : kBuiltinIds) known += std::string(builtin) + ", ";
  return make_error(ErrorCode::kInvalidArgument, "unknown facet id \"" + std::string(id) +
                                                     "\" (known: " + known + "custom/<name>)");
}

std::string format_mode(std::uint32_t mode) {
  std::array<char, 8> text{};
  std::snprintf(text.data(), text.size(), "%04o", mode & 07777u);
  return text.data();
}

Result<std::uint32_t> parse_mode(std::string_view text) {
  std::uint32_t mode = 0;
  bool valid = text.size() == 4;
  for (const char c : text) {
    valid = valid && c >= '0' && c <= '7';
    mode = mode * 8 + static_cast<std::uint32_t>(c - '0');
  }
  if (!valid) {
    return make_error(ErrorCode::kInvalidArgument,
                      "mode \"" + std::string(text) + "\" is not 4 octal digits such as \"0644\"");
  }
  return mode;
}

std::string format_time(std::int64_t seconds) {
  return format_rfc3339_utc(std::min(std::max(seconds, kMinUtcSeconds), kMaxUtcSeconds), true);
}

Result<std::int64_t> parse_time(std::string_view text) {
  const auto fail = [&](std::string_view why) {
    return make_error(ErrorCode::kInvalidArgument,
                      "time \"" + std::string(text) + "\" is not RFC 3339 UTC like " +
                          "\"2026-01-05T10:00:00.000Z\": " + std::string(why));
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
  const bool layout = read_digits(text, 0, 4, year) && text.size() > 4 && text[4] == '-' &&
                      read_digits(text, 5, 2, month) && text.size() > 7 && text[7] == '-' &&
                      read_digits(text, 8, 2, day) && text.size() > 10 && text[10] == 'T' &&
                      read_digits(text, 11, 2, hour) && text.size() > 13 && text[13] == ':' &&
                      read_digits(text, 14, 2, minute) && text.size() > 16 && text[16] == ':' &&
                      read_digits(text, 17, 2, second);
  if (!layout) return fail("expected YYYY-MM-DDTHH:MM:SS");
  std::string_view rest = text.substr(19);
  if (rest.starts_with('.')) {
    if (!read_digits(rest, 1, 3, millis) || (rest.size() > 4 && is_digit(rest[4]))) {
      return fail("fractional seconds must be exactly 3 digits");
    }
    rest.remove_prefix(4);
  }
  if (rest != "Z") return fail("must end in 'Z' (UTC)");
  if (!is_valid_date(year, static_cast<unsigned>(month), static_cast<unsigned>(day))) {
    return fail("no such date");
  }
  if (hour > 23 || minute > 59 || second > 59) return fail("no such time of day");
  return to_unix_seconds(
      {year, static_cast<unsigned>(month), static_cast<unsigned>(day), hour, minute, second});
}

}  // namespace zastava::facet
