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
// Owned by McpListener, which destroys it on a later loop turn after it
// reports itself finished. Its address is the argument of libevent
// callbacks, so it is neither copyable nor movable. A client hang-up cancels
// the upstream request and every pending store call at once.

#include <functional>
#include <optional>
#include <string>

#include "common/c_handles.h"
#include "common/call_handle.h"
#include "common/clock.h"
#include "common/logger.h"
#include "config/config.h"
#include "proxy/exchange_recorder.h"
#include "proxy/header_forwarding.h"
#include "proxy/inbound_request.h"
#include "proxy/local_replier.h"
#include "proxy/proxy_metrics.h"
#include "proxy/rehydrator.h"
#include "proxy/request_admission.h"
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

  // Persist.
  void inspectSse(evbuffer* data);
  void inspectJsonBody();
  void observeServerPayload(std::string_view payload, const std::string& upstream_event_id);

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

  ExchangeDeps deps_;
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

  ExchangeRecorder recorder_;
};

}  // namespace sidecar::proxy
