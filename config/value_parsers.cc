#include "config/value_parsers.h"

#include <array>
#include <limits>
#include <utility>

#include <fmt/format.h>

namespace sidecar::config {
namespace {

constexpr uint64_t kMaxU64 = std::numeric_limits<uint64_t>::max();

Error invalid(std::string message) {
  return makeError(ErrorCode::kInvalidArgument, std::move(message));
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Splits "30s" into ("30", "s").
std::pair<std::string_view, std::string_view> splitNumber(std::string_view text) {
  size_t n = 0;
  while (n < text.size() && isDigit(text[n])) ++n;
  return {text.substr(0, n), text.substr(n)};
}

}  // namespace

std::string quoteForMessage(std::string_view text) {
  constexpr size_t kMaxShown = 80;
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > kMaxShown) out += "...";
  out += '"';
  return out;
}

Result<uint64_t> parseUnsigned(std::string_view text) {
  if (text.empty()) return invalid("expected a non-negative integer, got an empty value");
  uint64_t value = 0;
  for (char c : text) {
    if (!isDigit(c)) {
      return invalid(fmt::format("expected a non-negative integer, got {}", quoteForMessage(text)));
    }
    const auto digit = static_cast<uint64_t>(c - '0');
    if (value > (kMaxU64 - digit) / 10) {
      return invalid(fmt::format("{} is too large", quoteForMessage(text)));
    }
    value = value * 10 + digit;
  }
  return value;
}

Result<std::chrono::milliseconds> parseDuration(std::string_view text) {
  const auto bad = [&] {
    return invalid(fmt::format(
        "invalid duration {}: expected an integer with unit ms, s, m or h (e.g. 500ms, 30s, "
        "24h); a bare integer means seconds",
        quoteForMessage(text)));
  };
  const auto [digits, unit] = splitNumber(text);
  if (digits.empty()) return bad();
  int64_t factor = 0;
  if (unit.empty() || unit == "s") {
    factor = 1'000;
  } else if (unit == "ms") {
    factor = 1;
  } else if (unit == "m") {
    factor = 60'000;
  } else if (unit == "h") {
    factor = 3'600'000;
  } else {
    return bad();
  }
  const auto number = parseUnsigned(digits);
  const auto limit = static_cast<uint64_t>(kMaxDuration.count() / factor);
  if (!number || number.value() > limit) {
    return invalid(fmt::format("duration {} is too long (at most 8760h)", quoteForMessage(text)));
  }
  return std::chrono::milliseconds(static_cast<int64_t>(number.value()) * factor);
}

Result<uint64_t> parseSize(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, uint64_t>, 7> kUnits{{
      {"", 1},
      {"KiB", 1ULL << 10},
      {"MiB", 1ULL << 20},
      {"GiB", 1ULL << 30},
      {"KB", 1'000},
      {"MB", 1'000'000},
      {"GB", 1'000'000'000},
  }};
  const auto [digits, unit] = splitNumber(text);
  for (const auto& [name, factor] : kUnits) {
    if (digits.empty() || unit != name) continue;
    const auto number = parseUnsigned(digits);
    if (!number || number.value() > kMaxU64 / factor) {
      return invalid(fmt::format("size {} is too large", quoteForMessage(text)));
    }
    return number.value() * factor;
  }
  return invalid(fmt::format(
      "invalid size {}: expected bytes as an integer, optionally with unit KiB, MiB, GiB "
      "(1024-based) or KB, MB, GB (1000-based), e.g. 4MiB",
      quoteForMessage(text)));
}

Result<bool> parseBool(std::string_view text) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  return invalid(fmt::format("expected true or false, got {}", quoteForMessage(text)));
}

std::string formatSize(uint64_t bytes) {
  if (bytes != 0 && bytes % (1ULL << 30) == 0) return fmt::format("{} GiB", bytes >> 30);
  if (bytes != 0 && bytes % (1ULL << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  if (bytes != 0 && bytes % (1ULL << 10) == 0) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} bytes", bytes);
}

}  // namespace sidecar::config
