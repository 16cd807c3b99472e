#pragma once
// Reads a document from tests/data/provcache for the provcache tests.

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace zastava::provcache::testing {

inline std::string read_test_file(const std::string& name) {
  const std::string path = std::string(ZASTAVA_TESTDATA_DIR) + "/provcache/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open test file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace zastava::provcache::testing
