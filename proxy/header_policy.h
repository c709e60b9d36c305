#pragma once
// Header policy: which request/response header fields a proxy may pass on. Pure functions.
// Only hop-by-hop rules live here; routing and framing decisions (Host, Content-Length,
// X-Forwarded-*) belong to the caller, which knows what it rewrites.

#include <string>
#include <string_view>
#include <vector>

namespace sidecar::proxy {

// Fields that describe one connection, never the message (RFC 9110 7.6.1: Connection,
// Proxy-Connection, Keep-Alive, TE, Transfer-Encoding, Upgrade; Trailer from RFC 2616 13.5.1;
// Proxy-Authenticate and Proxy-Authorization, which are consumed by the proxy they address per
// RFC 9110 11.7). Case-insensitive.
bool isHopByHopHeader(std::string_view name);

// The connection options listed in a Connection header value: comma-separated tokens, trimmed of
// spaces and tabs, lower-cased, empty elements dropped. The sender declares these fields
// hop-by-hop too. For several Connection fields, call once per field (or join them with ',').
std::vector<std::string> connectionOptionNames(std::string_view connection_header_value);

// Whether `name` is one of the options in a Connection header value, parsed as
// connectionOptionNames does, without building the list. Case-insensitive.
bool isConnectionOption(std::string_view name, std::string_view connection_header_value);

// False for hop-by-hop fields and for fields named in `connection_options` (as returned by
// connectionOptionNames). Case-insensitive.
bool shouldForwardHeader(std::string_view name, const std::vector<std::string>& connection_options);

}  // namespace sidecar::proxy
