#pragma once
// InboundRequest: what the parse stage learned about one client request.
// A plain value handed forward to admission and to the exchange.

#include <cstdint>
#include <string>

#include <event2/http.h>

#include "proxy/jsonrpc_parser.h"

namespace sidecar::proxy {

struct InboundRequest {
  std::string ctx;  // "req-<n>", the first field of every log line about it
  evhttp_cmd_type method = EVHTTP_REQ_GET;
  std::string session_id;              // Mcp-Session-Id, "" when absent
  std::string credential_fingerprint;  // of Authorization, "" when absent
  std::string uri_query;               // "?..." or ""
  std::string last_event_id;           // GET: Last-Event-ID, "" when absent
  ParsedBody body;                     // POST only
  std::string first_id_raw;            // id of the first request in the body, for errors

  bool isPost() const noexcept { return method == EVHTTP_REQ_POST; }
  bool isDelete() const noexcept { return method == EVHTTP_REQ_DELETE; }
  bool carriesMethod(std::string_view name) const {
    for (const auto& m : body.messages) {
      if (m.method == name) return true;
    }
    return false;
  }
  bool isInitialize() const { return isPost() && carriesMethod("initialize"); }
  bool isInitializedNotification() const {
    return isPost() && carriesMethod("notifications/initialized");
  }
  const JsonRpcMessage* initializeMessage() const {
    for (const auto& m : body.messages) {
      if (m.method == "initialize" && m.kind == MessageKind::kRequest) return &m;
    }
    return nullptr;
  }
};

}  // namespace sidecar::proxy
