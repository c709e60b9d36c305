#include "sessionstore/redis_event_outbox.h"

#include <algorithm>
#include <cassert>
#include <memory>
#include <utility>

namespace sidecar::sessionstore {

RedisEventOutbox::RedisEventOutbox(event_base& base, Logger& logger, MetricsRegistry& metrics,
                                   OutboxLimits limits, std::function<bool()> ready, SendBatch send)
    : logger_(logger),
      limits_(limits),
      ready_(std::move(ready)),
      send_(std::move(send)),
      buffered_gauge_(metrics.gauge("sidecar_store_buffered_events",
                                    "Events held in memory until Redis acknowledges them")),
      dropped_buffer_full_(metrics.counter("sidecar_store_events_dropped_total",
                                           "Events the store did not keep",
                                           R"(reason="buffer_full")")),
      dropped_unknown_session_(metrics.counter("sidecar_store_events_dropped_total",
                                               "Events the store did not keep",
                                               R"(reason="unknown_session")")),
      dropped_redis_error_(metrics.counter("sidecar_store_events_dropped_total",
                                           "Events the store did not keep",
                                           R"(reason="redis_error")")),
      queue_(base) {}

RedisEventOutbox::~RedisEventOutbox() {
  // What is still held dies with the process's store; the gauge must not
  // keep counting it (add, not set: a registry may serve two stores).
  buffered_gauge_.add(-static_cast<int64_t>(held_));
  if (held_ > 0) logger_.warn("store", "store_events_unsent_at_shutdown", {{"count", held_}});
}

std::string_view RedisEventOutbox::logCtx(const std::string& id) {
  return id.empty() ? std::string_view("sessionless") : std::string_view(id);
}

void RedisEventOutbox::append(const std::string& id, std::vector<EventRecord> events) {
  if (events.empty()) return;
  size_t accept = events.size();
  if (!ready_()) {
    const size_t room = held_ >= limits_.buffer_events ? 0 : limits_.buffer_events - held_;
    accept = std::min(accept, room);
  }
  if (accept < events.size()) dropForSpace(id, events.size() - accept);
  if (accept == 0) return;

  Log& log = logs_[id];
  for (size_t i = 0; i < accept; ++i) log.waiting.push_back(std::move(events[i]));
  log.enqueued += accept;
  held_ += accept;
  buffered_gauge_.add(static_cast<int64_t>(accept));
  if (!log.dirty) {
    log.dirty = true;
    // One flush per loop turn: whatever this turn appends to a log leaves
    // in one script call.
    if (dirty_.empty()) queue_.post([this] { flushDirty(); });
    dirty_.push_back(id);
  }
}

void RedisEventOutbox::dropForSpace(const std::string& id, size_t events) {
  dropped_buffer_full_.inc(events);
  if (reported_full_) return;  // the counter tracks the volume from here on
  reported_full_ = true;
  logger_.warn(
      logCtx(id), "store_events_dropped",
      {{"reason", "buffer_full"}, {"count", events}, {"buffer_events", limits_.buffer_events}});
}

void RedisEventOutbox::flushDirty() {
  std::vector<std::string> dirty;
  dirty.swap(dirty_);
  for (const auto& id : dirty) {
    auto it = logs_.find(id);
    if (it == logs_.end()) continue;
    it->second.dirty = false;
    trySend(id, it->second);
  }
}

void RedisEventOutbox::trySend(const std::string& id, Log& log) {
  if (log.in_flight || !ready_()) return;
  if (!log.batch) {
    if (log.waiting.empty()) return;
    OutboxBatch batch;
    batch.number = ++last_batch_;
    size_t bytes = 0;
    while (!log.waiting.empty() && batch.events.size() < limits_.max_batch_events) {
      const size_t size = log.waiting.front().message.size();
      if (!batch.events.empty() && bytes + size > limits_.max_batch_bytes) break;
      bytes += size;
      batch.events.push_back(std::move(log.waiting.front()));
      log.waiting.pop_front();
    }
    log.batch = std::move(batch);
  }
  log.in_flight = true;
  send_(id, *log.batch, [this, id](BatchOutcome outcome) { onBatchDone(id, outcome); });
}

void RedisEventOutbox::onBatchDone(const std::string& id, BatchOutcome outcome) {
  auto it = logs_.find(id);
  assert(it != logs_.end() && it->second.in_flight && it->second.batch);
  Log& log = it->second;
  log.in_flight = false;
  const size_t count = log.batch->events.size();
  switch (outcome) {
    case BatchOutcome::kApplied:
      break;
    case BatchOutcome::kUnknownSession:
      // Not a loss the operator can fix: the session expired or never was.
      dropped_unknown_session_.inc(count);
      logger_.warn(logCtx(id), "store_events_dropped",
                   {{"reason", "unknown_session"}, {"count", count}});
      break;
    case BatchOutcome::kFailed:
      dropped_redis_error_.inc(count);
      logger_.error(logCtx(id), "store_events_dropped",
                    {{"reason", "redis_error"}, {"count", count}});
      break;
    case BatchOutcome::kRetry:
      break;  // kept as is; resent first once connected
  }
  if (outcome != BatchOutcome::kRetry) {
    log.batch.reset();
    settle(log, count);
  }
  trySend(id, log);

  // Run due reads last, after our own bookkeeping: they may call back in.
  std::vector<std::function<void()>> due;
  auto keep = std::partition(log.barriers.begin(), log.barriers.end(),
                             [&](const Barrier& b) { return b.target > log.settled; });
  for (auto b = keep; b != log.barriers.end(); ++b) due.push_back(std::move(b->action));
  log.barriers.erase(keep, log.barriers.end());
  if (!log.batch && log.waiting.empty() && log.barriers.empty() && !log.dirty) logs_.erase(it);
  for (auto& action : due) action();
}

void RedisEventOutbox::settle(Log& log, size_t events) {
  log.settled += events;
  held_ -= events;
  buffered_gauge_.add(-static_cast<int64_t>(events));
}

bool RedisEventOutbox::hasPending(const std::string& id) const {
  auto it = logs_.find(id);
  return it != logs_.end() && it->second.settled < it->second.enqueued;
}

void RedisEventOutbox::whenSettled(const std::string& id, std::function<void()> action) {
  auto it = logs_.find(id);
  if (!ready_() || it == logs_.end() || it->second.settled >= it->second.enqueued) {
    action();
    return;
  }
  Log& log = it->second;
  log.barriers.push_back(Barrier{log.enqueued, std::move(action)});
  trySend(id, log);  // the read waits on this turn's appends: send them now
}

void RedisEventOutbox::whenAllSettled(std::function<void()> action) {
  std::vector<std::string> pending;
  if (ready_()) {
    for (const auto& [id, log] : logs_) {
      if (log.settled < log.enqueued) pending.push_back(id);
    }
  }
  if (pending.empty()) {
    action();
    return;
  }
  struct Countdown {
    size_t left;
    std::function<void()> action;
  };
  auto countdown = std::make_shared<Countdown>(Countdown{pending.size(), std::move(action)});
  for (const auto& id : pending) {
    whenSettled(id, [countdown] {
      if (--countdown->left == 0) countdown->action();
    });
  }
}

void RedisEventOutbox::onReady() {
  reported_full_ = false;  // a new outage gets its own log line
  for (auto& [id, log] : logs_) trySend(id, log);
}

void RedisEventOutbox::onLost() {
  std::vector<std::function<void()>> released;
  for (auto it = logs_.begin(); it != logs_.end();) {
    Log& log = it->second;
    for (auto& barrier : log.barriers) released.push_back(std::move(barrier.action));
    log.barriers.clear();
    if (!log.batch && log.waiting.empty() && !log.dirty) {
      it = logs_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& action : released) action();
}

}  // namespace sidecar::sessionstore
