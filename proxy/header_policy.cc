#include "proxy/header_policy.h"

#include <array>

namespace sidecar::proxy {

namespace {

constexpr std::array<std::string_view, 9> kHopByHop = {
    "connection", "proxy-connection", "keep-alive", "te", "trailer", "transfer-encoding",
    "upgrade", "proxy-authenticate", "proxy-authorization",
};

char lowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lowerAscii(a[i]) != lowerAscii(b[i])) return false;
  }
  return true;
}

bool isOws(char c) { return c == ' ' || c == '\t'; }

}  // namespace

bool isHopByHopHeader(std::string_view name) {
  for (std::string_view hop : kHopByHop) {
    if (equalsIgnoreCase(name, hop)) return true;
  }
  return false;
}

std::vector<std::string> connectionOptionNames(std::string_view connection_header_value) {
  std::vector<std::string> out;
  std::string_view rest = connection_header_value;
  while (true) {
    const size_t comma = rest.find(',');
    std::string_view token = rest.substr(0, comma);
    while (!token.empty() && isOws(token.front())) token.remove_prefix(1);
    while (!token.empty() && isOws(token.back())) token.remove_suffix(1);
    if (!token.empty()) {
      std::string name;
      name.reserve(token.size());
      for (char c : token) name.push_back(lowerAscii(c));
      out.push_back(std::move(name));
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

bool shouldForwardHeader(std::string_view name,
                         const std::vector<std::string>& connection_options) {
  if (isHopByHopHeader(name)) return false;
  for (const std::string& option : connection_options) {
    if (equalsIgnoreCase(name, option)) return false;
  }
  return true;
}

}  // namespace sidecar::proxy
