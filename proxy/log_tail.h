#pragma once
// LogTail: serves an SSE stream to a client from the session log instead of
// from an upstream, on whichever node the client's GET landed. Used for
//
//   - resumption of a request's stream (Last-Event-ID "p.<stream>.<n>"): the
//     stream's messages after n are replayed, then followed live while some
//     node still produces it, until every request sent on that stream has
//     its response; a producer whose lease lapses with responses missing
//     ends the stream with a JSON-RPC error for each of them;
//   - the session's standalone stream ("g.<stream>.<seq>", or a fresh GET):
//     messages the upstream copies sent on their own GET streams, on any
//     node, delivered from the log after seq; it never ends by itself. A
//     fresh GET starts where the session's last standalone stream stopped
//     (a cursor kept in the store), so what the upstream sent while no GET
//     was open is delivered once, not dropped.
//
// Every event is in the log before it is sent (it is read from there). The
// log is read page by page after a wake from the store's session watch (and
// on a timer as a safety net); reads stop while the client is slow and go on
// when it drained. Owned by the exchange serving the GET; destroying it
// cancels every pending store call and timer.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>

#include "common/c_handles.h"
#include "common/call_handle.h"
#include "common/clock.h"
#include "common/logger.h"
#include "common/subscription.h"
#include "config/config.h"
#include "proxy/event_id.h"
#include "proxy/jsonrpc_parser.h"
#include "proxy/local_error.h"
#include "sessionstore/session_store.h"

namespace sidecar::proxy {

struct LogTailSink {
  // The stream exists: start the reply. `resume_from` is the event id the
  // client may resume from before any event arrives (for a priming event).
  std::function<void(const std::string& resume_from)> begin;
  std::function<void(const LocalError&)> reject;    // before begin: nothing to serve
  // Before begin: the stream is complete and nothing follows the client's
  // id (answered 204, so a client does not poll a finished stream forever).
  std::function<void()> nothing_more;
  std::function<void(std::string sse_bytes)> emit;  // events, already framed
  std::function<bool()> client_full;                // stop reading until resume()
  std::function<void()> end;                        // nothing more will come
};

struct LogTailTarget {
  std::string session_id;
  EventId from;  // the stream and the position after which to deliver
  bool resumed = false;  // `from` came from Last-Event-ID (else: a fresh standalone GET)
  uint64_t log_end = 0;  // the session's seq at admission: where a fresh GET starts if the
                         // store cannot say where the last standalone GET stopped
  std::string ctx;
};

class LogTail {
 public:
  LogTail(sessionstore::SessionStore& store, event_base& base, Logger& log, const Clock& clock,
          const config::Config& cfg, LogTailTarget target, LogTailSink sink);
  LogTail(const LogTail&) = delete;
  LogTail& operator=(const LogTail&) = delete;
  ~LogTail() = default;

  // Request streams: finds the stream (rejects an unknown one); standalone
  // streams: finds where to start.
  void start();
  // The client drained: read on if reading stopped for it.
  void resume();
  uint64_t eventsSent() const noexcept { return sent_; }

 private:
  void follow(uint64_t after_seq);
  void pump();
  void onPage(Result<sessionstore::EventPage> page);
  void consider(const sessionstore::EventRecord& event);
  void checkLease();
  void renewLeases();
  void saveCursor();
  void endWithLapsedProducer();
  void finish();
  void beginOnce();
  void emit(std::string sse_bytes);
  static void onTimerCb(evutil_socket_t, short, void* arg) noexcept;

  sessionstore::SessionStore& store_;
  Logger& log_;
  const Clock& clock_;
  const config::StreamsConfig& cfg_;
  config::Millis cursor_ttl_;
  uint64_t cursor_saved_ = 0;  // standalone: the delivered position last stored
  LogTailTarget target_;
  LogTailSink sink_;
  JsonRpcParser json_;
  EventPtr timer_;

  uint64_t cursor_ = 0;  // session seq read up to
  bool reading_ = false;
  bool read_again_ = false;
  bool waiting_for_client_ = false;
  bool done_ = false;
  bool lease_lapsed_ = false;
  bool saw_request_ = false;
  bool begun_ = false;
  bool first_page_ = true;
  uint64_t last_stream_seq_ = 0;  // of the followed stream, as far as read
  std::unordered_set<std::string> unanswered_;  // request ids of the followed stream
  uint64_t sent_ = 0;

  Subscription watch_;
  CallHandle read_call_;
  CallHandle lease_call_;
};

}  // namespace sidecar::proxy
