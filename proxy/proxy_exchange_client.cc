// ProxyExchange, the client's side: starting and ending the reply, relaying
// with backpressure, and noticing a client that leaves (which, on a
// session's request stream, leaves an orphan rather than cancelling).

#include "proxy/proxy_exchange.h"

#include <sys/socket.h>

#include <event2/bufferevent.h>

#include <utility>

namespace sidecar::proxy {
namespace {

using sessionstore::SessionRecord;
using sessionstore::SessionState;

// What an initialize's response may send before its InitializeResult.
constexpr size_t kMaxHeldBeforeInitializeResult = 16 * 1024 * 1024;
// Bytes a hung-up-watch may buffer from a client that sends ahead.
constexpr size_t kPipelinedReadCeiling = 64 * 1024;

const char* stageName(int stage) {
  static constexpr const char* kNames[] = {"admitting", "awaiting_headers", "relaying", "finished"};
  return stage >= 0 && stage < 4 ? kNames[stage] : "unknown";
}

}  // namespace

size_t ProxyExchange::clientBacklog() const {
  if (client_conn_ == nullptr) return 0;
  return evbuffer_get_length(bufferevent_get_output(evhttp_connection_get_bufferevent(client_conn_)));
}

void ProxyExchange::startClientReply() {
  reply_started_ = true;
  if (body_kind_ == BodyKind::kSse) deps_.metrics.streams_open.add(1);
  // The stream may stay open far longer than a request may take to arrive.
  setConnectionTimeout(client_conn_, deps_.cfg.upstream.stream_idle_timeout);
  evhttp_send_reply_start(client_, upstream_status_, upstream_reason_.c_str());
  if (rewrite_ids_ && primes()) {
    sendRetryEvent(formatEventId(StreamKind::kRequest, recorder_.streamId(), 0));
  }
  if (evbuffer_get_length(held_.get()) > 0) relayToClient(held_.get());
}

void ProxyExchange::relayToClient(evbuffer* data) {
  const size_t n = evbuffer_get_length(data);
  if (n == 0) return;
  if (orphaned_) {
    // Recorded already; nobody to send it to on this node.
    evbuffer_drain(data, n);
    return;
  }
  if (!reply_started_) {
    // Held until the store acknowledges: bounded like a slow client, except
    // while the gate still waits for the InitializeResult itself, which only
    // more reading can bring; that wait has a hard ceiling instead.
    evbuffer_add_buffer(held_.get(), data);
    const size_t held = evbuffer_get_length(held_.get());
    const bool awaiting_result =
        admission_.effect == SessionEffect::kCreate && !init_response_.has_value();
    if (awaiting_result && held > kMaxHeldBeforeInitializeResult) {
      abortGated(local_errors::upstreamUnavailable(request_.first_id_raw,
                                                   "initialize_response_too_large"));
    } else if (!awaiting_result && held > deps_.cfg.limits.stream_buffer_bytes) {
      pauseUpstreamReads();
    }
    return;
  }
  deps_.metrics.bytes_relayed.inc(n);
  evhttp_send_reply_chunk_with_cb(client_, data, &ProxyExchange::onClientDrainedCb, this);
  if (clientBacklog() > deps_.cfg.limits.stream_buffer_bytes) {
    // The client reads slower than the upstream writes: stop reading the
    // upstream instead of buffering its stream here.
    pauseUpstreamReads();
  }
}

void ProxyExchange::pauseUpstreamReads() {
  if (reading_paused_ || !upstream_conn_) return;
  bufferevent_disable(evhttp_connection_get_bufferevent(upstream_conn_.get()), EV_READ);
  reading_paused_ = true;
  deps_.metrics.backpressure_pauses.inc();
}

void ProxyExchange::onClientDrained() {
  if (tail_) tail_->resume();
  if (!reading_paused_) return;
  reading_paused_ = false;
  if (upstream_conn_) {
    bufferevent_enable(evhttp_connection_get_bufferevent(upstream_conn_.get()), EV_READ);
  }
}

void ProxyExchange::endClientReply() {
  if (stage_ == Stage::kFinished) return;
  if (orphaned_) {
    deps_.log.info(request_.ctx, "orphan_stream_completed",
                   {{"session", request_.session_id}, {"stream", recorder_.streamId()}});
    finish();
    return;
  }
  if (abort_client_ && client_conn_ != nullptr) {
    // Shut the socket down first: the reply's end then fails to write and
    // evhttp frees the connection with the request through its error path.
    const evutil_socket_t fd = bufferevent_getfd(evhttp_connection_get_bufferevent(client_conn_));
    if (fd >= 0) shutdown(fd, SHUT_RDWR);
  }
  restoreClientConnection();
  evhttp_send_reply_end(client_);
  finish();
}

void ProxyExchange::restoreClientConnection() {
  // Before completing the reply: evhttp may free the connection inside the
  // completing call (Connection: close), and we must not touch it after.
  if (client_conn_ == nullptr) return;
  evhttp_connection_set_closecb(client_conn_, nullptr, nullptr);
  setConnectionTimeout(client_conn_, deps_.cfg.limits.request_timeout);
  bufferevent_setwatermark(evhttp_connection_get_bufferevent(client_conn_), EV_READ, 0, 0);
  client_conn_ = nullptr;
}

void ProxyExchange::onClientClosed() {
  // evhttp has detached the request from the dead connection; completing it
  // now frees it.
  deps_.metrics.client_hangups.inc();
  deps_.log.info(request_.ctx, "client_hangup", {{"stage", stageName(static_cast<int>(stage_))}});
  client_conn_ = nullptr;
  tail_.reset();
  const bool producing = upstream_req_ != nullptr || (resume_timer_ && evtimer_pending(resume_timer_.get(), nullptr));
  if (stage_ == Stage::kRelaying && rewrite_ids_ && admission_.log == EventLog::kSession &&
      gate_ == Gate::kOpen && producing) {
    evhttp_send_reply_end(client_);
    becomeOrphan();
    return;
  }
  store_call_.cancel();
  if (upstream_req_ != nullptr) {
    evhttp_request* up = std::exchange(upstream_req_, nullptr);
    evhttp_cancel_request(up);  // runs the error callback, never the done callback
  }
  releaseUpstream(false);
  if (!recorder_.bound()) {
    if (create_issued_) {
      // The client never learnt this session's id, so nobody can use it:
      // close it. The store applies calls on one session in call order,
      // so this lands after the pending create.
      (void)deps_.store.transition(upstream_session_id_, SessionState::kClosed,
                                   [](Result<SessionRecord>) {});
      recorder_.bindSession(upstream_session_id_);
    } else {
      recorder_.bindSessionless();
    }
  }
  recorder_.flush();
  evhttp_send_reply_end(client_);
  finish();
}

void ProxyExchange::watchClientHangup() {
  evhttp_connection_set_closecb(client_conn_, &ProxyExchange::onClientClosedCb, this);
  // From here the upstream's deadlines govern; the client connection's
  // request-reading timeout must not cut a slow answer short.
  setConnectionTimeout(client_conn_, deps_.cfg.upstream.stream_idle_timeout);
  // evhttp stops reading a connection while its handler works, so a client
  // that leaves before the response starts would go unnoticed until we
  // write. Read with no read callback (as evhttp itself does while writing)
  // so EOF reaches evhttp's error path and our close callback at once.
  bufferevent* bev = evhttp_connection_get_bufferevent(client_conn_);
  bufferevent_event_cb event_cb = nullptr;
  bufferevent_data_cb write_cb = nullptr;
  void* cb_arg = nullptr;
  bufferevent_getcb(bev, nullptr, &write_cb, &event_cb, &cb_arg);
  bufferevent_setcb(bev, nullptr, write_cb, event_cb, cb_arg);
  bufferevent_setwatermark(bev, EV_READ, 0, kPipelinedReadCeiling);
  bufferevent_enable(bev, EV_READ);
}

// ---- trampolines -----------------------------------------------------------

void ProxyExchange::onClientClosedCb(evhttp_connection*, void* arg) noexcept {
  static_cast<ProxyExchange*>(arg)->onClientClosed();
}
void ProxyExchange::onClientDrainedCb(evhttp_connection*, void* arg) noexcept {
  static_cast<ProxyExchange*>(arg)->onClientDrained();
}

}  // namespace sidecar::proxy
