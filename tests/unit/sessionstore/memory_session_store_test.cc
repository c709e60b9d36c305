// Behaviour specific to the in-memory store: idle expiry driven by the
// injected clock, the sweep timer, bounded logs and their counters. The
// behaviour every store shares is in store_contract.cc.

#include <catch2/catch.hpp>

#include <memory>
#include <optional>

#include "awaiting_store.h"
#include "memory_store_harness.h"

using namespace sidecar;
using namespace sidecar::sessionstore;
using sidecar::sessionstore::test::AwaitingStore;
using sidecar::sessionstore::test::MemoryStoreHarness;
using sidecar::sessionstore::test::testLimits;

namespace {

constexpr int64_t kTtlMs = 60'000;  // testLimits().idle_ttl
constexpr std::string_view kDropped = "sidecar_store_events_dropped_total";

SessionRecord newRecord(const std::string& id) {
  SessionRecord record;
  record.id = id;
  return record;
}

EventRecord newEvent(const std::string& message) {
  EventRecord event;
  event.stream_id = "post-1";
  event.message = message;
  return event;
}

std::vector<uint64_t> seqsOf(const EventPage& page) {
  std::vector<uint64_t> seqs;
  for (const auto& e : page.events) seqs.push_back(e.seq);
  return seqs;
}

}  // namespace

TEST_CASE("limits come from the store and session config") {
  config::StoreConfig store;
  store.memory_max_events_per_session = 11;
  store.memory_max_sessionless_events = 22;
  config::SessionConfig session;
  session.idle_ttl = config::Millis(33);
  const auto limits = MemoryStoreLimits::fromConfig(store, session);
  CHECK(limits.idle_ttl == config::Millis(33));
  CHECK(limits.max_events_per_session == 11);
  CHECK(limits.max_sessionless_events == 22);
  CHECK(limits.sweep_interval.count() > 0);  // the sweep is on unless a test turns it off
}

TEST_CASE("a session expires after its idle TTL and touch refreshes it") {
  MemoryStoreHarness h;
  AwaitingStore s(h);
  REQUIRE(s.create(newRecord("s-1")).ok());

  h.clock().advanceMs(kTtlMs - 1);
  h.store().touch("s-1");
  h.clock().advanceMs(kTtlMs - 1);
  REQUIRE(s.get("s-1").has_value());  // alive only thanks to the touch

  h.clock().advanceMs(1);
  CHECK_FALSE(s.get("s-1").has_value());
  CHECK(s.list().empty());
  CHECK(h.counter("sidecar_store_sessions_expired_total") == 1);
  CHECK(h.gauge("sidecar_store_sessions") == 0);
}

TEST_CASE("reads do not refresh the idle time") {
  MemoryStoreHarness h;
  AwaitingStore s(h);
  REQUIRE(s.create(newRecord("s-1")).ok());
  h.clock().advanceMs(kTtlMs / 2);
  REQUIRE(s.get("s-1").has_value());
  REQUIRE(s.read("s-1", 0, 10).ok());
  REQUIRE(s.list().size() == 1);
  h.clock().advanceMs(kTtlMs / 2);
  CHECK_FALSE(s.get("s-1").has_value());
}

TEST_CASE("transitions and appends refresh the idle time and last_seen") {
  MemoryStoreHarness h;
  AwaitingStore s(h);
  REQUIRE(s.create(newRecord("s-1")).ok());
  const int64_t created_seen = s.get("s-1")->last_seen_unix_ms;
  CHECK(created_seen == h.clock().nowUnixMs());

  h.clock().advanceMs(kTtlMs - 1);
  REQUIRE(s.completeInitialize("s-1", "2025-06-18", "{}").ok());
  h.clock().advanceMs(kTtlMs - 1);
  REQUIRE(s.transition("s-1", SessionState::kActive).ok());
  h.clock().advanceMs(kTtlMs - 1);
  h.store().appendEvents("s-1", {newEvent("m")});
  h.clock().advanceMs(kTtlMs - 1);

  const auto got = s.get("s-1");
  REQUIRE(got.has_value());
  CHECK(got->last_seen_unix_ms == created_seen + 3 * (kTtlMs - 1));
  CHECK(got->created_unix_ms == created_seen);
}

TEST_CASE("an illegal transition does not refresh the idle time") {
  MemoryStoreHarness h;
  AwaitingStore s(h);
  REQUIRE(s.create(newRecord("s-1")).ok());
  h.clock().advanceMs(kTtlMs - 1);
  REQUIRE_FALSE(s.transition("s-1", SessionState::kActive).ok());
  h.clock().advanceMs(1);
  CHECK_FALSE(s.get("s-1").has_value());
}

