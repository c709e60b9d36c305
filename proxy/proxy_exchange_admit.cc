// ProxyExchange, admit stage: look the named session up, decide with the
// pure admitRequest(), and find (or make, by rehydration) the local
// upstream's copy of a live session before forwarding.

#include "proxy/proxy_exchange.h"

#include <utility>

namespace sidecar::proxy {
namespace {

using sessionstore::Direction;
using sessionstore::SessionRecord;
using sessionstore::SessionState;

}  // namespace

// ---- admit -----------------------------------------------------------------

void ProxyExchange::start() {
  watchClientHangup();
  if (request_.session_id.empty()) {
    admit(std::nullopt);
    return;
  }
  store_call_ = deps_.store.lookupForRequest(
      request_.session_id, [this](Result<std::optional<SessionRecord>> found) {
        if (!found.ok()) {
          deps_.metrics.store_errors.inc();
          failBeforeReply(local_errors::storeUnavailable(request_.first_id_raw, "store_lookup_failed"));
          return;
        }
        admit(std::move(found.value()));
      });
}

void ProxyExchange::admit(std::optional<SessionRecord> record) {
  admission_ = admitRequest(request_, record, deps_.store.authoritative());
  if (!admission_.forward) {
    failBeforeReply(admission_.rejection);
    return;
  }
  recordRequest();
  if (admission_.log != EventLog::kSession) {
    forward();
    return;
  }
  // The append of the request's messages refreshes the session the same way.
  if (request_.body.messages.empty()) deps_.store.touch(request_.session_id);
  record_ = std::move(record);
  // (A GET for a session the memory store does not know goes to the
  // upstream as before: only the upstream can tell whether it lives.)
  if (request_.method == EVHTTP_REQ_GET && record_) {
    // GET streams are the sidecar's: resumption answers from the shared log
    // (the ids are its own), and the standalone stream carries what every
    // node's upstream copy sent on its own GET stream (ListenStream).
    serveFromLog();
    return;
  }
  if (routeClientResponses()) return;
  if (request_.carriesMethod("notifications/cancelled")) {
    // The cancelled request may run on another node's copy; copies that do
    // not know it ignore the notification.
    for (const auto& message : request_.body.messages) {
      if (message.method == "notifications/cancelled") {
        deps_.bus.deliverToOthers(request_.session_id, message.raw);
      }
    }
  }
  resolveUpstreamSession();
}

void ProxyExchange::resolveUpstreamSession() {
  if (request_.isDelete()) {
    // Ending a session needs no copy of it: close it without one.
    if (auto mapped = deps_.rehydrator.mapped(request_.session_id)) {
      upstream_session_for_request_ = std::move(*mapped);
      forward();
    } else {
      closeWithoutUpstream();
    }
    return;
  }
  if (auto mapped = deps_.rehydrator.mapped(request_.session_id)) {
    // The common case: this node holds a copy. No loop turn, no header copy.
    upstream_session_for_request_ = std::move(*mapped);
    forward();
    return;
  }
  store_call_ = deps_.rehydrator.resolve(
      *record_, syntheticRequestHeaders(*evhttp_request_get_input_headers(client_), forwarding()),
      [this](Result<std::string> resolved) {
        if (resolved.ok()) {
          upstream_session_for_request_ = std::move(resolved.value());
          forward();
          return;
        }
        const std::string& id = request_.first_id_raw;
        switch (resolved.error().code) {
          case ErrorCode::kConflict:
            // The upstream would change the session under the client: make
            // the client start a new one instead.
            failBeforeReply(local_errors::sessionNotFound(id, "rehydration_mismatch"));
            return;
          case ErrorCode::kTimeout:
            failBeforeReply(local_errors::upstreamTimeout(id));
            return;
          case ErrorCode::kResourceExhausted:
            failBeforeReply(local_errors::rehydrationBusy(id));
            return;
          case ErrorCode::kInternal:
            deps_.metrics.store_errors.inc();
            failBeforeReply(local_errors::storeUnavailable(id, "rehydration_store_failed"));
            return;
          default:
            failBeforeReply(local_errors::upstreamUnavailable(id, "rehydration_failed"));
            return;
        }
      });
}

void ProxyExchange::closeWithoutUpstream() {
  store_call_ = deps_.store.transition(
      request_.session_id, SessionState::kClosed, [this](Result<SessionRecord> closed) {
        if (!closed.ok() && sessionstore::isStoreOutage(closed.error())) {
          deps_.metrics.store_errors.inc();
          failBeforeReply(local_errors::storeUnavailable(request_.first_id_raw, "session_close_failed"));
          return;
        }
        if (closed.ok()) deps_.metrics.sessions_closed.inc();
        deps_.rehydrator.closed(request_.session_id);
        deps_.bus.sessionClosed(request_.session_id);
        deps_.log.info(request_.ctx, "session_closed_without_upstream_copy",
                       {{"session", request_.session_id}});
        restoreClientConnection();
        evhttp_send_reply(client_, 200, "OK", nullptr);
        finish();
      });
}

bool ProxyExchange::routeClientResponses() {
  // Only a body made wholly of responses to routed server requests is
  // routed; anything else goes to this node's copy as it is.
  std::vector<std::pair<RoutedId, const JsonRpcMessage*>> routed;
  for (const auto& message : request_.body.messages) {
    const bool response = message.kind == MessageKind::kResultResponse ||
                          message.kind == MessageKind::kErrorResponse;
    auto id = response ? parseRoutedId(message.id_raw) : std::nullopt;
    if (!id) return false;
    routed.emplace_back(std::move(*id), &message);
  }
  if (routed.empty()) return false;
  for (const auto& [id, message] : routed) deps_.router.fromClient(request_.session_id, id, *message);
  deps_.log.debug(request_.ctx, "client_responses_routed",
                  {{"session", request_.session_id}, {"count", static_cast<int64_t>(routed.size())}});
  restoreClientConnection();
  evhttp_send_reply(client_, 202, "Accepted", nullptr);
  finish();
  return true;
}

RequestForwarding ProxyExchange::forwarding() const {
  RequestForwarding how;
  char* peer_address = nullptr;
  ev_uint16_t peer_port = 0;
  if (client_conn_ != nullptr) evhttp_connection_get_peer(client_conn_, &peer_address, &peer_port);
  if (peer_address != nullptr) how.client_address = peer_address;
  const auto& ucfg = deps_.cfg.upstream;
  if (ucfg.host_header == config::HostHeaderMode::kUpstream) {
    how.host_override = ucfg.port == 80 ? ucfg.host : ucfg.host + ":" + std::to_string(ucfg.port);
  }
  return how;
}

void ProxyExchange::recordRequest() {
  switch (admission_.log) {
    case EventLog::kSession: recorder_.bindSession(request_.session_id); break;
    case EventLog::kSessionless: recorder_.bindSessionless(); break;
    case EventLog::kNewSession: break;  // bound once the upstream names the session
  }
  for (const auto& message : request_.body.messages) {
    recorder_.record(Direction::kClientToServer, message.raw);
    if (message.kind == MessageKind::kRequest) unanswered_.push_back(message.id_raw);
  }
  deps_.metrics.messages_recorded.inc(request_.body.messages.size());
  recorder_.flush();
  // Kept, not moved: an upstream that lost the session gets the request again.
  evbuffer* body = evhttp_request_get_input_buffer(client_);
  request_body_.resize(evbuffer_get_length(body));
  evbuffer_remove(body, request_body_.data(), request_body_.size());
}

}  // namespace sidecar::proxy
