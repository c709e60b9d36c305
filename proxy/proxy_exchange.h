#pragma once
// ProxyExchange: the life of one client request after it was parsed.
//
//   accept -> parse -> admit -> forward -> relay + persist -> done
//             (McpListener)  (this class, one stage after the other)
//
// admit:   looks the named session up in the store and applies the pure
//          admitRequest() decision (reject with a LocalError, or forward).
// forward: leases an upstream connection and sends the request with
//          end-to-end headers; records the client's messages.
// relay:   copies status and headers, then streams the body chunk by chunk
//          as it arrives (SSE events are parsed on the way to be recorded),
//          pausing upstream reads while the client is slow.
// persist: state changes the response reveals (a new session, ACTIVE,
//          CLOSED) are acknowledged by the store before the response is
//          released to the client; messages are appended in order.
//
// Streams the sidecar owns: a session's SSE events get the sidecar's ids, a
// GET is served from the session log (LogTail), a request stream whose client
// left is read on as an orphan, and an upstream that closes a stream early
// after `retry:` is asked again (docs/architecture.md, "Streams that survive
// nodes").
//
// Files: proxy_exchange.cc (forward, upstream side), _admit.cc, _client.cc
// (reply, backpressure, hang-ups), _effects.cc (the gate), _persist.cc,
// _streams.cc.
//
// Owned by McpListener, which destroys it on a later loop turn after it
// reports itself finished. Its address is the argument of libevent
// callbacks, so it is neither copyable nor movable. A client hang-up cancels
// the upstream request and every pending store call at once.

#include <functional>
#include <memory>
#include <optional>
#include <vector>
#include <string>

#include "common/c_handles.h"
#include "common/call_handle.h"
#include "common/clock.h"
#include "common/logger.h"
#include "config/config.h"
#include "proxy/cluster_bus.h"
#include "proxy/exchange_recorder.h"
#include "proxy/header_forwarding.h"
#include "proxy/inbound_request.h"
#include "proxy/local_replier.h"
#include "proxy/message_router.h"
#include "proxy/log_tail.h"
#include "proxy/proxy_metrics.h"
#include "proxy/rehydrator.h"
#include "proxy/request_admission.h"
#include "proxy/server_request_ids.h"
#include "proxy/sse_parser.h"
#include "proxy/upstream_pool.h"
#include "sessionstore/session_store.h"

namespace sidecar::proxy {

struct ExchangeDeps {
  UpstreamPool& pool;
  sessionstore::SessionStore& store;
  LocalReplier& replier;
  Logger& log;
  ProxyMetrics& metrics;
  const config::Config& cfg;
  const Clock& clock;
  Rehydrator& rehydrator;
  ClusterBus& bus;
  ServerRequestIds& request_ids;
  MessageRouter& router;
};

class ProxyExchange {
 public:
  using FinishedFn = std::function<void(ProxyExchange&)>;

  ProxyExchange(const ExchangeDeps& deps, evhttp_request* client, InboundRequest request,
                std::string stream_id, FinishedFn on_finished);
  ProxyExchange(const ProxyExchange&) = delete;
  ProxyExchange& operator=(const ProxyExchange&) = delete;
  ~ProxyExchange();

  void start();
  // The node drains: a stream of a 2025-11-25+ session gets `retry:` and is
  // closed once its work is persisted; older ones run on to drain.timeout.
  void drain();
  bool finished() const noexcept { return stage_ == Stage::kFinished; }
  const std::string& ctx() const noexcept { return request_.ctx; }

 private:
  enum class Stage { kAdmitting, kAwaitingHeaders, kRelaying, kFinished };
  // Whether the response may reach the client yet (see "persist" above).
  enum class Gate { kOpen, kAwaitingStore };
  enum class BodyKind { kNone, kSse, kJson, kOther };

  // Stages.
  void admit(std::optional<sessionstore::SessionRecord> record);
  void recordRequest();
  void resolveUpstreamSession();
  void closeWithoutUpstream();
  void serveFromLog();
  bool routeClientResponses();
  void onBusSignal(BusSignal signal, std::string_view arg);
  void forward();
  RequestForwarding forwarding() const;
  bool onUpstreamHeaders(evhttp_request* up);
  void onUpstreamBody(evhttp_request* up);
  void onUpstreamDone(evhttp_request* up);
  void onUpstreamFailed();
  void onUpstreamEnded();
  void onClientClosed();
  void onClientDrained();

  // Session effects of the response.
  void applyEffectAtHeaders(int status, const evkeyvalq& headers);
  void onInitializeResult(const JsonRpcMessage& response);
  void maybeCompleteInitialize();
  void closeHalfCreatedSession(const char* why);
  void openGate();
  void abortGated(const LocalError& error);

  // Relay.
  void startClientReply();
  void relayToClient(evbuffer* data);
  void pauseUpstreamReads();
  void endClientReply();
  void restoreClientConnection();
  // Bytes queued for the client and not yet written (0 once it left).
  size_t clientBacklog() const;

