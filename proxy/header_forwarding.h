#pragma once
// Header forwarding in both directions: end-to-end headers pass, hop-by-hop
// ones (RFC 9110 7.6.1, and any named in Connection) do not. Requests gain
// X-Forwarded-For/-Proto and the Host the configuration asks for.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

namespace sidecar::proxy {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct RequestForwarding {
  std::string client_address;   // appended to X-Forwarded-For
  std::string host_override;    // non-empty: replaces the client's Host
};

void forwardRequestHeaders(const evkeyvalq& from, evkeyvalq& to, const RequestForwarding& how);
void forwardResponseHeaders(const evkeyvalq& from, evkeyvalq& to);

// The headers the sidecar's own requests for this client carry (a
// rehydration's synthetic messages): what forwardRequestHeaders would send,
// minus everything that describes the client's message rather than the
// client (session, version, Last-Event-ID, content and method headers).
HeaderList syntheticRequestHeaders(const evkeyvalq& from, const RequestForwarding& how);

// Case-insensitive header lookup ("" when absent).
std::string_view findHeader(const evkeyvalq& headers, const char* name);

// Sum of name and value lengths plus separators, to enforce the header limit.
size_t headerBytes(const evkeyvalq& headers);

}  // namespace sidecar::proxy
