#include "proxy/origin_policy.h"

#include <arpa/inet.h>

#include <cstdint>
#include <optional>

namespace sidecar::proxy {

namespace {

struct OriginParts {
  std::string scheme;          // lower-cased
  std::string host;            // lower-cased; IPv6 as "[canonical]"
  std::optional<uint16_t> port;
};

char lowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

std::string toLower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) out.push_back(lowerAscii(c));
  return out;
}

bool isSchemeChar(char c, bool first) {
  if (isAlpha(c)) return true;
  return !first && (isDigit(c) || c == '+' || c == '-' || c == '.');
}

// Browsers send ASCII (punycoded) host names; '_' appears in some internal names.
bool isHostNameChar(char c) {
  return isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_';
}

std::optional<uint16_t> parsePort(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  uint32_t n = 0;
  for (char c : text) {
    if (!isDigit(c)) return std::nullopt;
    n = n * 10 + static_cast<uint32_t>(c - '0');
  }
  if (n == 0 || n > 65535) return std::nullopt;
  return static_cast<uint16_t>(n);
}

// Canonical text of an IPv6 literal, so equal addresses written differently compare equal.
std::optional<std::string> canonicalIpv6(std::string_view literal) {
  if (literal.empty() || literal.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string text(literal);
  in6_addr addr{};
  if (inet_pton(AF_INET6, text.c_str(), &addr) != 1) return std::nullopt;
  char buf[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, &addr, buf, sizeof buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

std::optional<OriginParts> parseOrigin(std::string_view text) {
  const size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  const std::string_view scheme = text.substr(0, sep);
  for (size_t i = 0; i < scheme.size(); ++i) {
    if (!isSchemeChar(scheme[i], i == 0)) return std::nullopt;
  }
  OriginParts out;
  out.scheme = toLower(scheme);

  std::string_view rest = text.substr(sep + 3);
  std::string_view port_text;
  bool has_port = false;
  if (!rest.empty() && rest.front() == '[') {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    auto canonical = canonicalIpv6(rest.substr(1, close - 1));
    if (!canonical) return std::nullopt;
    out.host = "[" + *canonical + "]";
    rest.remove_prefix(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port_text = rest.substr(1);
      has_port = true;
    }
  } else {
    const size_t colon = rest.find(':');
    const std::string_view host = rest.substr(0, colon);
    if (host.empty()) return std::nullopt;
    for (char c : host) {
      if (!isHostNameChar(c)) return std::nullopt;  // also rejects '/', '@', '?', '#', spaces
    }
    out.host = toLower(host);
    if (colon != std::string_view::npos) {
      port_text = rest.substr(colon + 1);
      has_port = true;
    }
  }
  if (has_port) {
    out.port = parsePort(port_text);
    if (!out.port) return std::nullopt;
  }
  return out;
}

std::optional<uint16_t> effectivePort(const OriginParts& origin) {
  if (origin.port) return origin.port;
  if (origin.scheme == "http" || origin.scheme == "ws") return 80;
  if (origin.scheme == "https" || origin.scheme == "wss") return 443;
  return std::nullopt;
}

bool entryMatches(const OriginParts& entry, const OriginParts& origin) {
  if (entry.scheme != origin.scheme || entry.host != origin.host) return false;
  if (!entry.port) return true;
  return effectivePort(origin) == entry.port;
}

}  // namespace

bool isOriginAllowed(std::string_view origin, const std::vector<std::string>& allowed) {
  for (const std::string& entry : allowed) {
    if (entry == "*") return true;
  }
  if (origin == "null") return false;  // opaque origins (sandboxed frames, file:) only via "*"
  const auto parsed = parseOrigin(origin);
  if (!parsed) return false;
  for (const std::string& entry : allowed) {
    const auto pattern = parseOrigin(entry);
    if (pattern && entryMatches(*pattern, *parsed)) return true;
  }
  return false;
}

}  // namespace sidecar::proxy
