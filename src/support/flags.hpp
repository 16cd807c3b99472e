#pragma once
// Command-line flags as every Zastava binary spells them: "--name value",
// "--name=value", and "--switch" for flags that take no value. Each binary
// declares its flags once as a table of FlagSpecs; the same table parses the
// command line and prints the help.
//
//   constexpr std::array kFlags = {
//       support::FlagSpec{"policy-file", "FILE", "the compiled policy"},
//       support::FlagSpec{"help", "", "print this help"}};
//   auto values = support::split_flags(argv, kFlags);   // {"policy-file": "p.yaml"}
//   std::cout << support::flag_table(kFlags, 30);

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace zastava::support {

struct FlagSpec {
  std::string_view name;        // without "--"
  std::string_view value_name;  // "FILE", "N", ...; empty: a switch
  std::string_view help;
};

// Flag name → its value ("" for a switch); a flag given twice keeps the last.
using FlagValues = std::map<std::string, std::string, std::less<>>;

// kInvalidArgument for a positional argument, an unknown flag, a switch
// given a value, or a flag missing its value; the message names it.
Result<FlagValues> split_flags(const std::vector<std::string>& argv,
                               std::span<const FlagSpec> specs);

// One line a flag, "  --name VALUE" padded to `column`, then the help.
std::string flag_table(std::span<const FlagSpec> specs, std::size_t column);

}  // namespace zastava::support
