#include "support/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace zastava::support {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("zastava-config-" + std::to_string(::getpid()))) {
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  fs::path write(const std::string& name, const std::string& content) const {
    std::ofstream(path_ / name, std::ios::binary) << content;
    return path_ / name;
  }

 private:
  fs::path path_;
};

TEST(ParseYaml, TypesPlainScalarsByCoreSchema) {
  auto doc = parse_yaml(
      "a: 1\nb: -2\nc: 1.5\nd: true\ne: ~\nf: hello\ng: '1'\nh: \"true\"\ni: [x, 2]\nj: 1e3\n");
  ASSERT_TRUE(doc.ok()) << doc.error().describe();
  const nlohmann::json& j = *doc;
  EXPECT_EQ(j["a"], 1);
  EXPECT_TRUE(j["a"].is_number_integer());
  EXPECT_EQ(j["b"], -2);
  EXPECT_DOUBLE_EQ(j["c"].get<double>(), 1.5);
  EXPECT_EQ(j["d"], true);
  EXPECT_TRUE(j["e"].is_null());
  EXPECT_EQ(j["f"], "hello");
  EXPECT_EQ(j["g"], "1");     // quoted stays a string
  EXPECT_EQ(j["h"], "true");  // quoted stays a string
  EXPECT_EQ(j["i"], nlohmann::json::array({"x", 2}));
  EXPECT_DOUBLE_EQ(j["j"].get<double>(), 1000.0);
}

TEST(ParseYaml, RejectsDuplicateKeysWithLocation) {
  auto doc = parse_yaml("a: 1\nb: 2\na: 3\n");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().code, ErrorCode::kParse);
  EXPECT_NE(doc.error().message.find("duplicate key 'a'"), std::string::npos);
  EXPECT_NE(doc.error().message.find("line 3"), std::string::npos);
}

TEST(ParseYaml, RejectsSyntaxErrorsAndUnknownTags) {
  EXPECT_FALSE(parse_yaml("a: [1, 2\n").ok());
  EXPECT_FALSE(parse_yaml("a: !custom 1\n").ok());
  EXPECT_FALSE(parse_yaml("? [1]\n: x\n").ok());  // non-scalar key
}

TEST(LoadConfigFile, JsonAndYamlByExtension) {
  TempDir dir;
  auto json_doc = load_config_file(dir.write("c.json", R"({"port": 8443, "name": "z"})"));
  ASSERT_TRUE(json_doc.ok());
  EXPECT_EQ((*json_doc)["port"], 8443);
  auto yaml_doc = load_config_file(dir.write("c.yaml", "port: 8443\nname: z\n"));
  ASSERT_TRUE(yaml_doc.ok());
  EXPECT_EQ(*yaml_doc, *json_doc);
}

TEST(LoadConfigFile, ErrorsNameTheFile) {
  TempDir dir;
  const fs::path bad = dir.write("bad.json", R"({"a": 1, "a": 2})");
  auto doc = load_config_file(bad);
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.error().message.find("bad.json"), std::string::npos);
  EXPECT_NE(doc.error().message.find("duplicate key 'a'"), std::string::npos);
  auto missing = load_config_file(dir.write("x", "").parent_path() / "nope.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
}

TEST(ReadFile, RefusesOversizedFiles) {
  TempDir dir;
  const fs::path big = dir.write("big", std::string(5000, 'x'));
  EXPECT_TRUE(read_file(big, 5000).ok());
  auto refused = read_file(big, 4999);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace zastava::support
