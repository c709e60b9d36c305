// The SessionStore contracts (store_contract.cc, stream_contract.cc) against
// a real Redis. One server serves every case; each case gets a fresh key
// prefix instead of a fresh server, which keeps the suite fast and proves
// the prefix isolates (the prefix also names the channels).

#include <catch2/catch.hpp>

#include <memory>

#include "redis_peers_harness.h"
#include "redis_server.h"
#include "redis_store_harness.h"
#include "store_contract.h"
#include "stream_contract.h"

using namespace sidecar::sessionstore::test;

namespace {

RedisServer& sharedServer() {
  static RedisServer server;  // killed by PID when the test binary exits
  return server;
}

}  // namespace

TEST_CASE("redis store satisfies the SessionStore contract", "[contract]") {
  REQUIRE(sharedServer().running());
  runStoreContract([] {
    auto harness = std::make_unique<RedisStoreHarness>(sharedServer().port());
    REQUIRE(harness->ready());
    return harness;
  });
}

TEST_CASE("redis store: streams, watches, leases, bus across two nodes", "[contract]") {
  REQUIRE(sharedServer().running());
  runStreamContract([] {
    auto harness = std::make_unique<RedisPeersHarness>(sharedServer().port());
    REQUIRE(harness->ready());
    return harness;
  });
}
