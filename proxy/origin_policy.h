#pragma once
// Origin policy: decides whether a browser Origin may talk to the sidecar (MCP Streamable HTTP
// requires servers to validate Origin against DNS rebinding). Pure function, no state.

#include <string>
#include <string_view>
#include <vector>

namespace sidecar::proxy {

// `allowed` entries are "*" (anything, even "null" and malformed values) or
// "scheme://host[:port]". An entry without a port matches its scheme and host on any port; with a
// port, only that port, where an origin without a port has its scheme's default (http/ws 80,
// https/wss 443). Scheme and host compare case-insensitively; bracketed IPv6 hosts compare as
// addresses ([::1] == [0:0::1]). The opaque origin "null" matches only "*". A malformed origin
// (anything but scheme://host[:port], e.g. with a path, credentials or a bad port) and a malformed
// entry never match. Callers skip the check when the request carries no Origin at all.
bool isOriginAllowed(std::string_view origin, const std::vector<std::string>& allowed);

}  // namespace sidecar::proxy
