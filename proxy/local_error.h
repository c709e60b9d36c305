#pragma once
// LocalError: every answer the sidecar produces itself (instead of relaying
// the upstream's) is one of these values. The constructors below are the
// catalogue; LocalReplier is the only code that turns one into HTTP.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sidecar::proxy {

// JSON-RPC error codes used in local answers.
inline constexpr int kJsonRpcParseError = -32700;
inline constexpr int kJsonRpcInvalidRequest = -32600;
inline constexpr int kJsonRpcServerError = -32000;   // generic transport-level failure
inline constexpr int kJsonRpcSessionNotFound = -32001;

struct LocalError {
  int http_status = 500;
  int jsonrpc_code = kJsonRpcServerError;
  std::string message;  // safe to show the client
  std::string id_raw;   // the request's JSON-RPC id token; empty: null
  std::string reason;   // machine-readable, for logs and metrics labels
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Allow, Retry-After
};

namespace local_errors {

LocalError parseError(std::string detail);
LocalError invalidRequest(std::string detail);
LocalError payloadTooLarge(size_t limit);
LocalError headersTooLarge(size_t limit);
LocalError originForbidden();
LocalError methodNotAllowed();
LocalError pathNotFound();
LocalError sessionNotFound(std::string id_raw, std::string reason);
LocalError upstreamUnavailable(std::string id_raw, std::string reason);
LocalError upstreamTimeout(std::string id_raw);
LocalError draining(std::string id_raw);
LocalError storeUnavailable(std::string id_raw, std::string reason);
LocalError rehydrationBusy(std::string id_raw);
LocalError unknownEventId();

}  // namespace local_errors
}  // namespace sidecar::proxy
