#include "proxy/proxy_exchange.h"
#include "common/timeval.h"

#include <sys/socket.h>

#include <event2/bufferevent.h>
#include <event2/keyvalq_struct.h>

#include <utility>
#include <vector>

#include "proxy/header_forwarding.h"
#include "proxy/initialize_result.h"
#include "proxy/session_id.h"

namespace sidecar::proxy {
namespace {

// Response JSON bodies larger than this are relayed but not recorded.
constexpr size_t kMaxRecordedJsonBody = 16 * 1024 * 1024;

}  // namespace

ProxyExchange::ProxyExchange(const ExchangeDeps& deps, evhttp_request* client,
                             InboundRequest request, std::string stream_id,
                             FinishedFn on_finished)
    : deps_(deps),
      base_(evhttp_connection_get_base(evhttp_request_get_connection(client))),
      client_(client),
      client_conn_(evhttp_request_get_connection(client)),
      request_(std::move(request)),
      on_finished_(std::move(on_finished)),
      held_(evbuffer_new()),
      recorder_(deps.store, deps.clock, std::move(stream_id)) {
  deps_.metrics.exchanges_active.add(1);
}

ProxyExchange::~ProxyExchange() {
  // The owner destroys us only after finish(); this is the safety net for a
  // process shutting down with requests in flight.
  if (upstream_req_ != nullptr) {
    evhttp_request* up = std::exchange(upstream_req_, nullptr);
    evhttp_cancel_request(up);
  }
  restoreClientConnection();
  deps_.metrics.exchanges_active.add(-1);
  if (body_kind_ == BodyKind::kSse && reply_started_) deps_.metrics.streams_open.add(-1);
}

// ---- forward ---------------------------------------------------------------

void ProxyExchange::forward() {
  upstream_conn_ = deps_.pool.lease();
  evhttp_request* up = evhttp_request_new(&ProxyExchange::onUpstreamDoneCb, this);
  evhttp_request_set_header_cb(up, &ProxyExchange::onUpstreamHeadersCb);
  evhttp_request_set_chunked_cb(up, &ProxyExchange::onUpstreamBodyCb);
  evhttp_request_set_error_cb(up, &ProxyExchange::onUpstreamErrorCb);

  evkeyvalq& out = *evhttp_request_get_output_headers(up);
  forwardRequestHeaders(*evhttp_request_get_input_headers(client_), out, forwarding());
  evhttp_cmd_type method = evhttp_request_get_command(client_);
  // A session's event ids are the sidecar's: the upstream never sees one.
  if (admission_.log == EventLog::kSession) evhttp_remove_header(&out, "Last-Event-ID");
  if (resuming_upstream_) {
    // The same stream, asked for again from where the upstream left it.
    method = EVHTTP_REQ_GET;
    for (const char* name : {"Content-Type", "Accept"}) evhttp_remove_header(&out, name);
    evhttp_add_header(&out, "Accept", "text/event-stream");
    evhttp_add_header(&out, "Last-Event-ID", upstream_last_event_id_.c_str());
  }
  if (!upstream_session_for_request_.empty() && upstream_session_for_request_ != request_.session_id) {
    // This node's upstream knows the session by its own copy's id.
    evhttp_remove_header(&out, "Mcp-Session-Id");
    evhttp_add_header(&out, "Mcp-Session-Id", upstream_session_for_request_.c_str());
  }
  if (!resuming_upstream_) {
    evbuffer_add(evhttp_request_get_output_buffer(up), request_body_.data(), request_body_.size());
  }
  const auto& ucfg = deps_.cfg.upstream;

  const std::string uri = ucfg.path + request_.uri_query;
  if (!resuming_upstream_) stage_ = Stage::kAwaitingHeaders;
  upstream_req_ = up;
  armConnectDeadline();
  if (makeUpstreamRequest(upstream_conn_.get(), up, method, uri.c_str()) != 0) {
    // libevent may already have run our callbacks on this path; it owns `up`.
    upstream_req_ = nullptr;
    if (resuming_upstream_) {
      releaseUpstream(false);
      onUpstreamFailed();
    } else if (stage_ == Stage::kAwaitingHeaders) {
      deps_.metrics.upstream_failures.inc();
      releaseUpstream(false);
      failBeforeReply(local_errors::upstreamUnavailable(request_.first_id_raw, "upstream_connect_failed"));
    }
  }
}

void ProxyExchange::armConnectDeadline() {
  // evhttp has one timeout for connecting and for waiting on the answer, so
  // the connect deadline is ours: when it passes and the socket is still not
  // connected, the request fails as a timeout (504).
  connect_deadline_.reset(evtimer_new(evhttp_connection_get_base(upstream_conn_.get()),
                                      &ProxyExchange::onConnectDeadlineCb, this));
  const timeval tv = toTimeval(deps_.cfg.upstream.connect_timeout.count());
  evtimer_add(connect_deadline_.get(), &tv);
}

void ProxyExchange::onConnectDeadline() {
  if (stage_ != Stage::kAwaitingHeaders || upstream_req_ == nullptr || !upstream_conn_) return;
  const evutil_socket_t fd =
      bufferevent_getfd(evhttp_connection_get_bufferevent(upstream_conn_.get()));
  sockaddr_storage peer{};
  socklen_t len = sizeof(peer);
  if (fd >= 0 && getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) == 0) return;
  deps_.log.warn(request_.ctx, "upstream_connect_timeout",
                 {{"timeout_ms", deps_.cfg.upstream.connect_timeout.count()}});
  evhttp_request* up = std::exchange(upstream_req_, nullptr);
  evhttp_cancel_request(up);
  upstream_error_ = EVREQ_HTTP_TIMEOUT;
  onUpstreamFailed();
}

