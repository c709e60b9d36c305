#pragma once
// The SessionStore contract: behaviour every backend (memory, Redis) must
// show, written once and run against each.
//
// A backend supplies a StoreHarness factory; each call must return a
// harness around a fresh, empty store (for Redis: a flushed database or a
// unique key prefix). Then, inside a Catch TEST_CASE:
//
//   TEST_CASE("redis store satisfies the SessionStore contract", "[contract]") {
//     runStoreContract([&] { return std::make_unique<RedisStoreHarness>(port); });
//   }
//
// Each contract case is a Catch SECTION, so Catch re-enters the test case
// once per case with a fresh harness, and a failure names the case.

#include <functional>
#include <memory>

#include "sessionstore/session_store.h"

namespace sidecar::sessionstore::test {

class StoreHarness {
 public:
  virtual ~StoreHarness() = default;
  virtual SessionStore& store() = 0;
  // Runs the store's event loop until done() holds or a deadline passes;
  // answers done(). Never blocks forever.
  virtual bool pumpUntil(const std::function<bool()>& done) = 0;
};

using StoreHarnessFactory = std::function<std::unique_ptr<StoreHarness>()>;

// Call from inside a TEST_CASE.
void runStoreContract(const StoreHarnessFactory& make);

}  // namespace sidecar::sessionstore::test
