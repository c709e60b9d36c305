#pragma once
// RedisLeases: the leases of the Redis store. A lease is one string key
// `<prefix>{tag}:lease:<name>` holding the holder's name, written with
// `SET key holder PX ttl` so that Redis lapses it by itself. put is fire and
// forget through the main connection: while Redis is unreachable the put is
// dropped and counted (the lease then lapses, which is what a holder cut off
// from Redis should look like to the others). read is one awaited GET.
//
// Owned by RedisSessionStore next to the connection it sends through;
// answers follow RedisConnection::send (exactly once, on a later turn).

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "common/logger.h"
#include "common/metrics.h"
#include "common/result.h"
#include "sessionstore/redis_connection.h"
#include "sessionstore/redis_keys.h"

namespace sidecar::sessionstore {

class RedisLeases {
 public:
  using ReadDone = std::function<void(Result<std::optional<std::string>>)>;

  RedisLeases(Logger& logger, MetricsRegistry& metrics, RedisConnection& connection,
              const RedisKeys& keys);
  RedisLeases(const RedisLeases&) = delete;
  RedisLeases& operator=(const RedisLeases&) = delete;

  void put(const std::string& id, const std::string& name, std::string holder,
           std::chrono::milliseconds ttl);
  void read(const std::string& id, const std::string& name, ReadDone done);

 private:
  Logger& logger_;
  RedisConnection& connection_;
  const RedisKeys& keys_;
  Counter& dropped_total_;
  Counter& reply_errors_total_;
};

}  // namespace sidecar::sessionstore
