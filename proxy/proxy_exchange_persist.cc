// ProxyExchange, persist stage: what the upstream sends is parsed on its
// way to the client (SSE events in proxy_exchange_streams.cc, JSON bodies
// here) and recorded in order.

#include "proxy/proxy_exchange.h"

#include <vector>

namespace sidecar::proxy {
namespace {

using sessionstore::Direction;

}  // namespace

// ---- persist ---------------------------------------------------------------

void ProxyExchange::inspectJsonBody() {
  if (!json_body_.empty()) observeServerPayload(json_body_, {});
  recorder_.flush();
}

uint64_t ProxyExchange::observeServerPayload(std::string_view payload,
                                             const std::string& upstream_event_id,
                                             std::string* routed_payload) {
  auto parsed = json_.parse(payload);
  if (!parsed.ok()) {
    deps_.metrics.messages_unparsed.inc();
    deps_.log.warn(request_.ctx, "upstream_payload_not_jsonrpc", {{"error", parsed.error().message}});
    return 0;
  }
  if (routed_payload != nullptr && admission_.log == EventLog::kSession) {
    // The upstream copy's own request ids would collide with other copies'
    // in the one session the client sees.
    *routed_payload =
        routeServerRequests(parsed.value(), payload, request_.session_id, deps_.request_ids);
  }
  uint64_t last_seq = 0;
  for (auto& message : parsed.value().messages) {
    last_seq = recorder_.record(Direction::kServerToClient, message.raw, upstream_event_id);
    noteServerMessage(message);
    deps_.metrics.messages_recorded.inc();
    if (admission_.effect == SessionEffect::kCreate && !init_response_.has_value() &&
        (message.kind == MessageKind::kResultResponse || message.kind == MessageKind::kErrorResponse)) {
      const JsonRpcMessage* init = request_.initializeMessage();
      if (init != nullptr && message.id_raw == init->id_raw) onInitializeResult(message);
    }
  }
  return last_seq;
}

}  // namespace sidecar::proxy
