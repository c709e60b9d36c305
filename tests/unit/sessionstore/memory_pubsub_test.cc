// Streams, leases, watches and the bus in the in-memory store, beyond the
// shared contract (stream_contract.cc): wakes coalesced per loop turn,
// cancelled registrations forgotten, leases by the injected clock, and
// everything bounded by the session's life.

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "awaiting_store.h"
#include "memory_store_harness.h"

using namespace std::chrono_literals;
using namespace sidecar;
using namespace sidecar::sessionstore;
using sidecar::sessionstore::test::AwaitingStore;
using sidecar::sessionstore::test::MemoryStoreHarness;
using sidecar::sessionstore::test::testLimits;

namespace {

SessionRecord newRecord(const std::string& id) {
  SessionRecord record;
  record.id = id;
  return record;
}

EventRecord newEvent(const std::string& message, const std::string& stream_id = "post-1") {
  EventRecord event;
  event.stream_id = stream_id;
  event.stream_seq = 1;  // a stream's first event: it starts the stream
  event.message = message;
  return event;
}

}  // namespace

TEST_CASE("memory store: appends of one turn wake a session's watchers once") {
  MemoryStoreHarness h;
  AwaitingStore s(h);
  REQUIRE(s.create(newRecord("s-1")).ok());
  int woken = 0;
  int woken_too = 0;
  Subscription watch = h.store().watchSession("s-1", [&] { ++woken; });
  Subscription watch_too = h.store().watchSession("s-1", [&] { ++woken_too; });
  for (int i = 0; i < 3; ++i) h.store().appendEvents("s-1", {newEvent("m")});
  REQUIRE(h.pumpUntil([&] { return woken > 0; }));
  h.settle();
  CHECK(woken == 1);
  CHECK(woken_too == 1);

  // Nothing appended, nothing woken: an unknown session, an empty append.
  Subscription unknown = h.store().watchSession("nope", [&] { ++woken; });
  h.store().appendEvents("nope", {newEvent("lost")});
  h.store().appendEvents("s-1", {});
  h.settle();
  CHECK(woken == 1);
}

TEST_CASE("memory store: cancelled watches and listeners are forgotten by the sweep") {
  MemoryStoreHarness h;
  AwaitingStore s(h);
  REQUIRE(s.create(newRecord("s-1")).ok());
  Subscription kept = h.store().watchSession("s-1", [] {});
  Subscription dropped = h.store().watchSession("s-2", [] {});
  CHECK(h.memoryStore().watchedSessions() == 2);
  dropped.cancel();
  CHECK(h.memoryStore().watchedSessions() == 2);  // lazily
  h.memoryStore().sweepExpired();
  CHECK(h.memoryStore().watchedSessions() == 1);
  kept.cancel();
  h.store().appendEvents("s-1", {newEvent("m")});  // the wake finds nobody: forgotten
  h.settle();
  CHECK(h.memoryStore().watchedSessions() == 0);
}

TEST_CASE("memory store: a lease lapses at exactly its TTL by the injected clock") {
  MemoryStoreHarness h;
  AwaitingStore s(h);
  REQUIRE(s.create(newRecord("s-1")).ok());
  h.store().putLease("s-1", "producer", "node-a", 50ms);
  h.clock().advanceMs(49);
  CHECK(s.readLease("s-1", "producer").value() == "node-a");
  h.clock().advanceMs(1);
  CHECK_FALSE(s.readLease("s-1", "producer").value().has_value());

  h.store().putLease("s-1", "producer", "node-a", 0ms);  // at least 1 ms, as in Redis
  CHECK(s.readLease("s-1", "producer").value() == "node-a");
  h.clock().advanceMs(1);
  CHECK_FALSE(s.readLease("s-1", "producer").value().has_value());

  // No session, no lease: it could not outlive the session anyway.
  h.store().putLease("nope", "producer", "node-a", 50ms);
  CHECK_FALSE(s.readLease("nope", "producer").value().has_value());
  CHECK(h.log().contains("event=store_lease_unknown_session"));
}

TEST_CASE("memory store: stream index and leases go with their session") {
  auto limits = testLimits();
  limits.idle_ttl = config::Millis(1'000);
  MemoryStoreHarness h(limits);
  AwaitingStore s(h);
  REQUIRE(s.create(newRecord("s-1")).ok());
  h.store().appendEvents("s-1", {newEvent("a", "get-1")});
  h.store().putLease("s-1", "producer", "node-a", 10'000ms);
  REQUIRE(s.streamStart("s-1", "get-1").value() == 0u);
  h.clock().advanceMs(1'000);
  CHECK(h.memoryStore().sweepExpired() == 1);
  REQUIRE(s.create(newRecord("s-1")).ok());  // a namesake starts clean
  CHECK_FALSE(s.streamStart("s-1", "get-1").value().has_value());
  CHECK_FALSE(s.readLease("s-1", "producer").value().has_value());
}

TEST_CASE("memory store: a bus message reaches the listeners subscribed when it was published") {
  MemoryStoreHarness h;
  std::vector<std::string> early;
  std::vector<std::string> later;
  Subscription first = h.store().subscribe([&](std::string_view m) { early.emplace_back(m); });
  h.store().publish("one");
  Subscription second = h.store().subscribe([&](std::string_view m) { later.emplace_back(m); });
  h.store().publish("two");
  REQUIRE(h.pumpUntil([&] { return early.size() == 2; }));
  h.settle();
  CHECK(early == std::vector<std::string>{"one", "two"});
  CHECK(later == std::vector<std::string>{"two"});
}

TEST_CASE("memory store: a stream's start is forgotten once the log dropped its first event") {
  auto limits = testLimits();
  limits.max_events_per_session = 3;
  MemoryStoreHarness h(limits);
  AwaitingStore s(h);
  REQUIRE(s.create(newRecord("s-1")).ok());
  for (int i = 1; i <= 5; ++i) h.store().appendEvents("s-1", {newEvent("e", "post-" + std::to_string(i))});
  CHECK_FALSE(s.streamStart("s-1", "post-2").value().has_value());  // events 1 and 2 dropped
  CHECK(s.streamStart("s-1", "post-3").value() == 2u);
  CHECK(s.streamStart("s-1", "post-5").value() == 4u);
}
