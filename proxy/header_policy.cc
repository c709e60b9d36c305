#include "proxy/header_policy.h"

namespace sidecar::proxy {

namespace {

char lowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lowerAscii(a[i]) != lowerAscii(b[i])) return false;
  }
  return true;
}

bool isOws(char c) { return c == ' ' || c == '\t'; }

// Calls fn(token) for each trimmed, non-empty element of a Connection value, until fn returns
// true; returns whether one did.
template <class Fn>
bool anyConnectionOption(std::string_view value, Fn fn) {
  std::string_view rest = value;
  while (true) {
    const size_t comma = rest.find(',');
    std::string_view token = rest.substr(0, comma);
    while (!token.empty() && isOws(token.front())) token.remove_prefix(1);
    while (!token.empty() && isOws(token.back())) token.remove_suffix(1);
    if (!token.empty() && fn(token)) return true;
    if (comma == std::string_view::npos) return false;
    rest.remove_prefix(comma + 1);
  }
}

}  // namespace

bool isHopByHopHeader(std::string_view name) {
  // Every header of every proxied message passes through here: one switch on the length and the
  // first letter leaves at most one full comparison.
  if (name.empty()) return false;
  const char first = lowerAscii(name.front());
  switch (name.size()) {
    case 2: return equalsIgnoreCase(name, "te");
    case 7:
      return first == 't'   ? equalsIgnoreCase(name, "trailer")
             : first == 'u' ? equalsIgnoreCase(name, "upgrade")
                            : false;
    case 10:
      return first == 'c'   ? equalsIgnoreCase(name, "connection")
             : first == 'k' ? equalsIgnoreCase(name, "keep-alive")
                            : false;
    case 16: return equalsIgnoreCase(name, "proxy-connection");
    case 17: return equalsIgnoreCase(name, "transfer-encoding");
    case 18: return equalsIgnoreCase(name, "proxy-authenticate");
    case 19: return equalsIgnoreCase(name, "proxy-authorization");
    default: return false;
  }
}

std::vector<std::string> connectionOptionNames(std::string_view connection_header_value) {
  std::vector<std::string> out;
  anyConnectionOption(connection_header_value, [&](std::string_view token) {
    std::string name;
    name.reserve(token.size());
    for (char c : token) name.push_back(lowerAscii(c));
    out.push_back(std::move(name));
    return false;
  });
  return out;
}

bool isConnectionOption(std::string_view name, std::string_view connection_header_value) {
  return anyConnectionOption(connection_header_value,
                             [&](std::string_view token) { return equalsIgnoreCase(name, token); });
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
