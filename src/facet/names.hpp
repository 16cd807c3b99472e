#pragma once
// The seed's spellings of the model's enums, both ways, and the text forms of
// modes and times used in seal payloads.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "facet/model.hpp"

namespace zastava::facet {

std::string_view facet_type_name(FacetType type) noexcept;  // "OS", "LangNode", ...
Result<FacetType> parse_facet_type(std::string_view name);
std::string_view quota_action_name(QuotaAction action) noexcept;  // "Warn", "Block", "RequireVex"
Result<QuotaAction> parse_quota_action(std::string_view name);
std::string_view drift_cause_name(DriftCause cause) noexcept;  // "PackageUpdate", ...

// The type a facet id's family demands: "os" -> kOs, "lang/node" -> kLangNode,
// "lang/python", "lang/go", "lang/rust", "lang/java", "lang/dotnet",
// "binary" -> kBinary, "config" -> kConfig, "custom/<name>" -> kCustom, where
// <name> is one or more of [A-Za-z0-9._-]. kInvalidArgument for any other id.
Result<FacetType> facet_type_for_id(std::string_view id);

// Permission bits as 4 octal digits: 0644 -> "0644", 04755 -> "4755". Bits
// above 07777 (file type) are ignored.
std::string format_mode(std::uint32_t mode);
// Strict: exactly 4 octal digits.
Result<std::uint32_t> parse_mode(std::string_view text);

// RFC 3339 in UTC with milliseconds: 1767607200 -> "2026-01-05T10:00:00.000Z".
// Years must fit in 4 digits: times before 0000-01-01 or after 9999-12-31
// are clamped to those edges (only a corrupt archive has them).
std::string format_time(std::int64_t seconds);
// Strict: "YYYY-MM-DDTHH:MM:SS" then optionally ".sss" (exactly 3 digits,
// dropped: the result is whole seconds), then "Z" - upper-case 'T' and 'Z',
// no offsets other than Z, no leap second, a real calendar date.
Result<std::int64_t> parse_time(std::string_view text);

}  // namespace zastava::facet
