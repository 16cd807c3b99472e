#include "support/config.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

namespace zastava::support {
namespace {

using nlohmann::json;

// Thrown inside this file only; turned into an Error at the boundary.
struct ConfigError {
  std::string message;
};

std::string where(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return "";
  return " at line " + std::to_string(mark.line + 1) + ", column " +
         std::to_string(mark.column + 1);
}

json plain_scalar(const std::string& text) {
  static const std::regex kNull("~|null|Null|NULL|");
  static const std::regex kTrue("true|True|TRUE");
  static const std::regex kFalse("false|False|FALSE");
  static const std::regex kInt("[-+]?[0-9]+");
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (std::regex_match(text, kNull)) return nullptr;
  if (std::regex_match(text, kTrue)) return true;
  if (std::regex_match(text, kFalse)) return false;
  if (std::regex_match(text, kInt)) {
    try {
      if (text[0] == '-') return std::stoll(text);
      return std::stoull(text[0] == '+' ? text.substr(1) : text);
    } catch (const std::out_of_range&) {
      return std::stod(text);
    }
  }
  if (std::regex_match(text, kFloat)) return std::stod(text);
  return text;
}

json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar: {
      const std::string& tag = node.Tag();
      if (tag == "!" || tag == "tag:yaml.org,2002:str") return node.Scalar();  // quoted or !!str
      if (tag == "?" || tag.empty()) return plain_scalar(node.Scalar());
      throw ConfigError{"unsupported YAML tag '" + tag + "'" + where(node)};
    }
    case YAML::NodeType::Sequence: {
      json array = json::array();
      for (const auto& item : node) array.push_back(to_json(item));
      return array;
    }
    case YAML::NodeType::Map: {
      json object = json::object();
      for (const auto& member : node) {
        if (!member.first.IsScalar()) {
          throw ConfigError{"mapping keys must be strings" + where(member.first)};
        }
        const std::string& key = member.first.Scalar();
        if (object.contains(key)) {
          throw ConfigError{"duplicate key '" + key + "'" + where(member.first)};
        }
        object[key] = to_json(member.second);
      }
      return object;
    }
  }
  throw ConfigError{"unknown YAML node type" + where(node)};
}

Result<json> parse_json_rejecting_duplicates(std::string_view text) {
  std::vector<std::set<std::string>> keys_by_depth;
  std::string duplicate;
  const json::parser_callback_t track = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) keys_by_depth.emplace_back();
    if (event == json::parse_event_t::object_end) keys_by_depth.pop_back();
    if (event == json::parse_event_t::key && !keys_by_depth.empty() &&
        !keys_by_depth.back().insert(parsed.get<std::string>()).second && duplicate.empty()) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  try {
    json value = json::parse(text.begin(), text.end(), track);
    if (!duplicate.empty()) {
      return make_error(ErrorCode::kParse, "duplicate key '" + duplicate + "'");
    }
    return value;
  } catch (const json::exception& e) {
    return make_error(ErrorCode::kParse, e.what());
  }
}

}  // namespace

Result<std::string> read_file(const std::filesystem::path& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIo, "cannot open " + path.string());
  std::string content;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    content.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (content.size() > max_bytes) {
      return make_error(ErrorCode::kInvalidArgument,
                        path.string() + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  if (in.bad()) return make_error(ErrorCode::kIo, "error reading " + path.string());
  return content;
}

Result<json> parse_yaml(std::string_view text) {
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    return to_json(root);
  } catch (const ConfigError& e) {
    return make_error(ErrorCode::kParse, e.message);
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kParse, e.what());
  }
}

Result<json> load_config_file(const std::filesystem::path& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  auto parsed =
      path.extension() == ".json" ? parse_json_rejecting_duplicates(*text) : parse_yaml(*text);
  if (!parsed) return parsed.error().with_context(path.string());
  return parsed;
}

}  // namespace zastava::support
