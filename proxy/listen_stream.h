#pragma once
// ListenStream: the GET stream this node keeps open to its upstream copy of
// a session, so that what the upstream sends outside any request (logging,
// list changes, resource updates, its own requests) is not lost. The client
// never talks to it: every message is recorded in the session log under a
// "listen-" stream id, and the client's standalone GET — on whichever node —
// delivers it from there (LogTail), exactly once. Requests from the upstream
// get routed ids (ServerRequestIds) before they are recorded.
//
// The stream reconnects with capped backoff when it ends or breaks, and
// stops for good when the upstream offers no GET stream (405) or no longer
// knows the copy (404/400: the next client request rehydrates). Owned by
// ListenStreams; destroying it cancels the request.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/c_handles.h"
#include "common/clock.h"
#include "common/deferred_queue.h"
#include "common/logger.h"
#include "config/config.h"
#include "proxy/exchange_recorder.h"
#include "proxy/header_forwarding.h"
#include "proxy/jsonrpc_parser.h"
#include "proxy/server_request_ids.h"
#include "proxy/sse_parser.h"
#include "proxy/upstream_pool.h"
#include "sessionstore/session_store.h"

namespace sidecar::proxy {

struct ListenDeps {
  event_base& base;
  DeferredQueue& deferred;
  UpstreamPool& pool;
  sessionstore::SessionStore& store;
  Logger& log;
  const Clock& clock;
  ServerRequestIds& request_ids;
  const config::UpstreamConfig& upstream;
  // One parser for every listen stream of the node: each message is parsed
  // and consumed at once, and a parser per stream would cost memory per copy.
  JsonRpcParser& json;
};

class ListenStream {
 public:
  // `on_stopped` runs (from a callback of this stream) when it stops for
  // good; the owner must not destroy it inside that call.
  ListenStream(const ListenDeps& deps, std::string client_session_id, std::string upstream_session_id,
               HeaderList credentials, std::string stream_id_base, std::function<void()> on_stopped);
  ListenStream(const ListenStream&) = delete;
  ListenStream& operator=(const ListenStream&) = delete;
  ~ListenStream();

  void start();
  bool stopped() const noexcept { return stopped_; }

 private:
  void connect();
  bool onHeaders(evhttp_request* up);
  void onChunk(evhttp_request* up);
  void onDone();
  void retryLater();
  void stop(const char* why);
  void closeRequest();

  static int onHeadersCb(evhttp_request* up, void* arg) noexcept;
  static void onChunkCb(evhttp_request* up, void* arg) noexcept;
  static void onDoneCb(evhttp_request* up, void* arg) noexcept;
  static void onErrorCb(evhttp_request_error error, void* arg) noexcept;
  static void onRetryCb(evutil_socket_t, short, void* arg) noexcept;

  ListenDeps deps_;
  std::string client_session_id_;
  std::string upstream_session_id_;
  HeaderList credentials_;
  std::string stream_id_base_;
  std::function<void()> on_stopped_;
  uint64_t connections_ = 0;
  int64_t backoff_ms_ = 0;
  bool stopped_ = false;
  int status_ = 0;

  EvHttpConnectionPtr conn_;
  evhttp_request* req_ = nullptr;
  EventPtr retry_timer_;
  SseParser sse_;
  std::unique_ptr<ExchangeRecorder> recorder_;
};

}  // namespace sidecar::proxy
