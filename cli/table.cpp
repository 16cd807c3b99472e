#include "table.hpp"

#include <algorithm>

namespace zastava::cli {

TextTable::TextTable(std::vector<std::string> header) {
  rows_.push_back(std::move(header));
}

void TextTable::add_row(std::vector<std::string> cells) {
  cells.resize(rows_.front().size());
  rows_.push_back(std::move(cells));
}

void TextTable::print(std::ostream& out) const {
  std::vector<std::size_t> widths(rows_.front().size(), 0);
  for (const auto& row : rows_) {
    for (std::size_t column = 0; column < row.size(); ++column) {
      widths[column] = std::max(widths[column], row[column].size());
    }
  }
  for (const auto& row : rows_) {
    std::string line;
    for (std::size_t column = 0; column < row.size(); ++column) {
      line += row[column];
      if (column + 1 < row.size())
        line += std::string(widths[column] - row[column].size() + 2, ' ');
    }
    out << line << "\n";
  }
}

std::string short_digest(const std::string& digest) {
  constexpr std::size_t kShownHexDigits = 12;
  const auto colon = digest.find(':');
  if (colon == std::string::npos) return digest.substr(0, kShownHexDigits);
  return digest.substr(0, colon + 1 + kShownHexDigits);
}

}  // namespace zastava::cli
