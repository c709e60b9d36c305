#include "sessionstore/redis_leases.h"

#include <algorithm>
#include <utility>

#include "sessionstore/redis_codec.h"

namespace sidecar::sessionstore {

RedisLeases::RedisLeases(Logger& logger, MetricsRegistry& metrics, RedisConnection& connection,
                         const RedisKeys& keys)
    : logger_(logger),
      connection_(connection),
      keys_(keys),
      dropped_total_(metrics.counter("sidecar_store_leases_dropped_total",
                                     "Lease puts not sent because Redis was unreachable")),
      reply_errors_total_(metrics.counter("sidecar_redis_command_errors_total",
                                          "Redis commands that failed, by kind",
                                          R"(kind="reply")")) {}

void RedisLeases::put(const std::string& id, const std::string& name, std::string holder,
                      std::chrono::milliseconds ttl) {
  if (!connection_.connected()) {
    dropped_total_.inc();
    logger_.debug(id, "store_lease_dropped", {{"lease", name}, {"reason", "redis_unreachable"}});
    return;
  }
  // PX 0 is refused by Redis: the shortest lease is 1 ms (as in the memory store).
  const auto ttl_ms = std::max<std::chrono::milliseconds::rep>(ttl.count(), 1);
  connection_.send({"SET", keys_.lease(id, name), std::move(holder), "PX", std::to_string(ttl_ms)},
                   [this, id](Result<RedisReply> r) {
                     // No reply: counted by the connection; the lease may lapse early.
                     if (r.ok() && r.value().isError()) {
                       reply_errors_total_.inc();
                       logger_.warn(id, "store_lease_failed", {{"error", r.value().str}});
                     }
                   });
}

void RedisLeases::read(const std::string& id, const std::string& name, ReadDone done) {
  connection_.send({"GET", keys_.lease(id, name)},
                   [this, done = std::move(done)](Result<RedisReply> r) {
                     if (!r.ok()) return done(r.error());
                     if (r.value().isError()) {
                       reply_errors_total_.inc();  // the caller gets (and logs) the error
                       return done(errorFromReply(r.value()));
                     }
                     done(decodeOptionalText(r.value()));
                   });
}

}  // namespace sidecar::sessionstore
