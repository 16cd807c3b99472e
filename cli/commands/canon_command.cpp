// PLACEHOLDER: replaced by the real command.
#include <iostream>

#include "../commands.hpp"

namespace zastava::cli {
int run_canon(const Argv&) {
  std::cerr << "stella canon: not implemented yet\n";
  return kExitFailure;
}
}  // namespace zastava::cli
