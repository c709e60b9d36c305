#pragma once
// Backoff: reconnect delays for RedisConnection — capped exponential with
// full jitter (delay uniform in [0, min(max, initial * 2^attempt)]). Jitter
// keeps a fleet of sidecars from reconnecting in lock step after a Redis
// restart; the cap bounds how long a recovered Redis goes unnoticed. Plain
// value, no event loop; the seed is injected so tests are repeatable.

#include <cstdint>
#include <random>

#include "config/config.h"

namespace sidecar::sessionstore {

class Backoff {
 public:
  Backoff(config::Millis initial, config::Millis max, uint64_t seed);

  // The delay before the next attempt; each call doubles the ceiling.
  config::Millis next();
  // After a successful connection: the next loss starts from `initial` again.
  void reset() noexcept { attempt_ = 0; }
  // Attempts since the last reset (for log lines).
  int attempt() const noexcept { return attempt_; }
  // The ceiling the next call draws under (for tests and logs).
  config::Millis ceiling() const noexcept;

 private:
  config::Millis initial_;
  config::Millis max_;
  int attempt_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace sidecar::sessionstore
