#pragma once
// MemoryStoreHarness: a MemorySessionStore on its own event_base, with a
// ManualClock, a captured log and a private metrics registry, so tests can
// move time by hand and assert on counters and log lines. The memory store
// is a deployment of one node: its peer() is itself.

#include <chrono>
#include <functional>

#include "common/c_handles.h"
#include "common/clock.h"
#include "common/logger.h"
#include "common/metrics.h"
#include "log_capture.h"
#include "loop_pump.h"
#include "sessionstore/memory_session_store.h"
#include "stream_contract.h"

namespace sidecar::sessionstore::test {

inline MemoryStoreLimits testLimits() {
  MemoryStoreLimits limits;
  limits.idle_ttl = config::Millis(60'000);
  limits.max_events_per_session = 1'000;
  limits.max_sessionless_events = 1'000;
  limits.sweep_interval = config::Millis(0);  // tests that want the timer turn it on
  return limits;
}

class MemoryStoreHarness final : public PeerStoreHarness {
 public:
  explicit MemoryStoreHarness(MemoryStoreLimits limits = testLimits())
      : base_(event_base_new()),
        logger_(LogLevel::kDebug, LogFormat::kText, log_.file()),
        store_(*base_, clock_, logger_, metrics_, limits) {}

  SessionStore& store() override { return store_; }
  bool pumpUntil(const std::function<bool()>& done) override {
    return test::pumpUntil(*base_, done);
  }
  SessionStore& peer() override { return store_; }
  // Registrations are in force at once; this only runs what is queued.
  bool settle() override {
    for (int turn = 0; turn < 3; ++turn) event_base_loop(base_.get(), EVLOOP_ONCE | EVLOOP_NONBLOCK);
    return true;
  }
  void elapse(std::chrono::milliseconds span) override { clock_.advanceMs(span.count()); }

  MemorySessionStore& memoryStore() { return store_; }
  ManualClock& clock() { return clock_; }
  LogCapture& log() { return log_; }
  uint64_t counter(std::string_view name, std::string_view labels = {}) {
    return metrics_.counter(name, "", labels).value();
  }
  int64_t gauge(std::string_view name) { return metrics_.gauge(name, "").value(); }

 private:
  // Declaration order is destruction order in reverse: the store goes
  // before the loop, the logger and the clock it refers to.
  EventBasePtr base_;
  ManualClock clock_;
  LogCapture log_;
  Logger logger_;
  MetricsRegistry metrics_;
  MemorySessionStore store_;
};

}  // namespace sidecar::sessionstore::test
