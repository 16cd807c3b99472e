#include "support/logging.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace zastava::support {
namespace {

TEST(Logging, JsonLineIsOneValidObject) {
  const std::string line =
      format_json_line("2026-01-01T00:00:00.000Z", "info", "webhook", "allowed \"pod\"\nnext line");
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["msg"], "allowed \"pod\"\nnext line");
  EXPECT_EQ(parsed["level"], "info");
  EXPECT_EQ(parsed["logger"], "webhook");
  EXPECT_EQ(parsed["ts"], "2026-01-01T00:00:00.000Z");
}

TEST(Logging, InvalidUtf8IsReplacedNotThrown) {
  const std::string line = format_json_line("t", "warn", "x", std::string("bad \xff byte"));
  EXPECT_TRUE(nlohmann::json::accept(line));
}

TEST(Logging, MakeLoggerValidatesLevel) {
  auto ok = make_logger("t", LogOptions{LogFormat::kJson, "debug"});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)->level(), spdlog::level::debug);
  auto bad = make_logger("t", LogOptions{LogFormat::kText, "loud"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST(Logging, ParseLogFormat) {
  EXPECT_EQ(*parse_log_format("json"), LogFormat::kJson);
  EXPECT_EQ(*parse_log_format("text"), LogFormat::kText);
  EXPECT_FALSE(parse_log_format("xml").ok());
}

}  // namespace
}  // namespace zastava::support
