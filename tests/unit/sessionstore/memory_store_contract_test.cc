#include <catch2/catch.hpp>

#include <memory>

#include "memory_store_harness.h"
#include "store_contract.h"

using sidecar::sessionstore::test::MemoryStoreHarness;
using sidecar::sessionstore::test::runStoreContract;

TEST_CASE("memory store satisfies the SessionStore contract", "[contract]") {
  runStoreContract([] { return std::make_unique<MemoryStoreHarness>(); });
}
