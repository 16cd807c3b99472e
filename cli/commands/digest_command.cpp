// PLACEHOLDER: replaced by the real command.
#include <iostream>

#include "../commands.hpp"

namespace zastava::cli {
int run_digest(const Argv&) {
  std::cerr << "stella digest: not implemented yet\n";
  return kExitFailure;
}
}  // namespace zastava::cli
