#include "config/address_parsers.h"

#include <arpa/inet.h>

#include <algorithm>
#include <climits>
#include <optional>

#include <fmt/format.h>

#include "config/value_parsers.h"

namespace sidecar::config {
namespace {

Error invalid(std::string message) {
  return makeError(ErrorCode::kInvalidArgument, std::move(message));
}

std::string toLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
  });
  return out;
}

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && toLower(text.substr(0, prefix.size())) == prefix;
}

bool isIpv4(const std::string& host) {
  in_addr addr{};
  return inet_pton(AF_INET, host.c_str(), &addr) == 1;
}

bool isIpv6(const std::string& host) {
  in6_addr addr{};
  return inet_pton(AF_INET6, host.c_str(), &addr) == 1;
}

bool hasSpaceOrControl(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](unsigned char c) { return c <= 0x20 || c == 0x7f; });
}

Result<uint16_t> parsePort(std::string_view text, bool allowZero) {
  const auto number = parseUnsigned(text);
  const uint64_t low = allowZero ? 0 : 1;
  if (!number || number.value() < low || number.value() > 65535) {
    return invalid(fmt::format("invalid port {}: expected an integer from {} to 65535",
                               quoteForMessage(text), low));
  }
  return static_cast<uint16_t>(number.value());
}

struct Authority {
  std::string host;
  std::optional<uint16_t> port;
};

// host[:port] or [v6][:port], the host checked to be numeric.
Result<Authority> parseAuthority(std::string_view text, bool allowZeroPort) {
  if (text.empty()) return invalid("missing host");
  Authority out;
  std::string_view rest;
  if (text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return invalid("missing ']' after an IPv6 address");
    const std::string inner(text.substr(1, close - 1));
    if (!isIpv6(inner)) {
      return invalid(fmt::format("{} in brackets is not an IPv6 address", quoteForMessage(inner)));
    }
    out.host = inner;
    rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') {
      return invalid("expected ':port' after the bracketed IPv6 address");
    }
  } else {
    const size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      return invalid("IPv6 addresses must be in brackets, e.g. [::1]:8080");
    }
    auto host = parseNumericHost(text.substr(0, colon));
    if (!host) return host.error();
    out.host = std::move(host.value());
    rest = colon == std::string_view::npos ? std::string_view() : text.substr(colon);
  }
  if (!rest.empty()) {
    auto port = parsePort(rest.substr(1), allowZeroPort);
    if (!port) return port.error();
    out.port = port.value();
  }
  return out;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int hi = hexValue(text[i + 1]);
    const int lo = hexValue(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

bool isSchemeChar(char c, bool first) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (first) return alpha;
  return alpha || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

bool isHostNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

}  // namespace

Result<std::string> parseNumericHost(std::string_view host) {
  if (host.empty()) return invalid("missing host");
  if (toLower(host) == "localhost") return std::string("127.0.0.1");
  const std::string text(host);
  if (isIpv4(text) || isIpv6(text)) return text;
  return invalid(fmt::format(
      "host {} is not a numeric IP address: the sidecar never resolves host names (a DNS "
      "lookup would block its event loop); use an IPv4 or [IPv6] literal or localhost",
      quoteForMessage(host)));
}

Result<HostPort> parseHostPort(std::string_view text) {
  auto authority = parseAuthority(text, /*allowZeroPort=*/true);
  if (!authority) return authority.error();
  if (!authority.value().port) {
    return invalid(fmt::format("expected host:port (e.g. 127.0.0.1:8080 or [::1]:8080), got {}",
                               quoteForMessage(text)));
  }
  return HostPort{std::move(authority.value().host), *authority.value().port};
}

Result<HttpUrl> parseHttpUrl(std::string_view text) {
  if (startsWithNoCase(text, "https://")) {
    return invalid(
        "https is not supported: the sidecar speaks plain HTTP to its upstream (run it next to "
        "the server, or put a TLS-originating proxy in between)");
  }
  if (!startsWithNoCase(text, "http://")) {
    return invalid(fmt::format("expected an http:// URL, got {}", quoteForMessage(text)));
  }
  if (hasSpaceOrControl(text))
    return invalid("a URL must not contain spaces or control characters");
  if (text.find('#') != std::string_view::npos)
    return invalid("a URL fragment (#...) is not allowed");
  const std::string_view rest = text.substr(7);
  const size_t end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, end);
  if (authority.find('@') != std::string_view::npos) {
    return invalid("credentials in the upstream URL are not supported");
  }
  auto parsed = parseAuthority(authority, /*allowZeroPort=*/false);
  if (!parsed) return parsed.error();
  HttpUrl url;
  url.host = std::move(parsed.value().host);
  url.port = parsed.value().port.value_or(80);
  if (end != std::string_view::npos) {
    // A query right after the authority ("http://h?x") still needs its "/".
    url.path = rest[end] == '/' ? std::string(rest.substr(end)) : "/" + std::string(rest.substr(end));
  }
  return url;
}