// ---- relay -----------------------------------------------------------------

bool ProxyExchange::onUpstreamHeaders(evhttp_request* up) {
  connect_deadline_.reset();
  if (resuming_upstream_) {
    // The client's reply is under way; only an SSE stream can continue it.
    const int status = evhttp_request_get_response_code(up);
    const evkeyvalq& headers = *evhttp_request_get_input_headers(up);
    if (status != 200 || !findHeader(headers, "Content-Type").starts_with("text/event-stream")) {
      deps_.log.warn(request_.ctx, "upstream_stream_resume_refused", {{"status", status}});
      return false;  // fails the request: the client's stream ends broken
    }
    setConnectionTimeout(upstream_conn_.get(), deps_.cfg.upstream.stream_idle_timeout);
    return true;
  }
  upstream_status_ = evhttp_request_get_response_code(up);
  if (admission_.log == EventLog::kSession && !retried_ &&
      (upstream_status_ == 404 || upstream_status_ == 400)) {
    // The upstream lost the session this node mapped (restart, expiry;
    // server-everything says 400, the SDK transport 404). It did not
    // process the request, so rehydrate and send it again, once.
    deps_.log.info(request_.ctx, "upstream_lost_session",
                   {{"session", request_.session_id}, {"status", upstream_status_}});
    deps_.rehydrator.upstreamLost(request_.session_id, upstream_session_for_request_);
    retried_ = true;
    restart_pending_ = true;
    return false;  // evhttp fails the request; onUpstreamDone restarts
  }
  const char* reason = evhttp_request_get_response_code_line(up);
  upstream_reason_ = reason ? reason : "";
  const evkeyvalq& headers = *evhttp_request_get_input_headers(up);
  const std::string_view content_type = findHeader(headers, "Content-Type");
  if (content_type.starts_with("text/event-stream")) {
    body_kind_ = BodyKind::kSse;
    // A session's stream gets the sidecar's event ids (2026-07-28 and other
    // sessionless traffic passes untouched).
    rewrite_ids_ = admission_.log != EventLog::kSessionless;
    // An SSE stream may be silent for long stretches: the response deadline
    // no longer applies, the stream idle deadline does.
    setConnectionTimeout(upstream_conn_.get(), deps_.cfg.upstream.stream_idle_timeout);
  } else if (content_type.starts_with("application/json")) {
    body_kind_ = BodyKind::kJson;
  } else {
    body_kind_ = BodyKind::kOther;
  }
  upstream_session_id_ = std::string(findHeader(headers, "Mcp-Session-Id"));
  evkeyvalq& to_client = *evhttp_request_get_output_headers(client_);
  forwardResponseHeaders(headers, to_client);
  if (rewrite_ids_) evhttp_remove_header(&to_client, "Content-Length");  // the body is re-framed
  if (admission_.log == EventLog::kSession && !upstream_session_id_.empty()) {
    // The client only ever sees the session id it was first given.
    evhttp_remove_header(&to_client, "Mcp-Session-Id");
    evhttp_add_header(&to_client, "Mcp-Session-Id", request_.session_id.c_str());
  }
  stage_ = Stage::kRelaying;
  if (rewrite_ids_ && admission_.log == EventLog::kSession) startStreamTimer();
  applyEffectAtHeaders(upstream_status_, headers);
  if (gate_ == Gate::kOpen) startClientReply();
  return true;
}

void ProxyExchange::onUpstreamBody(evhttp_request* up) {
  evbuffer* data = evhttp_request_get_input_buffer(up);
  if (body_kind_ == BodyKind::kSse) {
    relaySse(data);
    return;
  }
  if (body_kind_ == BodyKind::kJson && !json_body_truncated_) {
    const size_t n = evbuffer_get_length(data);
    if (json_body_.size() + n > kMaxRecordedJsonBody) {
      json_body_truncated_ = true;
      json_body_.clear();
      deps_.log.warn(request_.ctx, "response_not_recorded", {{"reason", "json_body_too_large"}});
    } else {
      const size_t old = json_body_.size();
      json_body_.resize(old + n);
      evbuffer_copyout(data, json_body_.data() + old, n);
    }
  }
  relayToClient(data);
}

