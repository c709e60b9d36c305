#pragma once
// RedisPeersHarness: two RedisSessionStores (two nodes) sharing one Redis
// and one key prefix, each on its own event_base; pumping runs both loops.
// store() is node A, peer() node B. Real time (SystemClock), as Redis TTLs
// and pub/sub run on it anyway.

#include <chrono>
#include <functional>

#include <event2/event.h>

#include "redis_store_harness.h"
#include "stream_contract.h"

namespace sidecar::sessionstore::test {

class RedisPeersHarness final : public PeerStoreHarness {
 public:
  explicit RedisPeersHarness(const RedisHarnessConfig& cfg) : a_(cfg), b_(cfg) {}
  explicit RedisPeersHarness(uint16_t port) : RedisPeersHarness(onPort(port)) {}

  bool ready() const noexcept { return a_.ready() && b_.ready(); }
  SessionStore& store() override { return a_.store(); }
  SessionStore& peer() override { return b_.store(); }
  bool pumpUntil(const std::function<bool()>& done) override {
    return pumpBases({a_.base(), b_.base()}, done);
  }
  bool pumpFor(std::chrono::milliseconds bound, const std::function<bool()>& done) {
    return pumpBases({a_.base(), b_.base()}, done, bound);
  }
  bool settle() override {
    if (!pumpUntil([&] {
          return a_.redis().pubsub().subscriptionsSettled() &&
                 b_.redis().pubsub().subscriptionsSettled();
        })) {
      return false;
    }
    // The wakes the confirmations queued run on the following turns.
    for (int turn = 0; turn < 3; ++turn) {
      for (event_base* base : {a_.base(), b_.base()}) {
        event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
      }
    }
    return true;
  }
  void elapse(std::chrono::milliseconds span) override { (void)pumpFor(span, [] { return false; }); }

  RedisStoreHarness& a() { return a_; }
  RedisStoreHarness& b() { return b_; }

 private:
  static RedisHarnessConfig onPort(uint16_t port) {
    RedisHarnessConfig cfg;
    cfg.port = port;
    return cfg;
  }

  RedisStoreHarness a_;
  RedisStoreHarness b_;
};

}  // namespace sidecar::sessionstore::test
