#pragma once
// Parsers for the address syntaxes of the configuration: listen addresses,
// the upstream http:// URL, the redis:// URL and allowed browser origins.
//
// Hosts the sidecar connects to or binds must be numeric IP literals (or
// "localhost", mapped to 127.0.0.1): libevent's evhttp client and hiredis
// resolve names with a blocking getaddrinfo on the event-loop thread, and the
// daemon must never stall on DNS. IPv6 literals are written in brackets
// ("[::1]:8080") and returned without them ("::1").

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "config/config.h"

namespace sidecar::config {

// "127.0.0.1", "::1" (no brackets) or "localhost" (case-insensitive), returned
// normalised ("localhost" -> "127.0.0.1"). Anything else is refused with why.
Result<std::string> parseNumericHost(std::string_view host);

// "host:port" or "[v6]:port"; the port is required and may be 0 (the kernel
// picks one).
Result<HostPort> parseHostPort(std::string_view text);

struct HttpUrl {
  std::string host;
  uint16_t port = 80;
  std::string path = "/";  // with the query string, if any
};

// http://host[:port][/path][?query]. No https (no TLS to the upstream), no
// credentials, no fragment; port 1-65535.
Result<HttpUrl> parseHttpUrl(std::string_view text);

struct RedisUrl {
  std::string host;
  uint16_t port = 6379;
  std::string username;  // empty: AUTH with the password only (or no AUTH)
  std::string password;  // percent-decoded
  int db = 0;
};

// redis://[[user]:password@]host[:port][/db]. Credentials may be
// percent-encoded. Error messages never quote the URL: it may hold a password.
Result<RedisUrl> parseRedisUrl(std::string_view text);

// "*" or scheme://host[:port], returned normalised the way browsers send the
// Origin header: scheme and host lowercase, default port (80 for http, 443 for
// https) dropped. The host is compared, never resolved, so names are allowed.
Result<std::string> parseOrigin(std::string_view text);

}  // namespace sidecar::config
