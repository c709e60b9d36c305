#include "sessionstore/memory_session_store.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "sessionstore/session_state_machine.h"

namespace sidecar::sessionstore {
namespace {

constexpr std::string_view kStoreCtx = "store";
constexpr std::string_view kSessionlessCtx = "sessionless";

timeval toTimeval(config::Millis ms) {
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(ms.count() / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((ms.count() % 1000) * 1000);
  return tv;
}

Error unknownSession(const std::string& id) {
  return makeError(ErrorCode::kNotFound, fmt::format("unknown session {}", id));
}

}  // namespace

MemoryStoreLimits MemoryStoreLimits::fromConfig(const config::StoreConfig& store,
                                                const config::SessionConfig& session) {
  MemoryStoreLimits limits;
  limits.idle_ttl = session.idle_ttl;
  limits.max_events_per_session = store.memory_max_events_per_session;
  limits.max_sessionless_events = store.memory_max_sessionless_events;
  return limits;
}

MemorySessionStore::MemorySessionStore(event_base& base, const Clock& clock, Logger& logger,
                                       MetricsRegistry& metrics, MemoryStoreLimits limits)
    : clock_(clock),
      logger_(logger),
      limits_(limits),
      queue_(base),
      pubsub_(queue_),
      loop_thread_(std::this_thread::get_id()),
      sessionless_(limits.max_sessionless_events),
      sessions_gauge_(metrics.gauge("sidecar_store_sessions", "Sessions currently held by the store")),
      expired_total_(metrics.counter("sidecar_store_sessions_expired_total",
                                     "Sessions freed after their idle TTL")),
      illegal_transitions_total_(metrics.counter("sidecar_store_illegal_transitions_total",
                                                 "Session state transitions refused as illegal")),
      dropped_unknown_session_(metrics.counter("sidecar_store_events_dropped_total",
                                               "Events the store did not keep",
                                               R"(reason="unknown_session")")),
      dropped_log_full_(metrics.counter("sidecar_store_events_dropped_total",
                                        "Events the store did not keep", R"(reason="log_full")")) {
  if (limits_.sweep_interval.count() > 0) {
    sweep_timer_.reset(event_new(&base, -1, EV_PERSIST, &MemorySessionStore::onSweepTimer, this));
    if (!sweep_timer_) std::abort();  // out of memory at start-up: nothing sensible to do
    const timeval interval = toTimeval(limits_.sweep_interval);
    event_add(sweep_timer_.get(), &interval);
  }
}

MemorySessionStore::~MemorySessionStore() {
  // add(), not set(): the gauge stays right if a registry ever serves two stores.
  sessions_gauge_.add(-static_cast<int64_t>(sessions_.size()));
}

void MemorySessionStore::onSweepTimer(evutil_socket_t, short, void* arg) noexcept {
  static_cast<MemorySessionStore*>(arg)->sweepExpired();
}

void MemorySessionStore::assertLoopThread() const noexcept {
  assert(std::this_thread::get_id() == loop_thread_ && "store used off its event-loop thread");
}

template <class T>
CallHandle MemorySessionStore::answer(Callback<T> done, Result<T> result) {
  // The task holds only the cancel state, the callback and the answer, never
  // `this`, so it is safe whatever happens to the requester in the meantime.
  auto state = std::make_shared<CancelState>();
  queue_.post([guarded = guardCompletion(state, std::move(done)),
               result = std::move(result)]() mutable { guarded(std::move(result)); });
  return CallHandle(std::move(state));
}

CallHandle MemorySessionStore::createSession(SessionRecord record, Callback<Ok> done) {
  assertLoopThread();
  if (record.id.empty()) {
    return answer<Ok>(std::move(done), makeError(ErrorCode::kInvalidArgument, "empty session id"));
  }
  if (findLive(record.id) != nullptr) {
    return answer<Ok>(std::move(done), makeError(ErrorCode::kConflict,
                                                 fmt::format("session {} exists", record.id)));
  }
  if (record.created_unix_ms == 0) record.created_unix_ms = clock_.nowUnixMs();
  record.event_count = 0;
  std::string id = record.id;
  auto [it, inserted] = sessions_.try_emplace(
      std::move(id),
      Entry{std::move(record), EventLog(limits_.max_events_per_session), 0, {}, false, {}, {}});
  assert(inserted);
  Entry& entry = it->second;
  entry.idle_pos = idle_order_.insert(idle_order_.end(), it->first);
  refresh(entry);
  sessions_gauge_.add(1);
  return answer<Ok>(std::move(done), Ok{});
}

CallHandle MemorySessionStore::completeInitialize(const std::string& id,
                                                  std::string protocol_version,
                                                  std::string server_result,
                                                  Callback<SessionRecord> done) {
  assertLoopThread();
  Entry* entry = findLive(id);
  if (entry == nullptr) return answer<SessionRecord>(std::move(done), unknownSession(id));
  // The table admits INITIALIZED only from INITIALIZING, so this is the
  // "only once, only first" rule without a second copy of the diagram.
  if (!isLegalTransition(entry->record.state, SessionState::kInitialized)) {
    return answer<SessionRecord>(std::move(done),
                                 refuseTransition(*entry, SessionState::kInitialized,
                                                  "completeInitialize"));
  }
  entry->record.state = SessionState::kInitialized;
  entry->record.protocol_version = std::move(protocol_version);
  entry->record.server_result = std::move(server_result);
  refresh(*entry);
  return answer<SessionRecord>(std::move(done), snapshot(*entry));
}

CallHandle MemorySessionStore::transition(const std::string& id, SessionState to,
                                          Callback<SessionRecord> done) {
  assertLoopThread();
  Entry* entry = findLive(id);
  if (entry == nullptr) return answer<SessionRecord>(std::move(done), unknownSession(id));
  if (!isLegalTransition(entry->record.state, to)) {
    return answer<SessionRecord>(std::move(done), refuseTransition(*entry, to, "transition"));
  }
  entry->record.state = to;
  refresh(*entry);
  return answer<SessionRecord>(std::move(done), snapshot(*entry));
}

CallHandle MemorySessionStore::getSession(const std::string& id,
                                          Callback<std::optional<SessionRecord>> done) {
  assertLoopThread();
  std::optional<SessionRecord> found;
  if (const Entry* entry = findLive(id)) found = snapshot(*entry);
  return answer<std::optional<SessionRecord>>(std::move(done), std::move(found));
}

CallHandle MemorySessionStore::listSessions(Callback<std::vector<SessionRecord>> done) {
  assertLoopThread();
  sweepExpired();
  std::vector<SessionRecord> records;
  records.reserve(sessions_.size());
  for (const auto& [id, entry] : sessions_) records.push_back(snapshot(entry));
  // Hash order would change between calls; admin output should not.
  std::sort(records.begin(), records.end(), [](const SessionRecord& a, const SessionRecord& b) {
    return a.created_unix_ms != b.created_unix_ms ? a.created_unix_ms < b.created_unix_ms
                                                  : a.id < b.id;
  });
  return answer<std::vector<SessionRecord>>(std::move(done), std::move(records));
}

CallHandle MemorySessionStore::readEvents(const std::string& id, uint64_t after_seq, size_t limit,
                                          Callback<EventPage> done) {
  assertLoopThread();
  const Entry* entry = findLive(id);
  if (entry == nullptr) return answer<EventPage>(std::move(done), unknownSession(id));
  return answer<EventPage>(std::move(done), entry->events.read(after_seq, limit));
}

CallHandle MemorySessionStore::readSessionlessEvents(uint64_t after_seq, size_t limit,
                                                     Callback<EventPage> done) {
  assertLoopThread();
  return answer<EventPage>(std::move(done), sessionless_.read(after_seq, limit));
}

void MemorySessionStore::touch(const std::string& id) {
  assertLoopThread();
  if (Entry* entry = findLive(id)) {
    refresh(*entry);
  } else {
    // Not a loss: the proxy refuses requests for unknown sessions anyway.
    logger_.debug(id, "store_touch_unknown_session");
  }
}

void MemorySessionStore::appendEvents(const std::string& id, std::vector<EventRecord> events) {
  assertLoopThread();
  Entry* entry = findLive(id);
  if (entry == nullptr) {
    if (events.empty()) return;
    dropped_unknown_session_.inc(events.size());
    logger_.warn(id, "store_events_dropped", {{"reason", "unknown_session"},
                                              {"count", events.size()}});
    return;
  }
  refresh(*entry);
  // Posted, so watchers run on a later turn with these events in the log.
  if (!events.empty()) pubsub_.wake(id);
  const int64_t now = clock_.nowUnixMs();
  size_t dropped = 0;
  for (auto& event : events) {
    entry->stream_starts.note(event.stream_id, event.stream_seq, entry->events.lastSeq());
    dropped += entry->events.append(std::move(event), now);
  }
  if (dropped == 0) return;
  entry->stream_starts.forgetBefore(entry->events.firstSeq());
  dropped_log_full_.inc(dropped);
  // Once per session: a full log drops on every append from then on, and
  // the counter already tracks the volume.
  if (!entry->reported_full) {
    entry->reported_full = true;
    logger_.warn(id, "store_events_dropped", {{"reason", "log_full"},
                                              {"max_events", limits_.max_events_per_session}});
  }
}

void MemorySessionStore::appendSessionlessEvents(std::vector<EventRecord> events) {
  assertLoopThread();
  const int64_t now = clock_.nowUnixMs();
  size_t dropped = 0;
  for (auto& event : events) dropped += sessionless_.append(std::move(event), now);
  if (dropped == 0) return;
  dropped_log_full_.inc(dropped);
  if (!sessionless_reported_full_) {
    sessionless_reported_full_ = true;
    logger_.warn(kSessionlessCtx, "store_events_dropped",
                 {{"reason", "log_full"}, {"max_events", limits_.max_sessionless_events}});
  }
}

// ---- streams, leases, watches, bus -----------------------------------------

CallHandle MemorySessionStore::streamStart(const std::string& id, const std::string& stream_id,
                                           Callback<std::optional<uint64_t>> done) {
  assertLoopThread();
  std::optional<uint64_t> start;
  if (const Entry* entry = findLive(id)) {
    start = entry->stream_starts.find(stream_id);
  }
  return answer<std::optional<uint64_t>>(std::move(done), start);
}

Subscription MemorySessionStore::watchSession(const std::string& id, std::function<void()> wake) {
  assertLoopThread();
  return pubsub_.watch(id, std::move(wake));
}

void MemorySessionStore::putLease(const std::string& id, const std::string& name,
                                  std::string holder, std::chrono::milliseconds ttl) {
  assertLoopThread();
  Entry* entry = findLive(id);
  if (entry == nullptr) {
    // Leases live in their session's entry: without one there is nothing to hold.
    logger_.debug(id, "store_lease_unknown_session", {{"lease", name}});
    return;
  }
  // At least 1 ms, as the Redis store must (PX 0 is refused there).
  const int64_t ttl_ms = std::max<int64_t>(ttl.count(), 1);
  entry->leases[name] = Lease{std::move(holder), clock_.monotonicMs() + ttl_ms};
}

CallHandle MemorySessionStore::readLease(const std::string& id, const std::string& name,
                                         Callback<std::optional<std::string>> done) {
  assertLoopThread();
  std::optional<std::string> holder;
  if (Entry* entry = findLive(id)) {
    auto it = entry->leases.find(name);
    if (it != entry->leases.end()) {
      // Lapsed at exactly its TTL, as a Redis PX key is.
      if (clock_.monotonicMs() < it->second.expires_mono_ms) {
        holder = it->second.holder;
      } else {
        entry->leases.erase(it);
      }
    }
  }
  return answer<std::optional<std::string>>(std::move(done), std::move(holder));
}

void MemorySessionStore::publish(std::string message) {
  assertLoopThread();
  pubsub_.publish(std::move(message));
}

Subscription MemorySessionStore::subscribe(std::function<void(std::string_view)> on_message) {
  assertLoopThread();
  return pubsub_.subscribe(std::move(on_message));
}

// ---- expiry ------------------------------------------------------------------

size_t MemorySessionStore::sweepExpired() {
  const int64_t now = clock_.monotonicMs();
  size_t freed = 0;
  while (!idle_order_.empty()) {
    auto it = sessions_.find(idle_order_.front());
    assert(it != sessions_.end());
    if (!isExpired(it->second, now)) break;  // everything after it was refreshed later
    erase(it);
    ++freed;
  }
  pubsub_.prune();
  if (freed > 0) {
    expired_total_.inc(freed);
    logger_.info(kStoreCtx, "store_sessions_expired",
                 {{"count", freed}, {"remaining", sessions_.size()}});
  }
  return freed;
}

MemorySessionStore::Entry* MemorySessionStore::findLive(const std::string& id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return nullptr;
  if (isExpired(it->second, clock_.monotonicMs())) {
    logger_.debug(id, "store_session_expired");
    expired_total_.inc();
    erase(it);
    return nullptr;
  }
  return &it->second;
}

bool MemorySessionStore::isExpired(const Entry& entry, int64_t now_mono_ms) const noexcept {
  // Expired at exactly idle_ttl, as a Redis PEXPIRE key is, so both stores agree.
  return now_mono_ms - entry.last_seen_mono_ms >= limits_.idle_ttl.count();
}

void MemorySessionStore::refresh(Entry& entry) {
  entry.last_seen_mono_ms = clock_.monotonicMs();
  entry.record.last_seen_unix_ms = clock_.nowUnixMs();
  idle_order_.splice(idle_order_.end(), idle_order_, entry.idle_pos);
}

void MemorySessionStore::erase(Sessions::iterator it) {
  idle_order_.erase(it->second.idle_pos);
  sessions_.erase(it);
  sessions_gauge_.add(-1);
}

SessionRecord MemorySessionStore::snapshot(const Entry& entry) const {
  SessionRecord record = entry.record;
  record.event_count = entry.events.size();
  return record;
}

Error MemorySessionStore::refuseTransition(const Entry& entry, SessionState to,
                                           std::string_view operation) {
  illegal_transitions_total_.inc();
  logger_.warn(entry.record.id, "store_illegal_transition",
               {{"op", operation},
                {"from", sessionStateName(entry.record.state)},
                {"to", sessionStateName(to)}});
  return makeError(ErrorCode::kConflict,
                   fmt::format("illegal transition {} -> {} for session {}",
                               sessionStateName(entry.record.state), sessionStateName(to),
                               entry.record.id));
}

}  // namespace sidecar::sessionstore
