#include "args.hpp"

namespace zastava::cli {

Result<Args> Args::parse(const std::vector<std::string>& argv, const ArgSpec& spec) {
  Args args;
  bool only_positional = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (only_positional || arg.size() < 3 || arg.rfind("--", 0) != 0) {
      if (arg == "--") {
        only_positional = true;
        continue;
      }
      args.positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (spec.switches.count(name) != 0) {
      if (inline_value) {
        return make_error(ErrorCode::kInvalidArgument, "--" + name + " takes no value");
      }
      args.switches_.insert(name);
    } else if (spec.options.count(name) != 0) {
      if (!inline_value) {
        if (i + 1 >= argv.size()) {
          return make_error(ErrorCode::kInvalidArgument, "--" + name + " needs a value");
        }
        inline_value = argv[++i];
      }
      args.options_[name].push_back(*inline_value);
    } else {
      return make_error(ErrorCode::kInvalidArgument, "unknown option --" + name);
    }
  }
  return args;
}

std::optional<std::string> Args::value(const std::string& name) const {
  const auto it = options_.find(name);
  if (it == options_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Args::values(const std::string& name) const {
  const auto it = options_.find(name);
  return it == options_.end() ? std::vector<std::string>{} : it->second;
}

bool Args::has(const std::string& name) const {
  return switches_.count(name) != 0;
}

}  // namespace zastava::cli
