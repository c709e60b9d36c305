#include "sessionstore/redis_session_store.h"

#include <algorithm>
#include <cassert>
#include <memory>
#include <random>
#include <utility>

#include <fmt/format.h>

#include "sessionstore/redis_codec.h"

namespace sidecar::sessionstore {
namespace {

constexpr std::string_view kCtx = "store";

std::string randomWriterId() {
  std::random_device device;
  return fmt::format("{:08x}{:08x}", device(), device());
}

// Entry ids are "<seq>-0", so "after after_seq" is the exclusive range start
// "(<after_seq>" (Redis >= 6.2): exactly the entries with seq > after_seq,
// with no after_seq + 1 to overflow.
std::string afterSeqStart(uint64_t after_seq) {
  std::string start = "(";
  start.append(std::to_string(after_seq));
  return start;
}

}  // namespace

RedisSessionStore::RedisSessionStore(event_base& base, const Clock& clock, Logger& logger,
                                     MetricsRegistry& metrics, const config::StoreConfig& store,
                                     const config::SessionConfig& session,
                                     RedisStoreOptions options)
    : clock_(clock),
      logger_(logger),
      ttl_ms_(std::max<int64_t>(session.idle_ttl.count(), 1)),
      maxlen_(std::to_string(std::max<size_t>(store.redis.stream_maxlen, 1))),
      keys_(store.redis.prefix),
      cache_(store.cache, clock),
      writer_id_(randomWriterId()),
      loop_thread_(std::this_thread::get_id()),
      vouch_max_age_(std::min<config::Millis>(store.cache.ttl, config::Millis(ttl_ms_ / 2))),
      vouching_(store.cache.enabled && store.cache.max_entries > 0),
      illegal_transitions_total_(metrics.counter("sidecar_store_illegal_transitions_total",
                                                 "Session state transitions refused as illegal")),
      reply_errors_total_(metrics.counter("sidecar_redis_command_errors_total",
                                          "Redis commands that failed, by kind",
                                          R"(kind="reply")")),
      cache_answers_total_(metrics.counter("sidecar_store_cache_answers_total",
                                           "getSession answered from the local cache because "
                                           "Redis could not answer")),
      vouched_answers_total_(metrics.counter(
          "sidecar_store_vouched_lookups_total",
          "Requests admitted from a record this node's own writes confirmed, without a Redis read")),
      touches_dropped_total_(metrics.counter("sidecar_store_touches_dropped_total",
                                             "Touches not sent because Redis was unreachable")),
      dropped_unknown_session_(metrics.counter("sidecar_store_events_dropped_total",
                                               "Events the store did not keep",
                                               R"(reason="unknown_session")")),
      missing_blobs_total_(metrics.counter(kMissingBlobsMetric, kMissingBlobsHelp)),
      queue_(base),
      touches_(queue_, [this](const std::string& id) { flushTouch(id); }),
      connection_(base, clock, logger, metrics, RedisEndpoint::fromConfig(store.redis),
                  options.connection),
      scripts_(connection_, metrics),
      lister_(clock, metrics, connection_, scripts_, keys_, cache_, options.index_prune_interval),
      outbox_(
          base, logger, metrics,
          OutboxLimits{store.redis.buffer_events, std::max<size_t>(options.max_batch_events, 1),
                       OutboxLimits{}.max_batch_bytes},
          [this] { return connection_.connected(); },
          [this](const std::string& log, const OutboxBatch& batch,
                 RedisEventOutbox::BatchDone done) { sendBatch(log, batch, std::move(done)); }),
      leases_(logger, metrics, connection_, keys_),
      pubsub_(base, logger, metrics, connection_, keys_, RedisEndpoint::fromConfig(store.redis),
              options.connection, options.pubsub_sweep_interval) {
  if (keys_.prefix().find_first_of("{}") != std::string::npos) {
    logger_.warn(kCtx, "redis_prefix_has_braces",
                 {{"prefix", keys_.prefix()}, {"effect", "every key hashes to one cluster slot"}});
  }
  connection_.setSetupCommands(scripts_.loadCommands());
  connection_.setStateListener([this](bool ready) { onConnectionState(ready); });
  connection_.start();
}

void RedisSessionStore::assertLoopThread() const noexcept {
  assert(std::this_thread::get_id() == loop_thread_ && "store used off its event-loop thread");
}

template <class T>
std::pair<CallHandle, SessionStore::Callback<T>> RedisSessionStore::guard(Callback<T> done) {
  // Completions hold the cancel state, never the requester.
  auto state = std::make_shared<CancelState>();
  Callback<T> guarded = guardCompletion(state, std::move(done));
  return {CallHandle(std::move(state)), std::move(guarded)};
}

std::vector<std::string> RedisSessionStore::sessionKeys(const std::string& id,
                                                        bool writing) const {
  return keyList(keys_.session(id), writing);
}

std::vector<std::string> RedisSessionStore::keyList(SessionKeys keys, bool writing) const {
  std::vector<std::string> out{std::move(keys.meta), std::move(keys.events)};
  if (writing) {
    out.push_back(std::move(keys.starts));
    out.push_back(keys_.index());
  }
  return out;
}

std::vector<std::string> RedisSessionStore::commonArgs(const std::string& id) const {
  return {id, std::to_string(clock_.nowUnixMs()), std::to_string(ttl_ms_)};
}

Result<std::optional<SessionRecord>> RedisSessionStore::decodeRecord(const RedisReply& reply,
                                                                    const std::string& id) {
  uint64_t missing = 0;
  auto record = decodeRecordReply(reply, id, &missing);
  if (missing > 0) {
    missing_blobs_total_.inc(missing);
    logger_.warn(id, "store_session_blob_missing", {{"count", missing}});
  }
  return record;
}

Error RedisSessionStore::replyError(const RedisReply& reply) {
  Error error = errorFromReply(reply);
  if (error.code == ErrorCode::kInternal) reply_errors_total_.inc();
  return error;
}

void RedisSessionStore::onConnectionState(bool ready) {
  if (ready) {
    outbox_.onReady();
    pubsub_.onPublisherReady();
  } else {
    outbox_.onLost();
  }
}

// ---- session records ---------------------------------------------------------

CallHandle RedisSessionStore::createSession(SessionRecord record, Callback<Ok> done) {
  assertLoopThread();
  auto [handle, cb] = guard(std::move(done));
  if (record.id.empty()) {
    queue_.post([cb = std::move(cb)]() mutable {
      cb(makeError(ErrorCode::kInvalidArgument, "empty session id"));
    });
    return std::move(handle);
  }
  const int64_t now = clock_.nowUnixMs();
  if (record.created_unix_ms == 0) record.created_unix_ms = now;
  record.last_seen_unix_ms = now;
  record.event_count = 0;
  std::string client_params_ref = blobRef(record.client_params);
  std::string server_result_ref = blobRef(record.server_result);
  std::vector<std::string> keys = sessionKeys(record.id, true);
  keys.push_back(keys_.blob(client_params_ref));
  keys.push_back(keys_.blob(server_result_ref));
  std::vector<std::string> args = commonArgs(record.id);
  for (auto& arg :
       encodeCreateArgs(record, std::move(client_params_ref), std::move(server_result_ref))) {
    args.push_back(std::move(arg));
  }
  // Keys and args are built before the call: the completion takes `record`.
  scripts_.run(
      ScriptId::kCreate, std::move(keys), std::move(args),
      [this, record = std::move(record), cb = std::move(cb)](Result<RedisReply> r) mutable {
        if (!r.ok()) return cb(r.error());
        if (r.value().isError()) return cb(replyError(r.value()));
        cache_.put(record);
        cb(Ok{});
      });
  return std::move(handle);
}

CallHandle RedisSessionStore::completeInitialize(const std::string& id,
                                                 std::string protocol_version,
                                                 std::string server_result,
                                                 Callback<SessionRecord> done) {
  assertLoopThread();
  auto [handle, cb] = guard(std::move(done));
  std::string ref = blobRef(server_result);
  std::vector<std::string> blob_keys{keys_.blob(ref)};
  moveSession(ScriptId::kCompleteInitialize, id, std::move(blob_keys),
              {std::move(protocol_version), std::move(server_result), std::move(ref)},
              sessionStateName(SessionState::kInitialized), std::move(cb));
  return std::move(handle);
}

CallHandle RedisSessionStore::transition(const std::string& id, SessionState to,
                                         Callback<SessionRecord> done) {
  assertLoopThread();
  auto [handle, cb] = guard(std::move(done));
  moveSession(ScriptId::kTransition, id, {}, {sessionStateName(to)}, sessionStateName(to),
              std::move(cb));
  return std::move(handle);
}

void RedisSessionStore::moveSession(ScriptId script, const std::string& id,
                                    std::vector<std::string> extra_keys,
                                    std::vector<std::string> extra, std::string_view to,
                                    Callback<SessionRecord> done) {
  std::vector<std::string> keys = sessionKeys(id, true);
  for (auto& key : extra_keys) keys.push_back(std::move(key));
  std::vector<std::string> args = commonArgs(id);
  for (auto& arg : extra) args.push_back(std::move(arg));
  // Requests wait for Redis while the state changes, as they did before the
  // cache could answer them.
  cache_.unvouch(id);
  const uint64_t epoch = closed_feed_epoch_;
  scripts_.run(script, std::move(keys), std::move(args),
               [this, id, to, script, epoch, done = std::move(done)](Result<RedisReply> r) mutable {
                 if (!r.ok()) return done(r.error());
                 if (r.value().isError()) {
                   Error error = replyError(r.value());
                   if (error.code == ErrorCode::kNotFound) cache_.erase(id);
                   if (error.code == ErrorCode::kConflict) {
                     illegal_transitions_total_.inc();
                     logger_.warn(
                         id, "store_illegal_transition",
                         {{"op", scriptName(script)}, {"to", to}, {"error", error.message}});
                   }
                   return done(std::move(error));
                 }
                 auto record = decodeRecord(r.value(), id);
                 if (!record.ok()) return done(record.error());
                 if (!record.value()) {
                   return done(makeError(ErrorCode::kNotFound, "unknown session " + id));
                 }
                 cache_.put(*record.value());
                 cache_.vouch(id, epoch);
                 done(std::move(*record.value()));
               });
}

CallHandle RedisSessionStore::getSession(const std::string& id,
                                         Callback<std::optional<SessionRecord>> done) {
  assertLoopThread();
  auto [handle, cb] = guard(std::move(done));
  readRecord(id, std::move(cb));
  return std::move(handle);
}

void RedisSessionStore::readRecord(const std::string& id,
                                   Callback<std::optional<SessionRecord>> done) {
  // After this node's earlier appends to the session: a node reads its own writes.
  outbox_.whenSettled(
      id, [this, id, done = std::move(done)]() mutable { fetchRecord(id, std::move(done)); });
}

void RedisSessionStore::fetchRecord(const std::string& id,
                                    Callback<std::optional<SessionRecord>> done) {
  // The rule: while Redis can answer, Redis answers — the cache is never
  // consulted first, so a session closed (or expired) through another node
  // is never served here. Only when Redis cannot answer (unreachable, or the
  // deadline passed) does a recently confirmed cached record stand in, so
  // sessions this node already serves keep working through an outage.
  scripts_.run(
      ScriptId::kGet, sessionKeys(id, false), {id},
      [this, id, done = std::move(done)](Result<RedisReply> r) mutable {
        if (!r.ok()) {
          if (auto cached = cache_.get(id)) {
            cache_answers_total_.inc();
            logger_.debug(id, "store_answered_from_cache", {{"redis_error", r.error().message}});
            return done(std::move(cached));
          }
          return done(r.error());
        }
        if (r.value().isError()) return done(replyError(r.value()));
        auto record = decodeRecord(r.value(), id);
        if (!record.ok()) return done(record.error());
        if (record.value()) {
          cache_.put(*record.value());
        } else {
          cache_.erase(id);
        }
        done(std::move(record).value());
      });
}

CallHandle RedisSessionStore::lookupForRequest(const std::string& id,
                                               Callback<std::optional<SessionRecord>> done) {
  assertLoopThread();
  if (!vouching_) return getSession(id, std::move(done));
  startClosedFeed();
  if (!cache_.vouched(id, closed_feed_epoch_, vouch_max_age_)) return getSession(id, std::move(done));
  // No read: this node's own writes keep the record current, and a close
  // anywhere reaches the cache through the feed (see the header).
  auto [handle, cb] = guard(std::move(done));
  queue_.post([this, id, cb = std::move(cb)]() mutable {
    // Asked again on the next loop turn, after I/O was polled: a close
    // published before this request arrived has reached the cache by now.
    if (auto record = cache_.vouched(id, closed_feed_epoch_, vouch_max_age_)) {
      vouched_answers_total_.inc();
      return cb(std::move(record));
    }
    readRecord(id, std::move(cb));
  });
  return std::move(handle);
}

void RedisSessionStore::startClosedFeed() {
  if (closed_feed_started_) return;
  closed_feed_started_ = true;
  pubsub_.feedClosures([this](std::string_view id) { cache_.closed(std::string(id)); },
                       [this](bool live) {
                         closed_feed_epoch_ = live ? ++closed_feed_confirmations_ : 0;
                       });
}

CallHandle RedisSessionStore::listSessions(Callback<std::vector<SessionRecord>> done) {
  assertLoopThread();
  auto [handle, cb] = guard(std::move(done));
  outbox_.whenAllSettled([this, cb = std::move(cb)]() mutable { lister_.list(std::move(cb)); });
  return std::move(handle);
}

// ---- events ------------------------------------------------------------------

CallHandle RedisSessionStore::readEvents(const std::string& id, uint64_t after_seq, size_t limit,
                                         Callback<EventPage> done) {
  assertLoopThread();
  auto [handle, cb] = guard(std::move(done));
  outbox_.whenSettled(id, [this, id, after_seq, limit, cb = std::move(cb)]() mutable {
    scripts_.run(ScriptId::kRead, sessionKeys(id, false),
                 {id, afterSeqStart(after_seq), std::to_string(limit)},
                 [this, after_seq, cb = std::move(cb)](Result<RedisReply> r) mutable {
                   if (!r.ok()) return cb(r.error());
                   if (r.value().isError()) return cb(replyError(r.value()));
                   cb(decodeEventPage(r.value(), after_seq));
                 });
  });
  return std::move(handle);
}

CallHandle RedisSessionStore::readSessionlessEvents(uint64_t after_seq, size_t limit,
                                                    Callback<EventPage> done) {
  assertLoopThread();
  auto [handle, cb] = guard(std::move(done));
  outbox_.whenSettled("", [this, after_seq, limit, cb = std::move(cb)]() mutable {
    // The sessionless log always exists (empty until written): plain XRANGE.
    connection_.send({"XRANGE", keys_.sessionless().events, afterSeqStart(after_seq), "+", "COUNT",
                      std::to_string(limit)},
                     [this, after_seq, cb = std::move(cb)](Result<RedisReply> r) mutable {
                       if (!r.ok()) return cb(r.error());
                       if (r.value().isError()) return cb(replyError(r.value()));
                       cb(decodeEventPage(r.value(), after_seq));
                     });
  });
  return std::move(handle);
}

void RedisSessionStore::touch(const std::string& id) {
  assertLoopThread();
  if (!id.empty()) touches_.add(id);
}

void RedisSessionStore::flushTouch(const std::string& id) {
  // An append in flight or waiting refreshes the same TTLs when it lands.
  if (outbox_.hasPending(id)) return;
  if (!connection_.connected()) {
    // Harmless to lose: the next touch or append after the outage
    // refreshes the TTL; the counter shows how many were skipped.
    touches_dropped_total_.inc();
    return;
  }
  scripts_.run(ScriptId::kTouch, sessionKeys(id, true), commonArgs(id),
               [this, id, epoch = closed_feed_epoch_](Result<RedisReply> r) {
                 if (!r.ok()) return;  // counted by the connection
                 if (r.value().isError()) {
                   (void)replyError(r.value());
                 } else if (r.value().asInteger() == 0) {
                   cache_.erase(id);
                   logger_.debug(id, "store_touch_unknown_session");
                 } else {
                   cache_.vouch(id, epoch);
                 }
               });
}

void RedisSessionStore::appendEvents(const std::string& id, std::vector<EventRecord> events) {
  assertLoopThread();
  if (id.empty()) {  // "" names the sessionless log inside the outbox
    dropped_unknown_session_.inc(events.size());
    logger_.warn(kCtx, "store_events_dropped",
                 {{"reason", "unknown_session"}, {"count", events.size()}});
    return;
  }
  const int64_t now = clock_.nowUnixMs();
  for (auto& event : events) {
    if (event.unix_ms == 0) event.unix_ms = now;
  }
  outbox_.append(id, std::move(events));
}

void RedisSessionStore::appendSessionlessEvents(std::vector<EventRecord> events) {
  assertLoopThread();
  const int64_t now = clock_.nowUnixMs();
  for (auto& event : events) {
    if (event.unix_ms == 0) event.unix_ms = now;
  }
  outbox_.append("", std::move(events));
}

void RedisSessionStore::sendBatch(const std::string& log, const OutboxBatch& batch,
                                  RedisEventOutbox::BatchDone done) {
  const bool sessionless = log.empty();
  // One hash tag (a SHA-256) per batch: the keys and the wake channel share it.
  SessionKeys session = sessionless ? keys_.sessionless() : keys_.session(log);
  std::string wake = std::move(session.wake);  // "" for the sessionless log
  std::vector<std::string> keys = keyList(std::move(session), !sessionless);
  std::vector<std::string> args = commonArgs(log);
  args.reserve(7 + 7 * batch.events.size());
  args.push_back(maxlen_);
  args.push_back(writer_id_);
  args.push_back(std::to_string(batch.number));
  args.push_back(std::move(wake));
  for (const auto& event : batch.events) encodeEventArgs(event, args);
  scripts_.run(ScriptId::kAppend, std::move(keys), std::move(args),
               [this, log, epoch = closed_feed_epoch_, done = std::move(done)](Result<RedisReply> r) {
                 // No reply: it may or may not have run. The resend carries
                 // the same batch number, so the script applies it at most once.
                 if (!r.ok()) return done(BatchOutcome::kRetry);
                 if (!r.value().isError()) {
                   // An applied append found the session live and left its
                   // TTL at least the idle TTL ahead.
                   if (!log.empty()) cache_.vouch(log, epoch);
                   return done(BatchOutcome::kApplied);
                 }
                 const Error error = replyError(r.value());
                 if (error.code != ErrorCode::kNotFound) return done(BatchOutcome::kFailed);
                 cache_.erase(log);
                 done(BatchOutcome::kUnknownSession);
               });
}

// ---- streams, leases, watches, bus ----------------------------------------------

CallHandle RedisSessionStore::streamStart(const std::string& id, const std::string& stream_id,
                                          Callback<std::optional<uint64_t>> done) {
  assertLoopThread();
  auto [handle, cb] = guard(std::move(done));
  // After this node's earlier appends, whose script call writes the index.
  outbox_.whenSettled(id, [this, key = keys_.session(id).starts, stream_id,
                           cb = std::move(cb)]() mutable {
    connection_.send({"ZSCORE", key, stream_id}, [this, cb = std::move(cb)](Result<RedisReply> r) {
      if (!r.ok()) return cb(r.error());
      if (r.value().isError()) return cb(replyError(r.value()));
      cb(decodeOptionalSeq(r.value()));
    });
  });
  return std::move(handle);
}

Subscription RedisSessionStore::watchSession(const std::string& id, std::function<void()> wake) {
  assertLoopThread();
  return pubsub_.watch(id, std::move(wake));
}

void RedisSessionStore::putLease(const std::string& id, const std::string& name,
                                 std::string holder, std::chrono::milliseconds ttl) {
  assertLoopThread();
  leases_.put(id, name, std::move(holder), ttl);
}

CallHandle RedisSessionStore::readLease(const std::string& id, const std::string& name,
                                        Callback<std::optional<std::string>> done) {
  assertLoopThread();
  auto [handle, cb] = guard(std::move(done));
  leases_.read(id, name, std::move(cb));
  return std::move(handle);
}

void RedisSessionStore::publish(std::string message) {
  assertLoopThread();
  pubsub_.publish(std::move(message));
}

Subscription RedisSessionStore::subscribe(std::function<void(std::string_view)> on_message) {
  assertLoopThread();
  return pubsub_.subscribe(std::move(on_message));
}

}  // namespace sidecar::sessionstore