void ProxyExchange::onUpstreamDone(evhttp_request* up) {
  upstream_req_ = nullptr;
  connect_deadline_.reset();
  if (restart_pending_) {
    restart_pending_ = false;
    upstream_error_.reset();
    releaseUpstream(false);
    stage_ = Stage::kAdmitting;
    upstream_session_for_request_.clear();
    resolveUpstreamSession();
    return;
  }
  if (up == nullptr || evhttp_request_get_response_code(up) == 0 || upstream_error_.has_value()) {
    onUpstreamFailed();
    return;
  }
  if (body_kind_ == BodyKind::kJson && !json_body_truncated_) inspectJsonBody();
  releaseUpstream(true);
  if (body_kind_ == BodyKind::kSse && !unanswered_.empty() && resumeUpstreamStream()) return;
  upstream_done_ = true;
  onUpstreamEnded();
}

void ProxyExchange::onUpstreamFailed() {
  deps_.metrics.upstream_failures.inc();
  const bool timeout = upstream_error_ == EVREQ_HTTP_TIMEOUT;
  releaseUpstream(false);
  if (stage_ == Stage::kAwaitingHeaders) {
    failBeforeReply(timeout ? local_errors::upstreamTimeout(request_.first_id_raw)
                            : local_errors::upstreamUnavailable(request_.first_id_raw,
                                                                "upstream_unreachable"));
    return;
  }
  if (body_kind_ == BodyKind::kSse && !unanswered_.empty() && resumeUpstreamStream()) return;
  // The status line is relayed already. A clean end would tell the client
  // the truncated body is complete, so the client connection is aborted.
  deps_.metrics.upstream_streams_aborted.inc();
  deps_.log.warn(request_.ctx, "upstream_stream_broken", {{"timeout", timeout ? "yes" : "no"}});
  upstream_done_ = true;
  abort_client_ = true;
  onUpstreamEnded();
}

void ProxyExchange::onUpstreamEnded() {
  if (admission_.effect == SessionEffect::kCreate && gate_ == Gate::kAwaitingStore &&
      !init_response_.has_value()) {
    closeHalfCreatedSession("no_initialize_result");
    return;
  }
  if (gate_ == Gate::kOpen) endClientReply();
}

// ---- completion ------------------------------------------------------------

void ProxyExchange::failBeforeReply(const LocalError& error) {
  if (stage_ == Stage::kFinished) return;
  restoreClientConnection();
  // An initialize that never got a session still belongs in the audit trail.
  if (!recorder_.bound()) recorder_.bindSessionless();
  recorder_.flush();
  deps_.replier.send(client_, request_.ctx, error);
  finish();
}

void ProxyExchange::releaseUpstream(bool reusable) {
  if (!upstream_conn_) return;
  if (reading_paused_) {
    bufferevent_enable(evhttp_connection_get_bufferevent(upstream_conn_.get()), EV_READ);
    reading_paused_ = false;
  }
  if (reusable) {
    deps_.pool.giveBack(std::move(upstream_conn_));
  } else {
    deps_.pool.discard(std::move(upstream_conn_));
  }
}

void ProxyExchange::finish() {
  stage_ = Stage::kFinished;
  store_call_.cancel();
  bus_watch_.cancel();
  stream_timer_.reset();
  if (on_finished_) on_finished_(*this);
}

// ---- trampolines -----------------------------------------------------------

int ProxyExchange::onUpstreamHeadersCb(evhttp_request* up, void* arg) noexcept {
  return static_cast<ProxyExchange*>(arg)->onUpstreamHeaders(up) ? 0 : -1;
}
void ProxyExchange::onUpstreamBodyCb(evhttp_request* up, void* arg) noexcept {
  static_cast<ProxyExchange*>(arg)->onUpstreamBody(up);
}
void ProxyExchange::onUpstreamDoneCb(evhttp_request* up, void* arg) noexcept {
  static_cast<ProxyExchange*>(arg)->onUpstreamDone(up);
}
void ProxyExchange::onUpstreamErrorCb(evhttp_request_error error, void* arg) noexcept {
  auto* self = static_cast<ProxyExchange*>(arg);
  if (error == EVREQ_HTTP_REQUEST_CANCEL) return;  // we cancelled; no done callback follows
  self->upstream_error_ = error;
}
void ProxyExchange::onConnectDeadlineCb(evutil_socket_t, short, void* arg) noexcept {
  static_cast<ProxyExchange*>(arg)->onConnectDeadline();
}

}  // namespace sidecar::proxy
