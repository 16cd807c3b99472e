#pragma once
// Configuration loading shared by the binaries: YAML or JSON files read into
// nlohmann::json, so every config is validated and handled one way.

#include <cstddef>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace zastava::support {

// 16 MiB: larger than any policy or config we expect, small enough to refuse junk.
inline constexpr std::size_t kDefaultMaxConfigBytes = 16u << 20;

// Reads a whole file, refusing files larger than `max_bytes`.
Result<std::string> read_file(const std::filesystem::path& path,
                              std::size_t max_bytes = kDefaultMaxConfigBytes);

// Parses YAML into JSON types. Plain scalars are typed by the YAML 1.2 core
// schema (null, true/false, integers, floats, else strings); quoted scalars are
// always strings. Anchors/aliases are resolved; tags other than the core ones
// and non-string mapping keys are rejected, and so are duplicate keys.
Result<nlohmann::json> parse_yaml(std::string_view text);

// Loads a config file: JSON when the name ends in .json, YAML otherwise
// (YAML 1.2 is a superset of JSON). Errors name the file.
Result<nlohmann::json> load_config_file(const std::filesystem::path& path);

}  // namespace zastava::support
