#pragma once
// RedisSessionStore: the SessionStore shared by every sidecar replica, kept
// in Redis (standalone, through hiredis 0.14 async; key schema in
// redis_keys.h, scripts in redis_lua.h, the whole design in docs/storage.md,
// failure behaviour in docs/failure-modes-redis.md).
//
// Owned by main (cmd/), handed to the proxy as a SessionStore&; must be
// destroyed before its event_base, and never from inside one of its own
// completions. Destroying it drops every pending completion undelivered and
// logs how many events were still unsent.
//
// - create / transition / completeInitialize / getSession / listSessions /
//   readEvents are one awaited Redis round trip each (list: one per session).
// - lookupForRequest answers ACTIVE sessions from the cache without Redis
//   when this node's own append, touch or transition proved them live
//   (SessionCache::vouch) while the closed-session feed (<prefix>closed, a
//   channel on the subscriber connection, started by the first lookup) has
//   been up throughout, and not longer than min(store.cache.ttl, idle TTL / 2)
//   ago. Anything else asks Redis, as getSession does.
// - touch and appendEvents never wait on Redis: touches are coalesced per
//   loop turn, appends go through RedisEventOutbox (one script call per log
//   per turn, order kept, buffered while Redis is unreachable).
// - Reads of a log wait until this node's earlier appends to it are
//   acknowledged, so a node always reads its own writes.
// - Completions always arrive on a later loop turn; a destroyed CallHandle
//   suppresses its completion.
// - While Redis is unreachable every awaited call fails fast with
//   kUnavailable, except getSession, which answers from the local cache when
//   the record is there (see SessionCache).
// - streamStart reads the streams index the append script keeps (after this
//   node's earlier appends, like readEvents); leases are RedisLeases; watches
//   and the bus are RedisPubSub, over a second connection opened on first use.

#include <cstdint>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/deferred_queue.h"
#include "common/logger.h"
#include "common/metrics.h"
#include "config/config.h"
#include "sessionstore/redis_connection.h"
#include "sessionstore/redis_event_outbox.h"
#include "sessionstore/per_turn_set.h"
#include "sessionstore/redis_keys.h"
#include "sessionstore/redis_leases.h"
#include "sessionstore/redis_pubsub.h"
#include "sessionstore/redis_scripts.h"
#include "sessionstore/redis_session_lister.h"
#include "sessionstore/session_cache.h"
#include "sessionstore/session_store.h"

namespace sidecar::sessionstore {

// Knobs that are not in the config file: defaults for production, smaller
// values for tests.
struct RedisStoreOptions {
  RedisConnectionOptions connection;
  size_t max_batch_events = 512;
  // How often listSessions may also drop expired ids from the index.
  config::Millis index_prune_interval{60'000};
  // How often channels whose listeners were all cancelled are unsubscribed
  // (also done when such a channel's next message arrives). Zero: never by timer.
  config::Millis pubsub_sweep_interval{10'000};
};

class RedisSessionStore final : public SessionStore {
 public:
  RedisSessionStore(event_base& base, const Clock& clock, Logger& logger, MetricsRegistry& metrics,
                    const config::StoreConfig& store, const config::SessionConfig& session,
                    RedisStoreOptions options = {});
  ~RedisSessionStore() override = default;
  // Its address is captured by every Redis completion.
  RedisSessionStore(const RedisSessionStore&) = delete;
  RedisSessionStore& operator=(const RedisSessionStore&) = delete;

  CallHandle createSession(SessionRecord record, Callback<Ok> done) override;
  CallHandle completeInitialize(const std::string& id, std::string protocol_version,
                                std::string server_result, Callback<SessionRecord> done) override;
  CallHandle transition(const std::string& id, SessionState to,
                        Callback<SessionRecord> done) override;
  CallHandle getSession(const std::string& id,
                        Callback<std::optional<SessionRecord>> done) override;
  CallHandle lookupForRequest(const std::string& id,
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

  // Connected, handshake done: accepts writes now.
  bool healthy() const override { return connection_.connected(); }
  bool everReachable() const override { return connection_.everConnected(); }
  // Shared by every node: an id it does not know is no live session.
  bool authoritative() const override { return true; }

  // Events appended but not yet acknowledged by Redis.
  size_t bufferedEvents() const noexcept { return outbox_.heldEvents(); }
  const RedisKeys& keys() const noexcept { return keys_; }
  // The pub/sub side (watches, bus), for tests and operations.
  RedisPubSub& pubsub() noexcept { return pubsub_; }

 private:
  template <class T>
  std::pair<CallHandle, Callback<T>> guard(Callback<T> done);

  void readRecord(const std::string& id, Callback<std::optional<SessionRecord>> done);
  void fetchRecord(const std::string& id, Callback<std::optional<SessionRecord>> done);
  // `extra_keys` follow the four session keys, `extra` the common args.
  void moveSession(ScriptId script, const std::string& id, std::vector<std::string> extra_keys,
                   std::vector<std::string> extra, std::string_view to,
                   Callback<SessionRecord> done);
  // Decodes a record reply; blobs gone from Redis are counted and logged.
  Result<std::optional<SessionRecord>> decodeRecord(const RedisReply& reply,
                                                    const std::string& id);
  void sendBatch(const std::string& log, const OutboxBatch& batch,
                 RedisEventOutbox::BatchDone done);
  void flushTouch(const std::string& id);
  // Subscribes the closed-session feed once; vouches count from its first
  // confirmation.
  void startClosedFeed();
  void onConnectionState(bool ready);
  // meta, events; for scripts that write, also starts and the index.
  std::vector<std::string> sessionKeys(const std::string& id, bool writing) const;
  std::vector<std::string> keyList(SessionKeys keys, bool writing) const;
  std::vector<std::string> commonArgs(const std::string& id) const;
  // An error reply as an Error: NOTFOUND and CONFLICT are outcomes, anything
  // else is counted as a Redis failure.
  Error replyError(const RedisReply& reply);
  void assertLoopThread() const noexcept;

  const Clock& clock_;
  Logger& logger_;
  int64_t ttl_ms_;
  std::string maxlen_;
  RedisKeys keys_;
  SessionCache cache_;
  std::string writer_id_;
  std::thread::id loop_thread_;
  config::Millis vouch_max_age_;
  bool vouching_;  // store.cache on: lookups may answer without a read
  bool closed_feed_started_ = false;
  // Nonzero while the closed-session feed is up: a fresh number for every
  // confirmation of its subscription, so vouches from before a loss never count.
  uint64_t closed_feed_epoch_ = 0;
  uint64_t closed_feed_confirmations_ = 0;

  Counter& illegal_transitions_total_;
  Counter& reply_errors_total_;
  Counter& cache_answers_total_;
  Counter& vouched_answers_total_;
  Counter& touches_dropped_total_;
  Counter& dropped_unknown_session_;
  Counter& missing_blobs_total_;

  DeferredQueue queue_;  // answers that need no Redis, and the touch flush
  PerTurnSet touches_;   // this turn's, coalesced per session
  // Scripts and outbox send through the connection, so it is built first.
  // Destruction runs backwards; the connection's destructor fails its
  // pending commands into its own queue, which dies with it undelivered, so
  // no completion (they capture `this`) ever runs during destruction.
  RedisConnection connection_;
  RedisScripts scripts_;
  RedisSessionLister lister_;
  RedisEventOutbox outbox_;
  RedisLeases leases_;
  RedisPubSub pubsub_;  // publishes through connection_, so destroyed before it
};

}  // namespace sidecar::sessionstore
