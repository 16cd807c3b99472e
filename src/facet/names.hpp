#pragma once
// The seed's spellings of the model's enums, both ways.

#include <string_view>

#include "base/result.hpp"
#include "facet/model.hpp"

namespace zastava::facet {

std::string_view facet_type_name(FacetType type) noexcept;  // "OS", "LangNode", ...
Result<FacetType> parse_facet_type(std::string_view name);
std::string_view quota_action_name(QuotaAction action) noexcept;  // "Warn", "Block", "RequireVex"
Result<QuotaAction> parse_quota_action(std::string_view name);
std::string_view drift_cause_name(DriftCause cause) noexcept;  // "PackageUpdate", ...
std::string format_mode(std::uint32_t mode);                   // 0644 -> "0644", 04755 -> "4755"
Result<std::uint32_t> parse_mode(std::string_view text);       // strict: 4 octal digits
std::string format_time(std::int64_t seconds);                 // "2026-01-05T10:00:00.000Z"
Result<std::int64_t> parse_time(std::string_view text);  // RFC 3339 UTC ("Z"), millis optional

}  // namespace zastava::facet
