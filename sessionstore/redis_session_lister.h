#pragma once
// RedisSessionLister: listSessions for the Redis store. Reads the index
// (<prefix>sessions, score = expiry) for ids whose expiry is still ahead,
// then every record with the get script, all pipelined; ids whose meta has
// expired meanwhile are skipped. Occasionally (prune_interval) also drops
// expired ids from the index, which is all that bounds the ZSET.
//
// Owned by RedisSessionStore, next to the connection and scripts it sends
// through. `done` runs exactly once, on a later loop turn.

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/metrics.h"
#include "config/config.h"
#include "sessionstore/redis_connection.h"
#include "sessionstore/redis_keys.h"
#include "sessionstore/redis_scripts.h"
#include "sessionstore/session_cache.h"
#include "sessionstore/session_store.h"

namespace sidecar::sessionstore {

class RedisSessionLister {
 public:
  RedisSessionLister(const Clock& clock, MetricsRegistry& metrics, RedisConnection& connection,
                     RedisScripts& scripts, const RedisKeys& keys, SessionCache& cache,
                     config::Millis prune_interval);
  // Completions capture `this`.
  RedisSessionLister(const RedisSessionLister&) = delete;
  RedisSessionLister& operator=(const RedisSessionLister&) = delete;

  // Every session still within its TTL, oldest first (ties by id).
  void list(SessionStore::Callback<std::vector<SessionRecord>> done);

 private:
  void maybePrune(int64_t now_unix_ms);
  void gather(std::vector<std::string> ids,
              SessionStore::Callback<std::vector<SessionRecord>> done);
  Error replyError(const RedisReply& reply);

  const Clock& clock_;
  RedisConnection& connection_;
  RedisScripts& scripts_;
  const RedisKeys& keys_;
  SessionCache& cache_;
  config::Millis prune_interval_;
  int64_t next_prune_mono_ms_ = 0;
  Counter& reply_errors_total_;
  Counter& missing_blobs_total_;
};

}  // namespace sidecar::sessionstore
