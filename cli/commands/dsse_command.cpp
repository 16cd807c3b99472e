// PLACEHOLDER: replaced by the real command.
#include <iostream>

#include "../commands.hpp"

namespace zastava::cli {
int run_dsse(const Argv&) {
  std::cerr << "stella dsse: not implemented yet\n";
  return kExitFailure;
}
int run_keygen(const Argv&) {
  std::cerr << "stella keygen: not implemented yet\n";
  return kExitFailure;
}
}  // namespace zastava::cli
