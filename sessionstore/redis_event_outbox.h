#pragma once
// RedisEventOutbox: the write path of appendEvents for the Redis store.
// Events of one log (a session's, or "" for the sessionless log) wait here
// in order until Redis acknowledges them:
//
//   append -> waiting -> (next loop turn) one batch per log -> Redis -> settled
//                 ^                                   | retry (outcome unknown)
//                 +-----------------------------------+
//
// - At most one batch per log is in flight, so a log's events reach Redis
//   in append order whatever fails; different logs proceed in parallel.
// - A batch whose outcome is unknown (connection lost, deadline passed) is
//   resent unchanged, with the same number, before anything newer of its
//   log; the append script skips numbers it has applied, so a resend never
//   duplicates events.
// - While Redis is unreachable the events held (waiting or in flight) are
//   bounded by buffer_events; what does not fit is dropped, counted
//   (sidecar_store_events_dropped_total{reason="buffer_full"}) and logged
//   once per outage. Events accepted while connected are never dropped for
//   space, so the bound can be exceeded by what a dropped connection held.
// - whenSettled() delays a read of a log until every event appended before
//   it is settled, so a node reads its own writes; an outage releases such
//   reads at once (they then fail fast rather than wait for Redis).
//
// Owned by RedisSessionStore. SendBatch must answer exactly once, on a
// later loop turn. Per-turn flushes run on an internal DeferredQueue.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/deferred_queue.h"
#include "common/logger.h"
#include "common/metrics.h"
#include "sessionstore/session.h"

namespace sidecar::sessionstore {

enum class BatchOutcome {
  kApplied,         // stored (or found already stored: a resend)
  kUnknownSession,  // the session's meta does not exist: dropped, counted
  kRetry,           // outcome unknown or not attempted: resend when connected
  kFailed,          // refused by Redis for another reason: dropped, counted
};

struct OutboxBatch {
  uint64_t number = 0;  // increasing per writer, kept across resends
  std::vector<EventRecord> events;
};

struct OutboxLimits {
  size_t buffer_events = 100'000;
  size_t max_batch_events = 512;
  size_t max_batch_bytes = 1 << 20;  // message bytes; one event always fits
};

class RedisEventOutbox {
 public:
  using BatchDone = std::function<void(BatchOutcome)>;
  using SendBatch =
      std::function<void(const std::string& log, const OutboxBatch& batch, BatchDone done)>;

  RedisEventOutbox(event_base& base, Logger& logger, MetricsRegistry& metrics, OutboxLimits limits,
                   std::function<bool()> ready, SendBatch send);
  ~RedisEventOutbox();
  // The flush task captures `this`.
  RedisEventOutbox(const RedisEventOutbox&) = delete;
  RedisEventOutbox& operator=(const RedisEventOutbox&) = delete;

  // Events must already carry their timestamps; seq is assigned by Redis.
  void append(const std::string& log, std::vector<EventRecord> events);
  // Runs `action` once every event appended to `log` so far is settled, or
  // at once when there are none or Redis is unreachable. May run inside.
  void whenSettled(const std::string& log, std::function<void()> action);
  void whenAllSettled(std::function<void()> action);
  // Whether `log` holds events not yet acknowledged.
  bool hasPending(const std::string& log) const;

  void onReady();  // sends everything held, oldest batch of each log first
  void onLost();   // releases waiting reads

  size_t heldEvents() const noexcept { return held_; }

 private:
  struct Barrier {
    uint64_t target = 0;  // settled count at which it runs
    std::function<void()> action;
  };
  struct Log {
    std::deque<EventRecord> waiting;
    std::optional<OutboxBatch> batch;  // in flight, or answered kRetry
    bool in_flight = false;
    bool dirty = false;
    uint64_t enqueued = 0;
    uint64_t settled = 0;
    std::vector<Barrier> barriers;
  };

  void flushDirty();
  void trySend(const std::string& id, Log& log);
  void onBatchDone(const std::string& id, BatchOutcome outcome);
  void settle(Log& log, size_t events);
  void dropForSpace(const std::string& id, size_t events);
  static std::string_view logCtx(const std::string& id);

  Logger& logger_;
  OutboxLimits limits_;
  std::function<bool()> ready_;
  SendBatch send_;

  std::unordered_map<std::string, Log> logs_;
  std::vector<std::string> dirty_;
  uint64_t last_batch_ = 0;
  size_t held_ = 0;
  bool reported_full_ = false;  // buffer_full logged once per outage

  Gauge& buffered_gauge_;
  Counter& dropped_buffer_full_;
  Counter& dropped_unknown_session_;
  Counter& dropped_redis_error_;

  DeferredQueue queue_;  // last: its pending flush dies first
};

}  // namespace sidecar::sessionstore
