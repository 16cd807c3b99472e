#pragma once
// Plain-text tables for command output: columns padded to their widest cell,
// two spaces apart, the last column unpadded.

#include <ostream>
#include <string>
#include <vector>

namespace zastava::cli {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header);
  void add_row(std::vector<std::string> cells);
  void print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

// "sha256:0123456789ab…" -> "sha256:0123456789ab" (the first 12 hex digits),
// enough to tell roots apart in a table; full values are in the JSON output.
std::string short_digest(const std::string& digest);

}  // namespace zastava::cli
