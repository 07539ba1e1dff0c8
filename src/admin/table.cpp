#include "table.hpp"

#include <algorithm>
#include <ostream>

#include "ussdgw/util/charset.hpp"

namespace ussdgw::admin {

text_table::text_table(std::vector<std::string> header) {
    rows_.push_back(std::move(header));
}

void text_table::add(std::vector<std::string> row) {
    rows_.push_back(std::move(row));
}

void text_table::print(std::ostream& out, const std::string& indent) const {
    std::size_t cols = 0;
    for (const auto& r : rows_) cols = std::max(cols, r.size());
    std::vector<std::size_t> width(cols, 0);
    for (const auto& r : rows_)
        for (std::size_t c = 0; c < r.size(); ++c)
            width[c] = std::max(width[c], util::utf8_length(r[c]));
    for (const auto& r : rows_) {
        std::string line = indent;
        for (std::size_t c = 0; c < cols; ++c) {
            const std::string cell = c < r.size() ? r[c] : std::string();
            const std::string pad(width[c] - util::utf8_length(cell), ' ');
            const bool last = c + 1 == cols;
            if (right_.count(c))
                line += pad + cell;
            else
                line += last ? cell : cell + pad;
            if (!last) line += "  ";
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out << line << "\n";
    }
}

}  // namespace ussdgw::admin
