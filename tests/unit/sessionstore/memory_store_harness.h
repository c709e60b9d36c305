#pragma once
// MemoryStoreHarness: a MemorySessionStore on its own event_base, with a
// ManualClock, a captured log and a private metrics registry, so tests can
// move time by hand and assert on counters and log lines.

#include <functional>

#include "common/c_handles.h"
#include "common/clock.h"
#include "common/logger.h"
#include "common/metrics.h"
#include "log_capture.h"
#include "loop_pump.h"
#include "sessionstore/memory_session_store.h"
#include "store_contract.h"

namespace sidecar::sessionstore::test {

inline MemoryStoreLimits testLimits() {
  MemoryStoreLimits limits;
  limits.idle_ttl = config::Millis(60'000);
  limits.max_events_per_session = 1'000;
  limits.max_sessionless_events = 1'000;
  limits.sweep_interval = config::Millis(0);  // tests that want the timer turn it on
  return limits;
}

class MemoryStoreHarness final : public StoreHarness {
 public:
  explicit MemoryStoreHarness(MemoryStoreLimits limits = testLimits())
      : base_(event_base_new()),
        logger_(LogLevel::kDebug, LogFormat::kText, log_.file()),
        store_(*base_, clock_, logger_, metrics_, limits) {}

  SessionStore& store() override { return store_; }
  bool pumpUntil(const std::function<bool()>& done) override {
    return test::pumpUntil(*base_, done);
  }

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
