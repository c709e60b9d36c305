#pragma once
// SessionStore: where sessions and their event logs live. Designed for an
// asynchronous backend: every call that answers does so through a callback
// on the event loop, never from inside the call, and returns a CallHandle
// whose destruction drops the callback. Calls concerning one session are
// applied in the order they are made, awaited or not (so a transition made
// right after a create lands after it). The proxy sees only this interface.

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "common/call_handle.h"
#include "common/result.h"
#include "common/subscription.h"
#include "sessionstore/session.h"

namespace sidecar::sessionstore {

struct EventPage {
  std::vector<EventRecord> events;
  uint64_t next_after_seq = 0;  // pass as after_seq to continue
};

// Store errors that mean "could not ask" (outage, deadline), as opposed to
// "asked and refused" (not found, illegal transition).
inline bool isStoreOutage(const Error& error) noexcept {
  return error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kTimeout;
}

class SessionStore {
 public:
  template <class T>
  using Callback = std::function<void(Result<T>)>;

  virtual ~SessionStore() = default;

  // Creates a session record. kConflict if the id exists already.
  virtual CallHandle createSession(SessionRecord record, Callback<Ok> done) = 0;

  // INITIALIZING -> INITIALIZED, recording what the upstream negotiated.
  // kNotFound / kConflict as for transition().
  virtual CallHandle completeInitialize(const std::string& id, std::string protocol_version,
                                        std::string server_result,
                                        Callback<SessionRecord> done) = 0;

  // Atomically moves a session to `to` if the transition from its current
  // state is legal (see session_state_machine.h). kNotFound for an unknown
  // id, kConflict for an illegal transition (the record is unchanged).
  // Answers the record after the transition.
  virtual CallHandle transition(const std::string& id, SessionState to,
                                Callback<SessionRecord> done) = 0;

  // The record, or nullopt when unknown or expired.
  virtual CallHandle getSession(const std::string& id,
                                Callback<std::optional<SessionRecord>> done) = 0;

  // The record, for admitting a request to the session: as getSession, but a
  // store may answer from what this node already knows without asking its
  // backend, when it can prove that knowledge current (RedisSessionStore:
  // an ACTIVE record its own writes confirmed while its closed-session feed
  // was up). Times in such a record (last seen) may be stale.
  virtual CallHandle lookupForRequest(const std::string& id,
                                      Callback<std::optional<SessionRecord>> done) {
    return getSession(id, std::move(done));
  }

  // Every session still within its TTL, CLOSED ones included.
  virtual CallHandle listSessions(Callback<std::vector<SessionRecord>> done) = 0;

  // Events with seq > after_seq, at most `limit`.
  virtual CallHandle readEvents(const std::string& id, uint64_t after_seq, size_t limit,
                                Callback<EventPage> done) = 0;
  virtual CallHandle readSessionlessEvents(uint64_t after_seq, size_t limit,
                                           Callback<EventPage> done) = 0;

  // Refreshes last-seen and the idle TTL. Fire and forget.
  virtual void touch(const std::string& id) = 0;

  // Appends in order; the store assigns seq. Fire and forget: failures are
  // counted and logged by the store, never silently dropped. Appending to a
  // session refreshes it as touch() does.
  virtual void appendEvents(const std::string& id, std::vector<EventRecord> events) = 0;
  virtual void appendSessionlessEvents(std::vector<EventRecord> events) = 0;

  // ---- streams (resumability and cross-node delivery) -----------------

  // The session seq just before the first event recorded with `stream_id`
  // (so readEvents(id, answer, ...) starts at that stream), or nullopt when
  // no event of that stream is known. Lets a resumption skip the rest of
  // the log instead of scanning it from the start.
  virtual CallHandle streamStart(const std::string& id, const std::string& stream_id,
                                 Callback<std::optional<uint64_t>> done) = 0;

  // Calls `wake` (always on a later loop turn, never inside appendEvents)
  // after events of session `id` were appended by any node of the
  // deployment. A hint, not a delivery: the watcher reads the log with
  // readEvents after its last seq. Wakes may be coalesced or spurious; after
  // the backend's notification channel was lost and regained every watcher
  // is woken once, since notices may have been missed meanwhile.
  virtual Subscription watchSession(const std::string& id, std::function<void()> wake) = 0;

  // Leases: a named mark per session, shared by every node, that lapses by
  // itself `ttl` after its last put. A node producing a stream holds one and
  // renews it; others read it to tell a slow producer from a dead one.
  // put is fire and forget (an unreachable store simply lets it lapse).
  virtual void putLease(const std::string& id, const std::string& name, std::string holder,
                        std::chrono::milliseconds ttl) = 0;
  // The holder while the lease is held, nullopt once it lapsed (or never was).
  virtual CallHandle readLease(const std::string& id, const std::string& name,
                               Callback<std::optional<std::string>> done) = 0;

  // The bus: one broadcast channel between every node of the deployment
  // (the memory store's reaches only this process, its single node).
  // Pub/sub semantics: a message reaches the nodes subscribed when it is
  // published, at most once each, the publisher itself included, in
  // publish order per publisher; a node that is disconnected misses it.
  virtual void publish(std::string message) = 0;
  virtual Subscription subscribe(std::function<void(std::string_view message)> on_message) = 0;

  // Whether the backend currently accepts writes (reported by /readyz and
  // metrics; a store outage alone never takes a node out of the balancer).
  virtual bool healthy() const = 0;
  // Whether the backend has been reachable at least once since start-up:
  // until then the node is not ready for traffic.
  virtual bool everReachable() const { return true; }
  // Whether this store knows every live session of the deployment (a store
  // shared by all nodes). Then an id it does not know is not a session; a
  // store private to this process cannot say that.
  virtual bool authoritative() const { return false; }
};

}  // namespace sidecar::sessionstore