Result<RedisUrl> parseRedisUrl(std::string_view text) {
  if (startsWithNoCase(text, "rediss://")) {
    return invalid("rediss:// (TLS) is not supported: hiredis 0.14 has no TLS");
  }
  if (!startsWithNoCase(text, "redis://")) {
    return invalid("expected a redis://[[user]:password@]host[:port][/db] URL");
  }
  std::string_view rest = text.substr(8);
  RedisUrl url;
  // Host and db never contain '@', so the last one ends the credentials even
  // when an unencoded password contains '@' or '/'.
  const size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    const size_t colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      return invalid("credentials must be written user:password@ or :password@");
    }
    auto user = percentDecode(userinfo.substr(0, colon));
    auto password = percentDecode(userinfo.substr(colon + 1));
    if (!user || !password) return invalid("invalid percent-encoding in the credentials");
    if (password->empty()) return invalid("the password in the URL is empty");
    url.username = std::move(*user);
    url.password = std::move(*password);
    rest = rest.substr(at + 1);
  }
  if (hasSpaceOrControl(rest))
    return invalid("the URL must not contain spaces or control characters");
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return invalid("query parameters and fragments are not supported in the Redis URL");
  }
  const size_t slash = rest.find('/');
  auto parsed = parseAuthority(rest.substr(0, slash), /*allowZeroPort=*/false);
  if (!parsed) return parsed.error();
  url.host = std::move(parsed.value().host);
  url.port = parsed.value().port.value_or(6379);
  if (slash != std::string_view::npos && slash + 1 < rest.size()) {
    const auto db = parseUnsigned(rest.substr(slash + 1));
    if (!db || db.value() > static_cast<uint64_t>(INT_MAX)) {
      return invalid("the database after '/' must be a non-negative integer, e.g. /0");
    }
    url.db = static_cast<int>(db.value());
  }
  return url;
}

Result<std::string> parseOrigin(std::string_view text) {
  if (text == "*") return std::string("*");
  const auto bad = [&](std::string_view why) {
    return invalid(fmt::format("invalid origin {}: {}", quoteForMessage(text), why));
  };
  const size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) {
    return bad("expected \"*\" or scheme://host[:port], e.g. https://app.example.com");
  }
  const std::string scheme = toLower(text.substr(0, sep));
  for (size_t i = 0; i < scheme.size(); ++i) {
    if (!isSchemeChar(scheme[i], i == 0)) return bad("invalid scheme");
  }
  const std::string_view rest = text.substr(sep + 3);
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    return bad("an origin has no path, query or trailing slash");
  }
  if (rest.find('@') != std::string_view::npos) return bad("an origin has no credentials");
  std::string host;
  std::string_view portText;
  if (!rest.empty() && rest.front() == '[') {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos || !isIpv6(std::string(rest.substr(1, close - 1)))) {
      return bad("invalid bracketed IPv6 address");
    }
    host = toLower(rest.substr(0, close + 1));
    const std::string_view after = rest.substr(close + 1);
    if (!after.empty() && after.front() != ':') return bad("expected ':port' after ']'");
    if (!after.empty()) portText = after.substr(1);
  } else {
    const size_t colon = rest.find(':');
    host = toLower(rest.substr(0, colon));
    if (colon != std::string_view::npos) {
      portText = rest.substr(colon + 1);
      if (portText.empty()) return bad("empty port");
    }
    if (host.empty()) return bad("missing host");
    if (!std::all_of(host.begin(), host.end(), isHostNameChar)) return bad("invalid host");
  }
  std::string out = scheme + "://" + host;
  if (!portText.empty()) {
    auto port = parsePort(portText, /*allowZero=*/false);
    if (!port) return bad("invalid port");
    const bool isDefault =
        (scheme == "http" && port.value() == 80) || (scheme == "https" && port.value() == 443);
    if (!isDefault) out += fmt::format(":{}", port.value());
  }
  return out;
}

}  // namespace sidecar::config
