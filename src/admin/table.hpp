#pragma once
// Aligned text columns for the admin tool's listings: every column as wide
// as its widest cell (counted in characters, not bytes) plus two blanks, so
// values never run together whatever their length.

#include <iosfwd>
#include <set>
#include <string>
#include <vector>

namespace ussdgw::admin {

/// Rows of cells printed in aligned columns; the last column is not padded.
class text_table {
  public:
    /// A table whose first row is `header`.
    explicit text_table(std::vector<std::string> header);
    /// Right-aligns column `col` (amounts).
    void align_right(std::size_t col) { right_.insert(col); }
    /// Appends a row (missing cells are empty).
    void add(std::vector<std::string> row);
    /// Prints the header and the rows, each line starting with `indent`.
    void print(std::ostream& out, const std::string& indent = "") const;

  private:
    std::vector<std::vector<std::string>> rows_;
    std::set<std::size_t> right_;
};

}  // namespace ussdgw::admin
