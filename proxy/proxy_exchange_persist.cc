// ProxyExchange, persist stage: what the upstream sends is parsed on its
// way to the client (SSE events, JSON bodies) and recorded in order.

#include "proxy/proxy_exchange.h"

#include <vector>

namespace sidecar::proxy {
namespace {

using sessionstore::Direction;

}  // namespace

// ---- persist ---------------------------------------------------------------

void ProxyExchange::inspectSse(evbuffer* data) {
  std::vector<SseEvent> events;
  const int n_extents = evbuffer_peek(data, -1, nullptr, nullptr, 0);
  std::vector<evbuffer_iovec> extents(static_cast<size_t>(n_extents > 0 ? n_extents : 0));
  evbuffer_peek(data, -1, nullptr, extents.data(), n_extents);
  const bool failed_before = sse_.failed();
  for (const auto& extent : extents) {
    sse_.feed(std::string_view(static_cast<const char*>(extent.iov_base), extent.iov_len), events);
  }
  if (sse_.failed() && !failed_before) {
    // Still relayed, but no longer parsed: the rest of this stream is not
    // in the audit log, and that must not be silent.
    deps_.metrics.messages_unparsed.inc();
    deps_.log.error(request_.ctx, "sse_stream_unparseable_rest_unrecorded",
                    {{"error", sse_.status().error().message}});
  }
  for (const auto& event : events) {
    if (event.data.empty()) continue;  // priming event: no message
    observeServerPayload(event.data, event.id);
  }
  recorder_.flush();
}

void ProxyExchange::inspectJsonBody() {
  if (!json_body_.empty()) observeServerPayload(json_body_, {});
  recorder_.flush();
}

void ProxyExchange::observeServerPayload(std::string_view payload,
                                         const std::string& upstream_event_id) {
  auto parsed = json_.parse(payload);
  if (!parsed.ok()) {
    deps_.metrics.messages_unparsed.inc();
    deps_.log.warn(request_.ctx, "upstream_payload_not_jsonrpc", {{"error", parsed.error().message}});
    return;
  }
  for (auto& message : parsed.value().messages) {
    recorder_.record(Direction::kServerToClient, message.raw, upstream_event_id);
    deps_.metrics.messages_recorded.inc();
    if (admission_.effect == SessionEffect::kCreate && !init_response_.has_value() &&
        (message.kind == MessageKind::kResultResponse || message.kind == MessageKind::kErrorResponse)) {
      const JsonRpcMessage* init = request_.initializeMessage();
      if (init != nullptr && message.id_raw == init->id_raw) onInitializeResult(message);
    }
  }
}

}  // namespace sidecar::proxy