TEST_CASE("a CLOSED record stays visible until its TTL, then disappears") {
  MemoryStoreHarness h;
  AwaitingStore s(h);
  REQUIRE(s.create(newRecord("s-1")).ok());
  REQUIRE(s.transition("s-1", SessionState::kClosed).ok());

  h.clock().advanceMs(kTtlMs - 1);
  REQUIRE(s.get("s-1").has_value());
  CHECK(s.get("s-1")->state == SessionState::kClosed);
  CHECK(s.list().size() == 1);

  h.clock().advanceMs(1);
  CHECK_FALSE(s.get("s-1").has_value());
  CHECK(s.list().empty());
}

TEST_CASE("an expired id can be created again, fresh") {
  MemoryStoreHarness h;
  AwaitingStore s(h);
  REQUIRE(s.create(newRecord("s-1")).ok());
  h.store().appendEvents("s-1", {newEvent("old")});
  REQUIRE(s.transition("s-1", SessionState::kClosed).ok());
  h.clock().advanceMs(kTtlMs);

  REQUIRE(s.create(newRecord("s-1")).ok());
  const auto got = s.get("s-1");
  REQUIRE(got.has_value());
  CHECK(got->state == SessionState::kInitializing);
  CHECK(got->event_count == 0);
}

TEST_CASE("the sweep timer frees expired sessions without any access") {
  auto limits = testLimits();
  limits.sweep_interval = config::Millis(1);
  MemoryStoreHarness h(limits);
  AwaitingStore s(h);
  REQUIRE(s.create(newRecord("stale")).ok());
  REQUIRE(s.create(newRecord("fresh")).ok());
  h.clock().advanceMs(kTtlMs / 2);
  h.store().touch("fresh");
  h.clock().advanceMs(kTtlMs / 2);  // "stale" is now exactly TTL idle, "fresh" half

  // sessionCount() reads the map directly: only the timer can free "stale".
  REQUIRE(h.pumpUntil([&] { return h.memoryStore().sessionCount() == 1; }));
  CHECK(h.gauge("sidecar_store_sessions") == 1);
  CHECK(h.counter("sidecar_store_sessions_expired_total") == 1);
  CHECK(h.log().contains("event=store_sessions_expired count=1 remaining=1"));
  CHECK(s.get("fresh").has_value());

  h.clock().advanceMs(kTtlMs);
  REQUIRE(h.pumpUntil([&] { return h.memoryStore().sessionCount() == 0; }));
  CHECK(h.gauge("sidecar_store_sessions") == 0);
}

TEST_CASE("sweepExpired stops at the first live session") {
  MemoryStoreHarness h;
  AwaitingStore s(h);
  for (const char* id : {"a", "b", "c"}) {  // created at t=0, 10, 20
    REQUIRE(s.create(newRecord(id)).ok());
    h.clock().advanceMs(10);
  }
  h.store().touch("a");  // t=30: "a" moves behind "c" in expiry order
  h.clock().advanceMs(kTtlMs - 20);  // t=TTL+10: b idle TTL, c TTL-10, a TTL-20
  CHECK(h.memoryStore().sweepExpired() == 1);
  CHECK(h.memoryStore().sessionCount() == 2);
  CHECK_FALSE(s.get("b").has_value());
  CHECK(h.memoryStore().sweepExpired() == 0);
}

TEST_CASE("the sessions gauge follows creates, duplicates and expiry") {
  MemoryStoreHarness h;
  AwaitingStore s(h);
  REQUIRE(s.create(newRecord("a")).ok());
  REQUIRE(s.create(newRecord("b")).ok());
  REQUIRE_FALSE(s.create(newRecord("b")).ok());
  CHECK(h.gauge("sidecar_store_sessions") == 2);
  h.clock().advanceMs(kTtlMs);
  CHECK_FALSE(s.get("a").has_value());  // lazy expiry of one
  CHECK(h.gauge("sidecar_store_sessions") == 1);
}

