#include "proxy/local_error.h"

#include <fmt/format.h>

namespace sidecar::proxy::local_errors {

LocalError parseError(std::string detail) {
  return {400, kJsonRpcParseError, "Parse error: " + detail, {}, "parse_error", {}};
}

LocalError invalidRequest(std::string detail) {
  return {400, kJsonRpcInvalidRequest, "Invalid Request: " + detail, {}, "invalid_request", {}};
}

LocalError payloadTooLarge(size_t limit) {
  return {413, kJsonRpcInvalidRequest,
          fmt::format("Request body exceeds the limit of {} bytes", limit), {}, "body_too_large",
          {}};
}

LocalError headersTooLarge(size_t limit) {
  return {431, kJsonRpcInvalidRequest,
          fmt::format("Request headers exceed the limit of {} bytes", limit), {},
          "headers_too_large", {}};
}

LocalError originForbidden() {
  return {403, kJsonRpcServerError, "Forbidden: Origin not allowed", {}, "origin_forbidden", {}};
}

LocalError methodNotAllowed() {
  return {405, kJsonRpcServerError, "Method not allowed", {}, "method_not_allowed",
          {{"Allow", "GET, POST, DELETE"}}};
}

LocalError pathNotFound() {
  return {404, kJsonRpcServerError, "Not found: this server has one MCP endpoint", {},
          "path_not_found", {}};
}

LocalError sessionNotFound(std::string id_raw, std::string reason) {
  return {404, kJsonRpcSessionNotFound, "Session not found", std::move(id_raw), std::move(reason),
          {}};
}

LocalError upstreamUnavailable(std::string id_raw, std::string reason) {
  return {502, kJsonRpcServerError, "Bad gateway: the MCP server is unavailable",
          std::move(id_raw), std::move(reason), {}};
}

LocalError upstreamTimeout(std::string id_raw) {
  return {504, kJsonRpcServerError, "Gateway timeout: the MCP server did not answer in time",
          std::move(id_raw), "upstream_timeout", {}};
}

LocalError draining(std::string id_raw) {
  return {503, kJsonRpcServerError, "Service unavailable: this node is shutting down",
          std::move(id_raw), "draining", {{"Retry-After", "1"}, {"Connection", "close"}}};
}

LocalError rehydrationBusy(std::string id_raw) {
  return {503, kJsonRpcServerError, "Service unavailable: too many requests wait for this session",
          std::move(id_raw), "rehydration_busy", {{"Retry-After", "1"}}};
}

LocalError unknownEventId() {
  // Not 404: that would tell the client its session is gone.
  return {400, kJsonRpcInvalidRequest,
          "Invalid Request: Last-Event-ID names no stream of this session", {},
          "unknown_event_id", {}};
}

LocalError storeUnavailable(std::string id_raw, std::string reason) {
  return {503, kJsonRpcServerError, "Service unavailable: the session store cannot be reached",
          std::move(id_raw), std::move(reason), {{"Retry-After", "1"}}};
}

}  // namespace sidecar::proxy::local_errors
