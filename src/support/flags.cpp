#include "support/flags.hpp"

#include <algorithm>
#include <optional>

namespace zastava::support {
namespace {

const FlagSpec* find_spec(std::span<const FlagSpec> specs, std::string_view name) {
  const auto found = std::find_if(specs.begin(), specs.end(),
                                  [&](const FlagSpec& spec) { return spec.name == name; });
  return found == specs.end() ? nullptr : &*found;
}

Error usage_error(std::string message) {
  return make_error(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

Result<FlagValues> split_flags(const std::vector<std::string>& argv,
                               std::span<const FlagSpec> specs) {
  FlagValues values;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    std::string_view arg = argv[i];
    if (!arg.starts_with("--"))
      return usage_error("unexpected argument '" + std::string(arg) + "'");
    arg.remove_prefix(2);
    std::optional<std::string> value;
    if (const auto equals = arg.find('='); equals != std::string_view::npos) {
      value = std::string(arg.substr(equals + 1));
      arg = arg.substr(0, equals);
    }
    const FlagSpec* spec = find_spec(specs, arg);
    if (spec == nullptr) return usage_error("unknown flag --" + std::string(arg));
    if (spec->value_name.empty()) {
      if (value) return usage_error("--" + std::string(arg) + " takes no value");
      value = "";
    } else if (!value) {
      if (i + 1 >= argv.size()) return usage_error("--" + std::string(arg) + " needs a value");
      value = argv[++i];
    }
    values[std::string(arg)] = std::move(*value);
  }
  return values;
}

std::string flag_table(std::span<const FlagSpec> specs, std::size_t column) {
  std::string text;
  for (const FlagSpec& spec : specs) {
    std::string left = "  --" + std::string(spec.name);
    if (!spec.value_name.empty()) left += " " + std::string(spec.value_name);
    if (left.size() < column) left.resize(column, ' ');
    text += left + " " + std::string(spec.help) + "\n";
  }
  return text;
}

}  // namespace zastava::support
