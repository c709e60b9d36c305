#pragma once
// Session id validation (MCP transports: visible ASCII 0x21..0x7E). Checked
// on every id a client presents and every id an upstream mints, so a bad
// value never reaches a header, a log line or a store key unfiltered.

#include <string_view>

namespace sidecar::proxy {

inline constexpr size_t kMaxSessionIdLength = 512;

constexpr bool isValidSessionId(std::string_view id) noexcept {
  if (id.empty() || id.size() > kMaxSessionIdLength) return false;
  for (char c : id) {
    if (c < 0x21 || c > 0x7E) return false;
  }
  return true;
}

}  // namespace sidecar::proxy
