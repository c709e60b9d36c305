#pragma once
// The contract of the SessionStore calls that serve resumable streams and
// cross-node delivery — streamStart, watchSession, leases and the bus —
// written once and run against every backend, like store_contract.h.
//
// These need a second node of the same deployment and a way to let time
// pass, so the harness has three more hooks:
//
//   TEST_CASE("memory store: streams, watches, leases, bus", "[contract]") {
//     runStreamContract([] { return std::make_unique<MemoryStoreHarness>(); });
//   }

#include <chrono>
#include <functional>
#include <memory>

#include "store_contract.h"

namespace sidecar::sessionstore::test {

class PeerStoreHarness : public StoreHarness {
 public:
  // Another node sharing store()'s data. A backend with a single node (the
  // memory store) answers store() itself.
  virtual SessionStore& peer() = 0;
  // Runs the loops until every watch and bus subscription made so far is
  // in force, and any wake that caused has been delivered.
  virtual bool settle() = 0;
  // Lets `span` pass on the clock leases lapse by (a manual clock, or real
  // time with the loops running).
  virtual void elapse(std::chrono::milliseconds span) = 0;
};

using PeerHarnessFactory = std::function<std::unique_ptr<PeerStoreHarness>()>;

// Call from inside a TEST_CASE; each case is a SECTION with a fresh harness.
void runStreamContract(const PeerHarnessFactory& make);

}  // namespace sidecar::sessionstore::test
