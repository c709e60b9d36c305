#include "proxy/message_router.h"

namespace sidecar::proxy {

void MessageRouter::fromClient(const std::string& session_id, const RoutedId& id,
                               const JsonRpcMessage& response) {
  if (id.node != ids_.nodeId()) {
    bus_.deliverTo(session_id, id.node, response.raw);
    return;
  }
  toLocalCopy(session_id, id.number, response);
}

void MessageRouter::fromBus(const std::string& session_id, std::string message) {
  auto parsed = json_.parse(message);
  if (!parsed.ok() || parsed.value().is_batch || parsed.value().messages.size() != 1) {
    log_.warn("router", "routed_message_malformed", {{"session", session_id}});
    return;
  }
  const JsonRpcMessage& m = parsed.value().messages.front();
  const bool response = m.kind == MessageKind::kResultResponse || m.kind == MessageKind::kErrorResponse;
  if (!response) {
    rehydrator_.deliver(session_id, std::move(message));  // a cancellation
    return;
  }
  auto id = parseRoutedId(m.id_raw);
  if (!id || id->node != ids_.nodeId()) {
    log_.warn("router", "routed_response_misaddressed", {{"session", session_id}, {"id", m.id_raw}});
    return;
  }
  toLocalCopy(session_id, id->number, m);
}

void MessageRouter::toLocalCopy(const std::string& session_id, uint64_t number,
                                const JsonRpcMessage& response) {
  auto original = ids_.take(number);
  if (!original || original->session_id != session_id) {
    // Forgotten (capacity), answered twice, or another session's id.
    log_.warn("router", "routed_response_unknown", {{"session", session_id}, {"id", response.id_raw}});
    return;
  }
  rehydrator_.deliver(session_id, withId(response, original->id_raw));
}

}  // namespace sidecar::proxy
