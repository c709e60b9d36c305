#pragma once
// MemorySessionStore: the embedded default SessionStore, for a single
// sidecar process (sessions do not survive a restart and are not shared
// between nodes; use the Redis store for that).
//
// Owned by main (cmd/), which passes it to the proxy as a SessionStore&.
// Must be destroyed before the event_base it was given. Every mutation and
// read is applied at call time, in call order, and its answer is delivered
// on a later loop turn through an internal DeferredQueue; a cancelled or
// destroyed CallHandle means the callback never runs, and so does
// destroying the store (pending answers are dropped, not delivered).
//
// Sessions idle for idle_ttl (by the injected monotonic clock) expire:
// lazily on access and, to bound memory, by a periodic sweep timer.
// create/transition/completeInitialize/touch/append refresh the idle time;
// getSession, listSessions and readEvents are read-only and do not.
//
// Streams, leases, watches and the bus reach this process only (its single
// node): each session keeps the seq before the first event of every stream
// and its leases (lapsing by the injected monotonic clock) for as long as
// the session lives; an append wakes the session's watchers on a later turn
// (MemoryPubSub), and publish loops back to this process's subscribers.

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "common/c_handles.h"
#include "common/clock.h"
#include "common/deferred_queue.h"
#include "common/logger.h"
#include "common/metrics.h"
#include "config/config.h"
#include "sessionstore/event_log.h"
#include "sessionstore/memory_pubsub.h"
#include "sessionstore/session_store.h"
#include "sessionstore/stream_starts.h"

namespace sidecar::sessionstore {

struct MemoryStoreLimits {
  config::Millis idle_ttl = config::SessionConfig{}.idle_ttl;
  size_t max_events_per_session = config::StoreConfig{}.memory_max_events_per_session;
  size_t max_sessionless_events = config::StoreConfig{}.memory_max_sessionless_events;
  // How often the sweep timer frees expired sessions. Zero disables the
  // timer (lazy expiry and explicit sweepExpired() calls still work).
  config::Millis sweep_interval{30'000};

  static MemoryStoreLimits fromConfig(const config::StoreConfig& store,
                                      const config::SessionConfig& session);
};

class MemorySessionStore final : public SessionStore {
 public:
  MemorySessionStore(event_base& base, const Clock& clock, Logger& logger,
                     MetricsRegistry& metrics, MemoryStoreLimits limits);
  ~MemorySessionStore() override;
  // The sweep timer's callback argument is `this`.
  MemorySessionStore(const MemorySessionStore&) = delete;
  MemorySessionStore& operator=(const MemorySessionStore&) = delete;

  CallHandle createSession(SessionRecord record, Callback<Ok> done) override;
  CallHandle completeInitialize(const std::string& id, std::string protocol_version,
                                std::string server_result,
                                Callback<SessionRecord> done) override;
  CallHandle transition(const std::string& id, SessionState to,
                        Callback<SessionRecord> done) override;
  CallHandle getSession(const std::string& id,
                        Callback<std::optional<SessionRecord>> done) override;
  CallHandle listSessions(Callback<std::vector<SessionRecord>> done) override;
  CallHandle readEvents(const std::string& id, uint64_t after_seq, size_t limit,
                        Callback<EventPage> done) override;
  CallHandle readSessionlessEvents(uint64_t after_seq, size_t limit,
                                   Callback<EventPage> done) override;
  void touch(const std::string& id) override;
  void appendEvents(const std::string& id, std::vector<EventRecord> events) override;
  void appendSessionlessEvents(std::vector<EventRecord> events) override;
  CallHandle streamStart(const std::string& id, const std::string& stream_id,
                         Callback<std::optional<uint64_t>> done) override;
  Subscription watchSession(const std::string& id, std::function<void()> wake) override;
  void putLease(const std::string& id, const std::string& name, std::string holder,
                std::chrono::milliseconds ttl) override;
  CallHandle readLease(const std::string& id, const std::string& name,
                       Callback<std::optional<std::string>> done) override;
  void publish(std::string message) override;
  Subscription subscribe(std::function<void(std::string_view message)> on_message) override;
  bool healthy() const override { return true; }

  // Frees every session idle for at least idle_ttl (returns how many) and
  // forgets cancelled watches and bus listeners. The sweep timer calls this;
  // tests may call it directly.
  size_t sweepExpired();
  size_t sessionCount() const noexcept { return sessions_.size(); }
  // Sessions with watch registrations held (cancelled ones until pruned).
  size_t watchedSessions() const noexcept { return pubsub_.watchedSessions(); }

 private:
  struct Lease {
    std::string holder;
    int64_t expires_mono_ms = 0;
  };
  struct Entry {
    SessionRecord record;
    EventLog events;
    int64_t last_seen_mono_ms = 0;
    std::list<std::string>::iterator idle_pos;  // this entry's place in idle_order_
    bool reported_full = false;                 // log_full warned once per session
    StreamStarts stream_starts;
    std::unordered_map<std::string, Lease> leases;            // by name
  };
  using Sessions = std::unordered_map<std::string, Entry>;

  static void onSweepTimer(evutil_socket_t, short, void* arg) noexcept;

  // The live entry for `id`, or nullptr; an expired entry is freed here.
  Entry* findLive(const std::string& id);
  bool isExpired(const Entry& entry, int64_t now_mono_ms) const noexcept;
  void refresh(Entry& entry);
  void erase(Sessions::iterator it);
  SessionRecord snapshot(const Entry& entry) const;
  Error refuseTransition(const Entry& entry, SessionState to, std::string_view operation);
  void assertLoopThread() const noexcept;

  template <class T>
  CallHandle answer(Callback<T> done, Result<T> result);

  const Clock& clock_;
  Logger& logger_;
  MemoryStoreLimits limits_;
  DeferredQueue queue_;
  MemoryPubSub pubsub_;  // posts to queue_
  EventPtr sweep_timer_;
  std::thread::id loop_thread_;

  Sessions sessions_;
  // Session ids, least recently refreshed first. The monotonic clock never
  // goes back, so this is also expiry order and a sweep stops at the first
  // live entry instead of scanning every session.
  std::list<std::string> idle_order_;
  EventLog sessionless_;
  bool sessionless_reported_full_ = false;

  Gauge& sessions_gauge_;
  Counter& expired_total_;
  Counter& illegal_transitions_total_;
  Counter& dropped_unknown_session_;
  Counter& dropped_log_full_;
};

}  // namespace sidecar::sessionstore
