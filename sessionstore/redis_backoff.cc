#include "sessionstore/redis_backoff.h"

#include <algorithm>

namespace sidecar::sessionstore {

Backoff::Backoff(config::Millis initial, config::Millis max, uint64_t seed)
    : initial_(std::max(initial, config::Millis(1))),
      max_(std::max(max, std::max(initial, config::Millis(1)))),
      rng_(seed) {}

config::Millis Backoff::ceiling() const noexcept {
  // Doubling stops once the cap is reached, so the shift never overflows.
  int64_t limit = initial_.count();
  for (int i = 0; i < attempt_ && limit < max_.count(); ++i) limit *= 2;
  return config::Millis(std::min(limit, static_cast<int64_t>(max_.count())));
}

config::Millis Backoff::next() {
  const int64_t limit = ceiling().count();
  ++attempt_;
  std::uniform_int_distribution<int64_t> pick(0, limit);
  return config::Millis(pick(rng_));
}

}  // namespace sidecar::sessionstore
