// PLACEHOLDER: replaced by the real command.
#include <iostream>

#include "../commands.hpp"

namespace zastava::cli {
int run_selfcheck(const Argv&) {
  std::cerr << "stella selfcheck: not implemented yet\n";
  return kExitFailure;
}
}  // namespace zastava::cli
