#pragma once
// pumpUntil: drives an event loop in non-blocking turns until a condition
// holds, bounded by a wall-clock deadline so a broken store fails the test
// instead of hanging it. Shared by the store harnesses.

#include <chrono>
#include <functional>

#include <event2/event.h>

namespace sidecar::sessionstore::test {

inline bool pumpUntil(event_base& base, const std::function<bool()>& done,
                      std::chrono::milliseconds bound = std::chrono::seconds(2)) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // ONCE|NONBLOCK: one pass over whatever is ready, so the condition is
    // rechecked between turns (a task may post a follow-up for the next one).
    event_base_loop(&base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
  }
  return true;
}

}  // namespace sidecar::sessionstore::test
