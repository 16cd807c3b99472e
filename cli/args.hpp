#pragma once
// A small, strict command-line parser for `stella`: positional arguments,
// `--name value` / `--name=value` options (repeatable), and `--switch` flags.
// Unknown options are an error, so a typo never passes silently.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace zastava::cli {

struct ArgSpec {
  std::set<std::string> options;   // take a value: "--out FILE"
  std::set<std::string> switches;  // take none: "--lines"
};

class Args {
 public:
  static Result<Args> parse(const std::vector<std::string>& argv, const ArgSpec& spec);

  [[nodiscard]] const std::vector<std::string>& positional() const { return positional_; }
  [[nodiscard]] std::optional<std::string> value(const std::string& name) const;
  [[nodiscard]] std::vector<std::string> values(const std::string& name) const;
  [[nodiscard]] bool has(const std::string& name) const;

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::vector<std::string>> options_;
  std::set<std::string> switches_;
};

}  // namespace zastava::cli
