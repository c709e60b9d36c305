#pragma once
// RedisStoreHarness: a RedisSessionStore on its own event_base against a
// test's RedisServer, with a captured log and a private metrics registry.
// Each harness gets a fresh key prefix, so contract cases sharing one
// server never see each other's keys. Real time (SystemClock): Redis TTLs
// and hiredis sockets run on it anyway.

#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include <event2/event.h>
#include <fmt/format.h>

#include "common/c_handles.h"
#include "common/clock.h"
#include "common/logger.h"
#include "common/metrics.h"
#include "config/config.h"
#include "log_capture.h"
#include "sessionstore/redis_session_store.h"
#include "store_contract.h"

namespace sidecar::sessionstore::test {

// Runs every base in non-blocking turns until `done` holds or `bound`
// passes. Sleeps a little between idle turns instead of spinning, so the
// redis-server sharing our two cores gets them.
inline bool pumpBases(std::initializer_list<event_base*> bases, const std::function<bool()>& done,
                      std::chrono::milliseconds bound = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    for (event_base* base : bases) event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    if (!done()) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

inline std::string freshPrefix() {
  static std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("t{:x}:", rng());
}

struct RedisHarnessConfig {
  uint16_t port = 0;
  std::string prefix = freshPrefix();
  config::StoreConfig store = [] {
    config::StoreConfig s;
    s.kind = config::StoreKind::kRedis;
    return s;
  }();
  config::SessionConfig session;
  RedisStoreOptions options = [] {
    RedisStoreOptions o;
    // Quick reconnects keep outage tests short; the deadline stays at 2 s.
    o.connection.backoff_initial = config::Millis(20);
    o.connection.backoff_max = config::Millis(200);
    return o;
  }();
  bool wait_ready = true;
};

class RedisStoreHarness final : public StoreHarness {
 public:
  explicit RedisStoreHarness(RedisHarnessConfig cfg)
      : cfg_(prepare(std::move(cfg))),
        base_(event_base_new()),
        logger_(LogLevel::kDebug, LogFormat::kText, log_.file()),
        store_(std::make_unique<RedisSessionStore>(*base_, clock_, logger_, metrics_, cfg_.store,
                                                   cfg_.session, cfg_.options)) {
    if (cfg_.wait_ready) ready_ = pumpUntil([&] { return store_->healthy(); });
  }
  explicit RedisStoreHarness(uint16_t port) : RedisStoreHarness(withPort(port)) {}

  SessionStore& store() override { return *store_; }
  bool pumpUntil(const std::function<bool()>& done) override {
    return pumpBases({base_.get()}, done);
  }
  bool pumpFor(std::chrono::milliseconds bound, const std::function<bool()>& done) {
    return pumpBases({base_.get()}, done, bound);
  }

  bool ready() const noexcept { return ready_; }
  RedisSessionStore& redis() { return *store_; }
  event_base* base() { return base_.get(); }
  const RedisHarnessConfig& config() const { return cfg_; }
  LogCapture& log() { return log_; }
  uint64_t counter(std::string_view name, std::string_view labels = {}) {
    return metrics_.counter(name, "", labels).value();
  }
  int64_t gauge(std::string_view name) { return metrics_.gauge(name, "").value(); }
  // Destroys the store (before the loop, the logger and the registry).
  void destroyStore() { store_.reset(); }

 private:
  static RedisHarnessConfig withPort(uint16_t port) {
    RedisHarnessConfig cfg;
    cfg.port = port;
    return cfg;
  }
  static RedisHarnessConfig prepare(RedisHarnessConfig cfg) {
    cfg.store.redis.host = "127.0.0.1";
    cfg.store.redis.port = cfg.port;
    cfg.store.redis.prefix = cfg.prefix;
    return cfg;
  }

  RedisHarnessConfig cfg_;
  // Declaration order is destruction order in reverse: the store goes
  // before the loop, the logger and the clock it refers to.
  EventBasePtr base_;
  SystemClock clock_;
  LogCapture log_;
  Logger logger_;
  MetricsRegistry metrics_;
  std::unique_ptr<RedisSessionStore> store_;
  bool ready_ = false;
};

}  // namespace sidecar::sessionstore::test
