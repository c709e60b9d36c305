#pragma once
// Plain-text table helpers for the human output of the CLI: cells are made
// single-line and terminal-safe, long ones are cut on a UTF-8 boundary, and
// columns are padded to a width counted in code points. Pure functions.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sidecar::cmd {

using TableRow = std::vector<std::string>;

// Control characters become spaces and whitespace runs collapse to one, so
// a pretty-printed JSON message fits on one table line and cannot move the
// cursor. Longer than max_width code points: cut to fit, ending in "...".
// max_width 0 means no limit.
std::string cellText(std::string_view raw, size_t max_width = 0);

// Code points in `text` (what a terminal shows for the text we print).
size_t displayWidth(std::string_view text) noexcept;

// The widest cell of each column over every row.
std::vector<size_t> columnWidths(const std::vector<TableRow>& rows);

// One line: each cell but the last padded to its width, two spaces between
// columns, no trailing spaces, ending in '\n'. A cell wider than its width
// pushes the rest of its row right rather than being cut.
std::string formatRow(const TableRow& cells, const std::vector<size_t>& widths);

// Every row (the first is the header) aligned by columnWidths().
std::string formatTable(const std::vector<TableRow>& rows);

}  // namespace sidecar::cmd
