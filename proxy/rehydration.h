#pragma once
// Rehydration: gives the local upstream its own copy of a live session it
// has never seen (created on another node, or lost in an upstream restart):
//
//   initialize (the client's original params and end-to-end headers)
//     -> check the upstream negotiated the same version and capabilities
//     -> notifications/initialized (if the session had reached ACTIVE)
//     -> replay, in order, the recorded requests that shape later behaviour
//        (logging/setLevel, resources/subscribe, resources/unsubscribe)
//     -> done: the upstream's new session id
//
// Every synthetic message carries an id no client uses ("mcp-sidecar:..."),
// never reaches the client, and is recorded in the session's log marked
// synthetic. A different version or capabilities fails the rehydration
// (kConflict) rather than silently changing the session. Bounded by one
// deadline for the whole sequence. Owned by the Rehydrator; completes once.
//
// Failures, by code: kConflict = the upstream would change the session
// (version or capabilities); kUnavailable = the upstream is unreachable,
// refused a step or answered something unusable; kTimeout = the deadline or
// an upstream timeout; kInternal = the session store could not be read.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/c_handles.h"
#include "common/call_handle.h"
#include "common/clock.h"
#include "common/logger.h"
#include "proxy/upstream_call.h"
#include "sessionstore/session_store.h"

namespace sidecar::proxy {

struct RehydrationDeps {
  event_base& base;
  DeferredQueue& deferred;
  UpstreamPool& pool;
  sessionstore::SessionStore& store;
  Logger& log;
  const Clock& clock;
  config::Millis timeout;
};

class Rehydration {
 public:
  using Done = std::function<void(Result<std::string>)>;

  Rehydration(const RehydrationDeps& deps, sessionstore::SessionRecord record, HeaderList headers,
              uint64_t number, Done done);
  Rehydration(const Rehydration&) = delete;
  Rehydration& operator=(const Rehydration&) = delete;

  void start();
  // The copy the upstream minted, if it got that far (released on failure).
  const std::string& upstreamSessionId() const noexcept { return upstream_session_id_; }

 private:
  struct Replay {
    std::string method;
    std::string params_raw;
  };

  void onInitializeAnswered(Result<UpstreamReply> reply);
  void sendInitialized();
  void loadReplayLog(uint64_t after_seq);
  void onLogPage(Result<sessionstore::EventPage> page);
  void replayWhenReady();
  void replayNext();
  void send(const std::string& body, std::string expect_id, bool with_session,
            UpstreamCall::Done done);
  void recordSynthetic(sessionstore::Direction direction, std::string raw);
  void succeed();
  void fail(Error error);
  std::string syntheticId(const char* step);

  static void onDeadlineCb(evutil_socket_t, short, void* arg) noexcept;

  RehydrationDeps deps_;
  sessionstore::SessionRecord record_;
  HeaderList headers_;
  uint64_t number_;
  Done done_;
  std::string ctx_;
  std::string stream_id_;
  std::string upstream_session_id_;
  std::vector<Replay> replays_;
  size_t next_replay_ = 0;
  bool log_loaded_ = false;      // the replay list is complete
  bool handshake_done_ = false;  // initialize (and initialized) answered
  // For rehydration_done: the whole rehydration, the time spent waiting on
  // the upstream (its calls run one after another), and of that its initialize.
  int64_t started_us_ = 0;
  int64_t upstream_us_ = 0;
  int64_t initialize_us_ = 0;
  uint64_t stream_seq_ = 0;
  int steps_ = 0;
  bool finished_ = false;
  std::unique_ptr<UpstreamCall> call_;
  CallHandle store_call_;
  EventPtr deadline_;
};

// The requests whose effect outlives them and must be replayed on a copy.
bool isSessionShapingMethod(std::string_view method) noexcept;

}  // namespace sidecar::proxy
