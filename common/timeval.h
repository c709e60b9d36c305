#pragma once
// Milliseconds to the timeval libevent takes, in one place.

#include <sys/time.h>

#include <chrono>
#include <cstdint>

namespace sidecar {

constexpr timeval toTimeval(int64_t ms) noexcept {
  return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
}

constexpr timeval toTimeval(std::chrono::milliseconds ms) noexcept { return toTimeval(ms.count()); }

}  // namespace sidecar