  // Streams the sidecar owns: ids, priming, orphans, the producer lease.
  void relaySse(evbuffer* data);
  bool primes() const;
  // `retry: streams.retry` with an empty data line: a priming event when
  // `event_id` is given, a bare reconnect hint (drain) when it is empty.
  void sendRetryEvent(const std::string& event_id);
  void relayText(std::string_view bytes);
  void startStreamTimer();
  void renewProducerLease();
  void onStreamTimer();
  void becomeOrphan();
  void cancelOrphan();
  // The upstream ended a request stream before all its responses (SSE
  // polling, 2025-11-25): resume it upstream with Last-Event-ID, keeping
  // the client's stream open. Answers false when it cannot be resumed.
  bool resumeUpstreamStream();
  void onResumeTimer();
  void noteServerMessage(const JsonRpcMessage& message);

  // Persist.
  void inspectJsonBody();
  // Records the messages of one payload; answers the stream seq of the last
  // one recorded (0: nothing recorded). With `routed_payload`, requests of
  // the upstream get routed ids and the payload to send is put there.
  uint64_t observeServerPayload(std::string_view payload, const std::string& upstream_event_id,
                                std::string* routed_payload = nullptr);

  void failBeforeReply(const LocalError& error);
  void finish();
  void releaseUpstream(bool reusable);
  void watchClientHangup();
  void armConnectDeadline();
  void onConnectDeadline();

  static int onUpstreamHeadersCb(evhttp_request* up, void* arg) noexcept;
  static void onUpstreamBodyCb(evhttp_request* up, void* arg) noexcept;
  static void onUpstreamDoneCb(evhttp_request* up, void* arg) noexcept;
  static void onUpstreamErrorCb(evhttp_request_error error, void* arg) noexcept;
  static void onClientClosedCb(evhttp_connection* conn, void* arg) noexcept;
  static void onClientDrainedCb(evhttp_connection* conn, void* arg) noexcept;
  static void onConnectDeadlineCb(evutil_socket_t fd, short what, void* arg) noexcept;
  static void onStreamTimerCb(evutil_socket_t fd, short what, void* arg) noexcept;
  static void onResumeTimerCb(evutil_socket_t fd, short what, void* arg) noexcept;

  ExchangeDeps deps_;
  event_base* base_;
  evhttp_request* client_;  // owned by evhttp until we complete it exactly once
  evhttp_connection* client_conn_;
  InboundRequest request_;
  FinishedFn on_finished_;
  Stage stage_ = Stage::kAdmitting;
  Admission admission_;
  std::optional<sessionstore::SessionRecord> record_;  // the named session, when live
  std::string request_body_;
  std::string upstream_session_for_request_;  // this node's copy of the named session
  bool retried_ = false;          // the upstream lost the session once already
  bool restart_pending_ = false;  // failing the upstream request on purpose to retry

  EvHttpConnectionPtr upstream_conn_;
  EventPtr connect_deadline_;
  evhttp_request* upstream_req_ = nullptr;  // owned by evhttp while in flight
  std::optional<evhttp_request_error> upstream_error_;
  bool upstream_done_ = false;
  int upstream_status_ = 0;
  std::string upstream_reason_;
  std::string upstream_session_id_;

  Gate gate_ = Gate::kOpen;
  bool reply_started_ = false;
  bool reading_paused_ = false;
  BodyKind body_kind_ = BodyKind::kNone;
  EvBufferPtr held_;  // response bytes waiting for the gate
  SseParser sse_;
  JsonRpcParser json_;
  std::string json_body_;
  bool json_body_truncated_ = false;

  // Initialize bookkeeping (effect kCreate).
  bool create_issued_ = false;
  bool session_created_ = false;
  bool abort_client_ = false;  // the upstream broke mid-body: the client must see it
  std::optional<JsonRpcMessage> init_response_;
  CallHandle store_call_;

  // Streams the sidecar owns (session SSE streams).
  bool rewrite_ids_ = false;  // this stream's event ids are ours
  bool orphaned_ = false;     // the client left; the upstream is read on
  int64_t orphaned_at_ms_ = 0;
  EventPtr stream_timer_;     // producer lease renewal and orphan deadline
  std::unique_ptr<LogTail> tail_;  // GET streams served from the log
  std::vector<std::string> unanswered_;  // ids of this POST's requests without a response yet
  std::string upstream_last_event_id_;   // the upstream's own, for resuming it
  uint32_t upstream_retry_ms_ = 1'000;
  bool upstream_polls_ = false;          // it sent `retry:`: it may close early and expect a GET
  int upstream_resumes_ = 0;             // consecutive, without progress
  bool resuming_upstream_ = false;       // the upstream request is a GET resumption
  bool complete_when_answered_ = false;  // a resumed upstream GET never ends by itself
  EventPtr resume_timer_;
  Subscription bus_watch_;         // the session closed, or its stream moved
  CallHandle copy_call_;           // a standalone GET making sure this node has a copy

  ExchangeRecorder recorder_;
};

}  // namespace sidecar::proxy
