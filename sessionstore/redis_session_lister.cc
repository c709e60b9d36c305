#include "sessionstore/redis_session_lister.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "sessionstore/redis_codec.h"

namespace sidecar::sessionstore {

RedisSessionLister::RedisSessionLister(const Clock& clock, MetricsRegistry& metrics,
                                       RedisConnection& connection, RedisScripts& scripts,
                                       const RedisKeys& keys, SessionCache& cache,
                                       config::Millis prune_interval)
    : clock_(clock),
      connection_(connection),
      scripts_(scripts),
      keys_(keys),
      cache_(cache),
      prune_interval_(prune_interval),
      reply_errors_total_(metrics.counter("sidecar_redis_command_errors_total",
                                          "Redis commands that failed, by kind",
                                          R"(kind="reply")")),
      missing_blobs_total_(metrics.counter(kMissingBlobsMetric, kMissingBlobsHelp)) {}

Error RedisSessionLister::replyError(const RedisReply& reply) {
  Error error = errorFromReply(reply);
  if (error.code == ErrorCode::kInternal) reply_errors_total_.inc();
  return error;
}

void RedisSessionLister::list(SessionStore::Callback<std::vector<SessionRecord>> done) {
  const int64_t now = clock_.nowUnixMs();
  maybePrune(now);
  connection_.send({"ZRANGEBYSCORE", keys_.index(), std::to_string(now), "+inf"},
                   [this, done = std::move(done)](Result<RedisReply> r) mutable {
                     if (!r.ok()) return done(r.error());
                     if (r.value().isError()) return done(replyError(r.value()));
                     std::vector<std::string> ids;
                     ids.reserve(r.value().elements.size());
                     for (auto& member : r.value().elements) ids.push_back(std::move(member.str));
                     gather(std::move(ids), std::move(done));
                   });
}

void RedisSessionLister::maybePrune(int64_t now_unix_ms) {
  if (clock_.monotonicMs() < next_prune_mono_ms_ || !connection_.connected()) return;
  next_prune_mono_ms_ = clock_.monotonicMs() + prune_interval_.count();
  connection_.send({"ZREMRANGEBYSCORE", keys_.index(), "-inf", std::to_string(now_unix_ms)},
                   [this](Result<RedisReply> r) {
                     if (r.ok() && r.value().isError()) (void)replyError(r.value());
                   });
}

void RedisSessionLister::gather(std::vector<std::string> ids,
                                SessionStore::Callback<std::vector<SessionRecord>> done) {
  if (ids.empty()) return done(std::vector<SessionRecord>{});
  struct Gather {
    std::vector<std::optional<SessionRecord>> records;
    size_t left = 0;
    std::optional<Error> error;
    SessionStore::Callback<std::vector<SessionRecord>> done;
  };
  auto state = std::make_shared<Gather>();
  state->records.resize(ids.size());
  state->left = ids.size();
  state->done = std::move(done);
  for (size_t i = 0; i < ids.size(); ++i) {
    SessionKeys keys = keys_.session(ids[i]);
    scripts_.run(
        ScriptId::kGet, {std::move(keys.meta), std::move(keys.events)}, {ids[i]},
        [this, state, i, id = ids[i]](Result<RedisReply> r) {
          if (!r.ok()) {
            if (!state->error) state->error = r.error();
          } else if (r.value().isError()) {
            if (!state->error) state->error = replyError(r.value());
          } else {
            uint64_t missing = 0;  // blobs gone: their values answer empty
            auto record = decodeRecordReply(r.value(), id, &missing);
            missing_blobs_total_.inc(missing);
            if (!record.ok()) {
              if (!state->error) state->error = record.error();
            } else if (record.value()) {  // nullopt: expired after the index read
              cache_.put(*record.value());
              state->records[i] = std::move(record).value();
            }
          }
          if (--state->left > 0) return;
          if (state->error) return state->done(*state->error);
          std::vector<SessionRecord> out;
          for (auto& record : state->records) {
            if (record) out.push_back(std::move(*record));
          }
          // The memory store's order, so admin output is stable.
          std::sort(out.begin(), out.end(), [](const SessionRecord& a, const SessionRecord& b) {
            return a.created_unix_ms != b.created_unix_ms ? a.created_unix_ms < b.created_unix_ms
                                                          : a.id < b.id;
          });
          state->done(std::move(out));
        });
  }
}

}  // namespace sidecar::sessionstore
