#include <catch2/catch.hpp>

#include <memory>

#include "memory_store_harness.h"
#include "store_contract.h"
#include "stream_contract.h"

using sidecar::sessionstore::test::MemoryStoreHarness;
using sidecar::sessionstore::test::runStoreContract;
using sidecar::sessionstore::test::runStreamContract;

TEST_CASE("memory store satisfies the SessionStore contract", "[contract]") {
  runStoreContract([] { return std::make_unique<MemoryStoreHarness>(); });
}

TEST_CASE("memory store: streams, watches, leases, bus", "[contract]") {
  runStreamContract([] { return std::make_unique<MemoryStoreHarness>(); });
}
