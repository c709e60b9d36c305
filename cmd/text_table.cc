#include "cmd/text_table.h"

#include <algorithm>

namespace sidecar::cmd {
namespace {

constexpr std::string_view kEllipsis = "...";

bool isContinuationByte(char c) noexcept {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

bool isControlOrSpace(char c) noexcept {
  const auto byte = static_cast<unsigned char>(c);
  return byte <= 0x20 || byte == 0x7F;
}

}  // namespace

size_t displayWidth(std::string_view text) noexcept {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return !isContinuationByte(c); }));
}

std::string cellText(std::string_view raw, size_t max_width) {
  std::string out;
  out.reserve(raw.size());
  bool pending_space = false;
  for (const char c : raw) {
    if (isControlOrSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  if (max_width == 0 || displayWidth(out) <= max_width) return out;
  const size_t keep = max_width > kEllipsis.size() ? max_width - kEllipsis.size() : 0;
  // Walk to the byte where code point number `keep` starts.
  size_t points = 0;
  size_t cut = 0;
  while (cut < out.size()) {
    if (!isContinuationByte(out[cut])) {
      if (points == keep) break;
      ++points;
    }
    ++cut;
  }
  out.resize(cut);
  out.append(kEllipsis);
  return out;
}

std::vector<size_t> columnWidths(const std::vector<TableRow>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], displayWidth(row[i]));
  }
  return widths;
}

std::string formatRow(const TableRow& cells, const std::vector<size_t>& widths) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line.append(2, ' ');
    line.append(cells[i]);
    const bool last = i + 1 == cells.size();
    const size_t width = i < widths.size() ? widths[i] : 0;
    const size_t shown = displayWidth(cells[i]);
    if (!last && shown < width) line.append(width - shown, ' ');
  }
  // An empty last cell would leave the padding before it dangling.
  while (!line.empty() && line.back() == ' ') line.pop_back();
  line += '\n';
  return line;
}

std::string formatTable(const std::vector<TableRow>& rows) {
  const std::vector<size_t> widths = columnWidths(rows);
  std::string out;
  for (const auto& row : rows) out += formatRow(row, widths);
  return out;
}

}  // namespace sidecar::cmd
