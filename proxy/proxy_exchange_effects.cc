// ProxyExchange, session effects: the state changes a response reveals (a
// new session, ACTIVE, CLOSED) are acknowledged by the store before the
// response is released to the client (the gate).

#include "proxy/proxy_exchange.h"

#include <utility>

#include "proxy/initialize_result.h"
#include "proxy/session_id.h"

namespace sidecar::proxy {
namespace {

using sessionstore::SessionRecord;
using sessionstore::SessionState;

bool isSuccess(int status) { return status >= 200 && status < 300; }

}  // namespace

// ---- session effects -------------------------------------------------------

void ProxyExchange::applyEffectAtHeaders(int status, const evkeyvalq& headers) {
  (void)headers;
  if (!isSuccess(status)) {
    if (admission_.log == EventLog::kNewSession) recorder_.bindSessionless();
    return;
  }
  switch (admission_.effect) {
    case SessionEffect::kNone:
      return;
    case SessionEffect::kCreate: {
      if (upstream_session_id_.empty() || !isValidSessionId(upstream_session_id_)) {
        // A sessionless server (or one minting ids the spec forbids): its
        // traffic is recorded in the sessionless log.
        if (!upstream_session_id_.empty()) {
          deps_.log.warn(request_.ctx, "upstream_session_id_invalid", {});
        }
        recorder_.bindSessionless();
        return;
      }
      gate_ = Gate::kAwaitingStore;
      const JsonRpcMessage* init = request_.initializeMessage();
      SessionRecord record;
      record.id = upstream_session_id_;
      record.state = SessionState::kInitializing;
      record.client_params = init ? init->params_raw : std::string();
      record.credential_fingerprint = request_.credential_fingerprint;
      record.created_unix_ms = deps_.clock.nowUnixMs();
      record.last_seen_unix_ms = record.created_unix_ms;
      create_issued_ = true;
      store_call_ = deps_.store.createSession(std::move(record), [this](Result<Ok> created) {
        if (!created.ok()) {
          // A session the store never recorded would 404 on the client's
          // next request: refuse it now, before the client learns its id.
          deps_.metrics.store_errors.inc();
          deps_.log.error(request_.ctx, "session_create_failed", {{"error", created.error().message}});
          abortGated(local_errors::storeUnavailable(request_.first_id_raw, "session_create_failed"));
          return;
        }
        session_created_ = true;
        deps_.metrics.sessions_created.inc();
        maybeCompleteInitialize();
      });
      return;
    }
    case SessionEffect::kActivate:
    case SessionEffect::kClose: {
      gate_ = Gate::kAwaitingStore;
      const bool closing = admission_.effect == SessionEffect::kClose;
      const SessionState to = closing ? SessionState::kClosed : SessionState::kActive;
      store_call_ = deps_.store.transition(
          request_.session_id, to, [this, closing](Result<SessionRecord> moved) {
            if (!moved.ok() && sessionstore::isStoreOutage(moved.error())) {
              // Not recorded, so not done: other nodes would still see the
              // old state. The client retries the request.
              deps_.metrics.store_errors.inc();
              deps_.log.error(request_.ctx, "session_transition_failed",
                              {{"error", moved.error().message}});
              abortGated(local_errors::storeUnavailable(request_.first_id_raw, "session_transition_failed"));
              return;
            }
            if (!moved.ok()) {
              deps_.metrics.session_transition_failures.inc();
              deps_.log.warn(request_.ctx, "session_transition_refused",
                             {{"error", moved.error().message}});
            } else if (closing) {
              deps_.metrics.sessions_closed.inc();
              deps_.rehydrator.closed(request_.session_id);
              deps_.bus.sessionClosed(request_.session_id);
            }
            openGate();
          });
      return;
    }
  }
}

void ProxyExchange::onInitializeResult(const JsonRpcMessage& response) {
  init_response_ = response;
  maybeCompleteInitialize();
}

void ProxyExchange::maybeCompleteInitialize() {
  if (!session_created_ || !init_response_.has_value()) return;
  if (init_response_->kind != MessageKind::kResultResponse) {
    closeHalfCreatedSession("initialize_failed_upstream");
    return;
  }
  store_call_ = deps_.store.completeInitialize(
      upstream_session_id_, init_response_->protocol_version,
      extractResultRaw(init_response_->raw), [this](Result<SessionRecord> done) {
        if (!done.ok()) {
          deps_.metrics.store_errors.inc();
          deps_.log.error(request_.ctx, "session_initialize_failed", {{"error", done.error().message}});
          abortGated(local_errors::storeUnavailable(request_.first_id_raw, "session_initialize_failed"));
          return;
        } else {
          deps_.rehydrator.adopt(upstream_session_id_,
                                 syntheticRequestHeaders(*evhttp_request_get_input_headers(client_),
                                                         forwarding()));
          deps_.log.info(request_.ctx, "session_created",
                         {{"session", upstream_session_id_},
                          {"protocol_version", init_response_->protocol_version}});
        }
        recorder_.bindSession(upstream_session_id_);
        openGate();
      });
}

void ProxyExchange::closeHalfCreatedSession(const char* why) {
  deps_.log.warn(request_.ctx, "session_abandoned", {{"reason", why}});
  if (!create_issued_) {
    recorder_.bindSessionless();
    openGate();
    return;
  }
  // Issued after the create (pending or not), so the store applies it after.
  store_call_ = deps_.store.transition(upstream_session_id_, SessionState::kClosed,
                                       [this](Result<SessionRecord> closed) {
                                         if (closed.ok()) {
                                           recorder_.bindSession(upstream_session_id_);
                                         } else {
                                           recorder_.bindSessionless();
                                         }
                                         openGate();
                                       });
}

void ProxyExchange::abortGated(const LocalError& error) {
  // The response was held and never started: drop it and the upstream
  // request, and answer with the local error instead.
  if (upstream_req_ != nullptr) {
    evhttp_request* up = std::exchange(upstream_req_, nullptr);
    evhttp_cancel_request(up);
  }
  releaseUpstream(false);
  evbuffer_drain(held_.get(), evbuffer_get_length(held_.get()));
  evhttp_clear_headers(evhttp_request_get_output_headers(client_));
  if (upstream_session_id_.empty() || !session_created_) {
    if (!recorder_.bound()) recorder_.bindSessionless();
  } else {
    recorder_.bindSession(upstream_session_id_);
  }
  failBeforeReply(error);
}

void ProxyExchange::openGate() {
  gate_ = Gate::kOpen;
  recorder_.flush();
  if (stage_ == Stage::kFinished) return;
  if (!reply_started_) startClientReply();
  if (upstream_done_) endClientReply();
}

}  // namespace sidecar::proxy