TEST_CASE("a full session log drops the oldest, counts it, and seq keeps increasing") {
  auto limits = testLimits();
  limits.max_events_per_session = 3;
  MemoryStoreHarness h(limits);
  AwaitingStore s(h);
  REQUIRE(s.create(newRecord("s-1")).ok());
  h.store().appendEvents("s-1", {newEvent("1"), newEvent("2")});
  h.store().appendEvents("s-1", {newEvent("3"), newEvent("4"), newEvent("5")});

  const auto all = s.read("s-1", 0, 100);
  REQUIRE(all.ok());
  CHECK(seqsOf(all.value()) == std::vector<uint64_t>{3, 4, 5});
  CHECK(all.value().events.front().message == "3");
  CHECK(seqsOf(s.read("s-1", 3, 100).value()) == std::vector<uint64_t>{4, 5});
  CHECK(s.get("s-1")->event_count == 3);
  CHECK(h.counter(kDropped, R"(reason="log_full")") == 2);

  h.store().appendEvents("s-1", {newEvent("6")});
  CHECK(seqsOf(s.read("s-1", 5, 100).value()) == std::vector<uint64_t>{6});
  CHECK(h.counter(kDropped, R"(reason="log_full")") == 3);
  // One warning per session, not one per append.
  const std::string log = h.log().text();
  const std::string warning = "ctx=s-1 event=store_events_dropped reason=log_full max_events=3";
  const auto first = log.find(warning);
  REQUIRE(first != std::string::npos);
  CHECK(log.find("reason=log_full", first + warning.size()) == std::string::npos);
}

TEST_CASE("a full sessionless log drops the oldest and counts it") {
  auto limits = testLimits();
  limits.max_sessionless_events = 2;
  MemoryStoreHarness h(limits);
  AwaitingStore s(h);
  h.store().appendSessionlessEvents({newEvent("1"), newEvent("2"), newEvent("3")});
  CHECK(seqsOf(s.readSessionless(0, 100)) == std::vector<uint64_t>{2, 3});
  CHECK(h.counter(kDropped, R"(reason="log_full")") == 1);
  CHECK(h.log().contains("ctx=sessionless event=store_events_dropped reason=log_full"));
}

TEST_CASE("appending to an unknown or expired session is counted and logged") {
  MemoryStoreHarness h;
  AwaitingStore s(h);
  h.store().appendEvents("ghost", {newEvent("a"), newEvent("b")});
  CHECK(h.counter(kDropped, R"(reason="unknown_session")") == 2);
  CHECK(h.log().contains(
      "level=warn ctx=ghost event=store_events_dropped reason=unknown_session count=2"));

  REQUIRE(s.create(newRecord("s-1")).ok());
  h.clock().advanceMs(kTtlMs);
  h.store().appendEvents("s-1", {newEvent("late")});
  CHECK(h.counter(kDropped, R"(reason="unknown_session")") == 3);
  CHECK_FALSE(s.get("s-1").has_value());  // the append did not revive it
}

TEST_CASE("illegal transitions are counted and logged") {
  MemoryStoreHarness h;
  AwaitingStore s(h);
  REQUIRE(s.create(newRecord("s-1")).ok());
  REQUIRE_FALSE(s.transition("s-1", SessionState::kActive).ok());
  REQUIRE(s.transition("s-1", SessionState::kClosed).ok());
  REQUIRE_FALSE(s.completeInitialize("s-1", "v", "{}").ok());
  CHECK(h.counter("sidecar_store_illegal_transitions_total") == 2);
  CHECK(h.log().contains(
      "level=warn ctx=s-1 event=store_illegal_transition op=transition from=INITIALIZING "
      "to=ACTIVE"));
  CHECK(h.log().contains("op=completeInitialize from=CLOSED to=INITIALIZED"));
  // Unknown ids are not illegal transitions.
  REQUIRE_FALSE(s.transition("nope", SessionState::kClosed).ok());
  CHECK(h.counter("sidecar_store_illegal_transitions_total") == 2);
}

TEST_CASE("an empty session id is refused") {
  MemoryStoreHarness h;
  AwaitingStore s(h);
  const auto r = s.create(newRecord(""));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("destroying the store drops its pending answers") {
  EventBasePtr base(event_base_new());
  ManualClock clock;
  test::LogCapture log;
  Logger logger(LogLevel::kDebug, LogFormat::kText, log.file());
  MetricsRegistry metrics;
  auto store = std::make_unique<MemorySessionStore>(*base, clock, logger, metrics, testLimits());
  bool ran = false;
  CallHandle handle = store->createSession(newRecord("s-1"), [&](Result<Ok>) { ran = true; });
  CHECK(metrics.gauge("sidecar_store_sessions", "").value() == 1);
  store.reset();
  for (int i = 0; i < 3; ++i) event_base_loop(base.get(), EVLOOP_NONBLOCK);
  CHECK_FALSE(ran);
  CHECK(metrics.gauge("sidecar_store_sessions", "").value() == 0);
}
