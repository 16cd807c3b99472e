// Tests for facet/names.hpp. Epoch seconds were computed independently with
// GNU date, e.g. `date -u -d '2026-01-05T10:00:00Z' +%s`.
#include "facet/names.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace zastava::facet {
namespace {

TEST(FacetNames, FacetTypesRoundTripInTheSeedsSpelling) {
  const std::pair<FacetType, std::string_view> expected[] = {{FacetType::kOs, "OS"},
                                                             {FacetType::kLangNode, "LangNode"},
                                                             {FacetType::kLangPython, "LangPython"},
                                                             {FacetType::kLangGo, "LangGo"},
                                                             {FacetType::kLangRust, "LangRust"},
                                                             {FacetType::kLangJava, "LangJava"},
                                                             {FacetType::kLangDotNet, "LangDotNet"},
                                                             {FacetType::kBinary, "Binary"},
                                                             {FacetType::kConfig, "Config"},
                                                             {FacetType::kCustom, "Custom"}};
  for (const auto& [type, name] : expected) {
    EXPECT_EQ(facet_type_name(type), name);
    auto parsed = parse_facet_type(name);
    ASSERT_TRUE(parsed.ok()) << name;
    EXPECT_EQ(*parsed, type);
  }
}

TEST(FacetNames, UnknownFacetTypeListsTheKnownOnes) {
  auto parsed = parse_facet_type("os");  // case matters
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(parsed.error().message.find("\"os\""), std::string::npos);
  EXPECT_NE(parsed.error().message.find("LangNode"), std::string::npos);
}

TEST(FacetNames, QuotaActions) {
  EXPECT_EQ(quota_action_name(QuotaAction::kWarn), "Warn");
  EXPECT_EQ(quota_action_name(QuotaAction::kBlock), "Block");
  EXPECT_EQ(quota_action_name(QuotaAction::kRequireVex), "RequireVex");
  EXPECT_EQ(*parse_quota_action("RequireVex"), QuotaAction::kRequireVex);
  EXPECT_EQ(*parse_quota_action("Block"), QuotaAction::kBlock);
  EXPECT_FALSE(parse_quota_action("block").ok());
  EXPECT_FALSE(parse_quota_action("").ok());
}

TEST(FacetNames, DriftCauses) {
  EXPECT_EQ(drift_cause_name(DriftCause::kUnknown), "Unknown");
  EXPECT_EQ(drift_cause_name(DriftCause::kPackageUpdate), "PackageUpdate");
  EXPECT_EQ(drift_cause_name(DriftCause::kConfigChange), "ConfigChange");
  EXPECT_EQ(drift_cause_name(DriftCause::kBinaryRebuild), "BinaryRebuild");
  EXPECT_EQ(drift_cause_name(DriftCause::kNewDependency), "NewDependency");
  EXPECT_EQ(drift_cause_name(DriftCause::kRemovedDependency), "RemovedDependency");
  EXPECT_EQ(drift_cause_name(DriftCause::kSecurityPatch), "SecurityPatch");
}

TEST(FacetNames, IdFamiliesFixTheType) {
  EXPECT_EQ(*facet_type_for_id("os"), FacetType::kOs);
  EXPECT_EQ(*facet_type_for_id("lang/node"), FacetType::kLangNode);
  EXPECT_EQ(*facet_type_for_id("lang/python"), FacetType::kLangPython);
  EXPECT_EQ(*facet_type_for_id("lang/go"), FacetType::kLangGo);
  EXPECT_EQ(*facet_type_for_id("lang/dotnet"), FacetType::kLangDotNet);
  EXPECT_EQ(*facet_type_for_id("binary"), FacetType::kBinary);
  EXPECT_EQ(*facet_type_for_id("config"), FacetType::kConfig);
  EXPECT_EQ(*facet_type_for_id("custom/my-app_1.2"), FacetType::kCustom);
}

TEST(FacetNames, BadIdsAreRejectedWithTheReason) {
  for (const std::string_view id :
       {"", "OS", "lang", "lang/cobol", "custom/", "custom/a b", "custom/a/b", "frontend", "os/"}) {
    auto type = facet_type_for_id(id);
    ASSERT_FALSE(type.ok()) << id;
    EXPECT_EQ(type.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(type.error().message.find("\"" + std::string(id) + "\""), std::string::npos)
        << type.error().message;
  }
  EXPECT_NE(facet_type_for_id("frontend").error().message.find("custom/<name>"), std::string::npos);
}

TEST(FacetNames, ModesAreFourOctalDigits) {
  EXPECT_EQ(format_mode(0644), "0644");
  EXPECT_EQ(format_mode(0755), "0755");
  EXPECT_EQ(format_mode(04755), "4755");
  EXPECT_EQ(format_mode(0), "0000");
  EXPECT_EQ(format_mode(0100644), "0644");  // the file type bits are not permissions
  EXPECT_EQ(*parse_mode("0644"), 0644u);
  EXPECT_EQ(*parse_mode("4755"), 04755u);
  EXPECT_EQ(*parse_mode("7777"), 07777u);
}

TEST(FacetNames, ParseModeIsStrict) {
  for (const std::string_view text :
       {"", "644", "00644", "0648", "064a", "+644", " 644", "0o644"}) {
    auto mode = parse_mode(text);
    ASSERT_FALSE(mode.ok()) << text;
    EXPECT_EQ(mode.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(mode.error().message.find("4 octal digits"), std::string::npos);
  }
}

TEST(FacetNames, FormatsTimesAsRfc3339UtcWithMilliseconds) {
  EXPECT_EQ(format_time(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_time(1767607200), "2026-01-05T10:00:00.000Z");
  EXPECT_EQ(format_time(951827696), "2000-02-29T12:34:56.000Z");
  EXPECT_EQ(format_time(-1), "1969-12-31T23:59:59.000Z");
  EXPECT_EQ(format_time(-2203891200), "1900-03-01T00:00:00.000Z");
}

TEST(FacetNames, TimesBeyondFourDigitYearsAreClamped) {
  EXPECT_EQ(format_time(253402300799), "9999-12-31T23:59:59.000Z");
  EXPECT_EQ(format_time(std::numeric_limits<std::int64_t>::max()), "9999-12-31T23:59:59.000Z");
  EXPECT_EQ(format_time(-62167219200), "0000-01-01T00:00:00.000Z");
  EXPECT_EQ(format_time(std::numeric_limits<std::int64_t>::min()), "0000-01-01T00:00:00.000Z");
}

TEST(FacetNames, ParsesTimesWithAndWithoutMilliseconds) {
  EXPECT_EQ(*parse_time("2026-01-05T10:00:00.000Z"), 1767607200);
  EXPECT_EQ(*parse_time("2026-01-05T10:00:00Z"), 1767607200);
  EXPECT_EQ(*parse_time("2026-01-05T10:00:00.999Z"), 1767607200);  // whole seconds
  EXPECT_EQ(*parse_time("2000-02-29T12:34:56Z"), 951827696);
  EXPECT_EQ(*parse_time("1969-12-31T23:59:59.000Z"), -1);
  EXPECT_EQ(*parse_time("0000-01-01T00:00:00.000Z"), -62167219200);
}

TEST(FacetNames, TimesRoundTrip) {
  for (std::int64_t t = -2203891200; t < 4102444800; t += 86399 * 37 + 7) {
    auto parsed = parse_time(format_time(t));
    ASSERT_TRUE(parsed.ok()) << t;
    EXPECT_EQ(*parsed, t);
  }
}

TEST(FacetNames, ParseTimeIsStrict) {
  for (const std::string_view text : {"",
                                      "2026-01-05",
                                      "2026-01-05T10:00:00",
                                      "2026-01-05T10:00:00z",
                                      "2026-01-05t10:00:00Z",
                                      "2026-01-05T10:00:00+00:00",
                                      "2026-01-05 10:00:00Z",
                                      "2026-01-05T10:00:00.12Z",
                                      "2026-01-05T10:00:00.1234Z",
                                      "2026-01-05T10:00:00.Z",
                                      "2026-02-30T00:00:00Z",
                                      "2025-02-29T00:00:00Z",
                                      "2026-13-01T00:00:00Z",
                                      "2026-00-10T00:00:00Z",
                                      "2026-01-05T24:00:00Z",
                                      "2026-01-05T10:60:00Z",
                                      "2026-12-31T23:59:60Z",
                                      "2026-01-05T10:00:00ZZ",
                                      "+2026-01-05T10:00:00Z",
                                      "2026-1-05T10:00:00Z"}) {
    auto time = parse_time(text);
    ASSERT_FALSE(time.ok()) << text;
    EXPECT_EQ(time.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(time.error().message.find(std::string(text)), std::string::npos);
  }
}

}  // namespace
}  // namespace zastava::facet
