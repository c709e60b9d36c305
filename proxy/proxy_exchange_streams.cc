// ProxyExchange, streams the sidecar owns: a session's SSE events carry the
// sidecar's ids (event_id.h), 2025-11-25+ streams are primed, a request
// stream outlives its client connection (orphan) so it can be resumed on any
// node, and GETs are served from the session log (LogTail).

#include "proxy/proxy_exchange.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include <algorithm>

#include "common/timeval.h"
#include "proxy/sse_buffer.h"
#include "proxy/stream_leases.h"

namespace sidecar::proxy {

// ---- request streams -------------------------------------------------------

void ProxyExchange::relaySse(evbuffer* data) {
  std::vector<SseEvent> events;
  const bool failed_before = sse_.failed();
  feedSse(sse_, data, events);
  if (sse_.failed() && !failed_before) {
    deps_.metrics.messages_unparsed.inc();
    deps_.log.error(request_.ctx, "sse_stream_unparseable_rest_unrecorded",
                    {{"error", sse_.status().error().message}});
    // Our ids cannot be put on events we cannot parse, and the upstream's
    // must not reach the client: the stream ends broken when the upstream does.
    if (rewrite_ids_) abort_client_ = true;
  }
  if (!rewrite_ids_) {
    // Sessionless traffic passes untouched (it is only recorded).
    for (const auto& event : events) {
      if (!event.data.empty()) observeServerPayload(event.data, event.id);
    }
    recorder_.flush();
    relayToClient(data);
    return;
  }
  evbuffer_drain(data, evbuffer_get_length(data));
  std::string out;
  for (const auto& event : events) {
    // The upstream's ids and retry hints are kept for resuming it; the
    // client gets ours.
    if (event.has_id && !event.id.empty()) upstream_last_event_id_ = event.id;
    if (event.retry_ms) {
      upstream_retry_ms_ = *event.retry_ms;
      upstream_polls_ = true;
    }
    if (event.data.empty()) continue;
    std::string payload = event.data;
    const uint64_t seq = observeServerPayload(event.data, event.id, &payload);
    SseEvent ours{{}, false, event.event, std::move(payload), std::nullopt};
    if (seq > 0) {
      ours.id = formatEventId(StreamKind::kRequest, recorder_.streamId(), seq);
      ours.has_id = true;
    }
    out += serializeSseEvent(ours);
  }
  recorder_.flush();
  relayText(out);
  if (resuming_upstream_ && unanswered_.empty() && !complete_when_answered_) {
    // A resumed GET is the upstream's to keep open; the request is done.
    // Not from inside evhttp's chunk callback: on the next loop turn.
    complete_when_answered_ = true;
    const timeval now{0, 0};
    evtimer_add(resume_timer_.get(), &now);
  }
}

void ProxyExchange::noteServerMessage(const JsonRpcMessage& message) {
  if (message.kind != MessageKind::kResultResponse && message.kind != MessageKind::kErrorResponse) return;
  std::erase(unanswered_, message.id_raw);
  upstream_resumes_ = 0;  // progress: the resume budget is per silence
}

bool ProxyExchange::resumeUpstreamStream() {
  constexpr int kMaxResumesWithoutProgress = 3;
  // Only an upstream that said it polls (a `retry:` on this stream, as the
  // spec asks before closing a stream early) is asked again: some servers'
  // replay after an id mixes in other streams' events (server-everything's),
  // and a stream that just ended without a response (a cancelled request)
  // has nothing more to give.
  if (admission_.log != EventLog::kSession || !rewrite_ids_ || !upstream_polls_ ||
      upstream_last_event_id_.empty() || upstream_resumes_ >= kMaxResumesWithoutProgress) {
    return false;
  }
  ++upstream_resumes_;
  deps_.log.info(request_.ctx, "upstream_stream_resuming",
                 {{"session", request_.session_id},
                  {"after_ms", static_cast<int64_t>(upstream_retry_ms_)},
                  {"unanswered", static_cast<int64_t>(unanswered_.size())}});
  if (!resume_timer_) resume_timer_.reset(evtimer_new(base_, &ProxyExchange::onResumeTimerCb, this));
  const timeval delay = toTimeval(static_cast<int64_t>(upstream_retry_ms_));
  evtimer_add(resume_timer_.get(), &delay);
  return true;
}

void ProxyExchange::onResumeTimer() {
  if (stage_ == Stage::kFinished) return;
  if (complete_when_answered_) {
    if (upstream_req_ != nullptr) evhttp_cancel_request(std::exchange(upstream_req_, nullptr));
    releaseUpstream(false);
    upstream_done_ = true;
    onUpstreamEnded();
    return;
  }
  resuming_upstream_ = true;
  upstream_error_.reset();
  sse_.reset();
  forward();
}

bool ProxyExchange::primes() const {
  return record_.has_value() && supportsPriming(record_->protocol_version);
}

void ProxyExchange::sendRetryEvent(const std::string& event_id) {
  relayText(serializeSseEvent({event_id, !event_id.empty(), {}, {},
                               static_cast<uint32_t>(deps_.cfg.streams.retry.count())}));
}

void ProxyExchange::relayText(std::string_view bytes) {
  if (bytes.empty()) return;
  EvBufferPtr buffer(evbuffer_new());
  evbuffer_add(buffer.get(), bytes.data(), bytes.size());
  relayToClient(buffer.get());
}

void ProxyExchange::startStreamTimer() {
  stream_timer_.reset(event_new(base_, -1, EV_PERSIST, &ProxyExchange::onStreamTimerCb, this));
  const timeval period = toTimeval(std::max<int64_t>(deps_.cfg.streams.lease_ttl.count() / 3, 1));
  event_add(stream_timer_.get(), &period);
  // No lease yet: most streams end within a tick, and a tail cannot ask
  // before one (it checks a tick after a resumption, which comes after this
  // stream started), so the first renewal is the first put. An orphan puts
  // it at once.
}

void ProxyExchange::renewProducerLease() {
  deps_.store.putLease(request_.session_id, stream_leases::producer(recorder_.streamId()), request_.ctx,
                       deps_.cfg.streams.lease_ttl);
}

void ProxyExchange::onStreamTimer() {
  if (upstream_done_ || stage_ == Stage::kFinished) {
    stream_timer_.reset();
    return;
  }
  renewProducerLease();
  if (!orphaned_ || deps_.clock.monotonicMs() - orphaned_at_ms_ < deps_.cfg.streams.orphan_ttl.count()) {
    return;
  }
  // Past the orphan deadline: keep going only while some node tails it.
  store_call_ = deps_.store.readLease(
      request_.session_id, stream_leases::tail(recorder_.streamId()),
      [this](Result<std::optional<std::string>> tail) {
        if (tail.ok() && tail.value().has_value()) return;
        if (!tail.ok()) {
          deps_.log.warn(request_.ctx, "orphan_tail_check_failed", {{"error", tail.error().message}});
          return;  // the next tick asks again
        }
        cancelOrphan();
      });
}

void ProxyExchange::becomeOrphan() {
  // Disconnection is not cancellation (2025-11-25): the work goes on and is
  // persisted, so the client can resume the stream on any node.
  deps_.metrics.streams_orphaned.inc();
  deps_.log.info(request_.ctx, "stream_orphaned",
                 {{"session", request_.session_id}, {"stream", recorder_.streamId()},
                  {"orphan_ttl_ms", deps_.cfg.streams.orphan_ttl.count()}});
  orphaned_ = true;
  orphaned_at_ms_ = deps_.clock.monotonicMs();
  if (stream_timer_) renewProducerLease();
  if (reading_paused_ && upstream_conn_) {
    bufferevent_enable(evhttp_connection_get_bufferevent(upstream_conn_.get()), EV_READ);
    reading_paused_ = false;
  }
}

void ProxyExchange::cancelOrphan() {
  deps_.metrics.orphans_cancelled.inc();
  deps_.log.warn(request_.ctx, "orphan_stream_cancelled",
                 {{"session", request_.session_id}, {"stream", recorder_.streamId()},
                  {"reason", "not_resumed_within_orphan_ttl"}});
  if (upstream_req_ != nullptr) {
    evhttp_request* up = std::exchange(upstream_req_, nullptr);
    evhttp_cancel_request(up);
  }
  releaseUpstream(false);
  recorder_.flush();
  finish();
}

// ---- drain -----------------------------------------------------------------

void ProxyExchange::drain() {
  if (stage_ != Stage::kRelaying || !reply_started_ || orphaned_ || client_conn_ == nullptr) return;
  if (body_kind_ != BodyKind::kSse || !primes() || (!rewrite_ids_ && !tail_)) return;
  // The client reconnects after `retry` and resumes with Last-Event-ID on a
  // node that is not draining; this one reads its upstream to the end.
  deps_.metrics.streams_drained.inc();
  deps_.log.info(request_.ctx, "stream_closed_for_drain", {{"session", request_.session_id}});
  sendRetryEvent({});
  if (tail_) {
    tail_.reset();
    endClientReply();
    return;
  }
  // Closing the client's side leaves the upstream request running as an
  // orphan until it completes (bounded by drain.timeout).
  restoreClientConnection();
  evhttp_send_reply_end(client_);
  becomeOrphan();
}

// ---- GET from the log ------------------------------------------------------

void ProxyExchange::serveFromLog() {
  std::optional<EventId> from;
  if (!request_.last_event_id.empty()) {
    from = parseEventId(request_.last_event_id);
    if (!from) {
      deps_.log.info(request_.ctx, "resume_bad_event_id", {{"session", request_.session_id}});
      failBeforeReply(local_errors::unknownEventId());
      return;
    }
  } else {
    from = EventId{StreamKind::kStandalone, recorder_.streamId(), 0};
  }
  deps_.metrics.streams_from_log.inc();
  const bool tail_kind_standalone = from->kind == StreamKind::kStandalone;
  bus_watch_ = deps_.bus.watch(request_.session_id,
                               [this](BusSignal signal, std::string_view arg) { onBusSignal(signal, arg); });
  LogTailSink sink;
  sink.begin = [this](const std::string& resume_from) {
    stage_ = Stage::kRelaying;
    body_kind_ = BodyKind::kSse;
    upstream_status_ = 200;
    upstream_reason_ = "OK";
    evkeyvalq& headers = *evhttp_request_get_output_headers(client_);
    evhttp_add_header(&headers, "Content-Type", "text/event-stream");
    evhttp_add_header(&headers, "Cache-Control", "no-cache");
    evhttp_add_header(&headers, "Mcp-Session-Id", request_.session_id.c_str());
    startClientReply();
    if (primes()) sendRetryEvent(resume_from);
  };
  sink.reject = [this](const LocalError& error) { failBeforeReply(error); };
  sink.nothing_more = [this] {
    deps_.log.info(request_.ctx, "resume_stream_complete", {{"session", request_.session_id}});
    restoreClientConnection();
    evhttp_send_reply(client_, 204, "No Content", nullptr);
    finish();
  };
  sink.emit = [this](std::string bytes) {
    deps_.metrics.events_from_log.inc();
    relayText(bytes);
  };
  sink.client_full = [this] {
    return client_conn_ == nullptr || clientBacklog() > deps_.cfg.limits.stream_buffer_bytes;
  };
  sink.end = [this] { endClientReply(); };
  tail_ = std::make_unique<LogTail>(
      deps_.store, *base_, deps_.log, deps_.clock, deps_.cfg,
      LogTailTarget{request_.session_id, *from, !request_.last_event_id.empty(),
                    record_ ? record_->event_count : 0, request_.ctx},
      std::move(sink));
  tail_->start();
  if (tail_kind_standalone) deps_.bus.standaloneTaken(request_.session_id, recorder_.streamId());
  if (tail_kind_standalone && record_ && !deps_.rehydrator.mapped(request_.session_id)) {
    // The standalone stream carries what the upstream copies send on their
    // own GET streams: make sure there is at least this node's.
    copy_call_ = deps_.rehydrator.resolve(
        *record_, syntheticRequestHeaders(*evhttp_request_get_input_headers(client_), forwarding()),
        [this](Result<std::string> copy) {
          if (!copy.ok()) {
            deps_.log.warn(request_.ctx, "standalone_copy_failed", {{"error", copy.error().message}});
          }
        });
  }
}

void ProxyExchange::onBusSignal(BusSignal signal, std::string_view arg) {
  if (!tail_ || stage_ != Stage::kRelaying) return;
  const bool standalone = request_.last_event_id.empty() ||
                          request_.last_event_id.front() == 'g';
  if (signal == BusSignal::kTaken && (!standalone || arg == recorder_.streamId())) return;
  // One message, one stream: the newest standalone GET wins. A closed
  // session has nothing more to send.
  deps_.log.info(request_.ctx, "log_stream_ended",
                 {{"session", request_.session_id},
                  {"reason", signal == BusSignal::kClosed ? "session_closed" : "taken_by_newer_get"}});
  tail_.reset();
  endClientReply();
}

void ProxyExchange::onResumeTimerCb(evutil_socket_t, short, void* arg) noexcept {
  static_cast<ProxyExchange*>(arg)->onResumeTimer();
}

void ProxyExchange::onStreamTimerCb(evutil_socket_t, short, void* arg) noexcept {
  static_cast<ProxyExchange*>(arg)->onStreamTimer();
}

}  // namespace sidecar::proxy
