#include "store_contract.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "awaiting_store.h"
#include "sessionstore/session_state_machine.h"

namespace sidecar::sessionstore::test {
namespace {

constexpr int64_t kCreatedMs = 1'700'000'123'456;

SessionRecord newRecord(const std::string& id) {
  SessionRecord record;
  record.id = id;
  record.client_params = R"({"protocolVersion":"2025-06-18","capabilities":{}})";
  record.credential_fingerprint = "ab12cd34";
  record.created_unix_ms = kCreatedMs;
  return record;
}

EventRecord newEvent(const std::string& message, const std::string& stream_id = "post-1",
                     uint64_t stream_seq = 1) {
  EventRecord event;
  event.direction = Direction::kClientToServer;
  event.stream_id = stream_id;
  event.stream_seq = stream_seq;
  event.message = message;
  return event;
}

std::vector<uint64_t> seqsOf(const EventPage& page) {
  std::vector<uint64_t> seqs;
  for (const auto& e : page.events) seqs.push_back(e.seq);
  return seqs;
}

std::vector<std::string> messagesOf(const EventPage& page) {
  std::vector<std::string> messages;
  for (const auto& e : page.events) messages.push_back(e.message);
  return messages;
}

const SessionRecord* findIn(const std::vector<SessionRecord>& records, const std::string& id) {
  auto it = std::find_if(records.begin(), records.end(),
                         [&](const SessionRecord& r) { return r.id == id; });
  return it == records.end() ? nullptr : &*it;
}

void createThenGet(AwaitingStore& s) {
  REQUIRE(s.create(newRecord("s-1")).ok());
  const auto got = s.get("s-1");
  REQUIRE(got.has_value());
  CHECK(got->id == "s-1");
  CHECK(got->state == SessionState::kInitializing);
  CHECK(got->client_params == newRecord("s-1").client_params);
  CHECK(got->credential_fingerprint == "ab12cd34");
  CHECK(got->created_unix_ms == kCreatedMs);
  CHECK(got->last_seen_unix_ms > 0);
  CHECK(got->event_count == 0);
  CHECK(got->protocol_version.empty());
}

void duplicateCreateConflicts(AwaitingStore& s) {
  REQUIRE(s.create(newRecord("s-1")).ok());
  SessionRecord again = newRecord("s-1");
  again.client_params = R"({"other":true})";
  const auto second = s.create(again);
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == ErrorCode::kConflict);
  CHECK(s.get("s-1")->client_params == newRecord("s-1").client_params);
}

void fullLifecycle(AwaitingStore& s) {
  REQUIRE(s.create(newRecord("s-1")).ok());
  const auto initialized = s.completeInitialize("s-1", "2025-06-18", R"({"serverInfo":{}})");
  REQUIRE(initialized.ok());
  CHECK(initialized.value().state == SessionState::kInitialized);
  CHECK(initialized.value().protocol_version == "2025-06-18");
  CHECK(initialized.value().server_result == R"({"serverInfo":{}})");

  const auto active = s.transition("s-1", SessionState::kActive);
  REQUIRE(active.ok());
  CHECK(active.value().state == SessionState::kActive);

  const auto closed = s.transition("s-1", SessionState::kClosed);
  REQUIRE(closed.ok());
  CHECK(closed.value().state == SessionState::kClosed);

  const auto got = s.get("s-1");
  REQUIRE(got.has_value());
  CHECK(got->state == SessionState::kClosed);
  CHECK(got->protocol_version == "2025-06-18");
  CHECK(got->server_result == R"({"serverInfo":{}})");
}

void illegalTransitionsRefused(AwaitingStore& s) {
  REQUIRE(s.create(newRecord("s-1")).ok());
  auto expectConflict = [&](SessionState to, SessionState unchanged) {
    const auto r = s.transition("s-1", to);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kConflict);
    CHECK(s.get("s-1")->state == unchanged);
  };
  expectConflict(SessionState::kActive, SessionState::kInitializing);
  expectConflict(SessionState::kInitializing, SessionState::kInitializing);

  REQUIRE(s.completeInitialize("s-1", "2025-06-18", "{}").ok());
  const auto twice = s.completeInitialize("s-1", "1999-01-01", R"({"late":1})");
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().code == ErrorCode::kConflict);
  CHECK(s.get("s-1")->protocol_version == "2025-06-18");
  CHECK(s.get("s-1")->server_result == "{}");
  expectConflict(SessionState::kInitializing, SessionState::kInitialized);

  REQUIRE(s.transition("s-1", SessionState::kActive).ok());
  expectConflict(SessionState::kInitialized, SessionState::kActive);
  expectConflict(SessionState::kActive, SessionState::kActive);

  REQUIRE(s.transition("s-1", SessionState::kClosed).ok());
  for (auto to : {SessionState::kInitializing, SessionState::kInitialized, SessionState::kActive,
                  SessionState::kClosed}) {
    expectConflict(to, SessionState::kClosed);
  }
  const auto late = s.completeInitialize("s-1", "x", "{}");
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().code == ErrorCode::kConflict);
}

void unknownIdNotFound(AwaitingStore& s) {
  CHECK_FALSE(s.get("nope").has_value());
  const auto t = s.transition("nope", SessionState::kClosed);
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().code == ErrorCode::kNotFound);
  const auto c = s.completeInitialize("nope", "2025-06-18", "{}");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().code == ErrorCode::kNotFound);
  const auto r = s.read("nope", 0, 10);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kNotFound);

  // Fire-and-forget calls must not conjure the session up.
  s.store().touch("nope");
  s.store().appendEvents("nope", {newEvent("{}")});
  CHECK_FALSE(s.get("nope").has_value());
  CHECK(findIn(s.list(), "nope") == nullptr);
}

void completionsNeverSynchronous(StoreHarness& h) {
  // AwaitingStore checks this on every call; here the error paths too,
  // issued back to back without pumping in between.
  SessionStore& store = h.store();
  int answered = 0;
  auto count = [&answered](auto&&) { ++answered; };
  std::vector<CallHandle> handles;
  handles.push_back(store.createSession(newRecord("s-1"), count));
  handles.push_back(store.createSession(newRecord("s-1"), count));  // conflict
  handles.push_back(store.transition("s-1", SessionState::kActive, count));  // illegal
  handles.push_back(store.transition("nope", SessionState::kClosed, count));
  handles.push_back(store.completeInitialize("nope", "v", "{}", count));
  handles.push_back(store.getSession("s-1", count));
  handles.push_back(store.listSessions(count));
  handles.push_back(store.readEvents("nope", 0, 1, count));
  handles.push_back(store.readSessionlessEvents(0, 1, count));
  CHECK(answered == 0);
  REQUIRE(h.pumpUntil([&] { return answered == static_cast<int>(handles.size()); }));
}

void destroyedHandleSuppressesCompletion(StoreHarness& h) {
  SessionStore& store = h.store();
  bool dropped_ran = false;
  bool cancelled_ran = false;
  bool sentinel_ran = false;
  { CallHandle gone = store.getSession("s-1", [&](auto&&) { dropped_ran = true; }); }
  CallHandle cancelled = store.listSessions([&](auto&&) { cancelled_ran = true; });
  cancelled.cancel();
  CHECK_FALSE(cancelled.active());
  // Answers arrive in call order, so once the later call has answered the
  // earlier ones would have too.
  CallHandle sentinel = store.getSession("s-1", [&](auto&&) { sentinel_ran = true; });
  REQUIRE(h.pumpUntil([&] { return sentinel_ran; }));
  CHECK_FALSE(dropped_ran);
  CHECK_FALSE(cancelled_ran);
}

void appendsKeepOrder(AwaitingStore& s) {
  REQUIRE(s.create(newRecord("s-1")).ok());
  REQUIRE(s.create(newRecord("s-2")).ok());

  EventRecord from_server = newEvent(R"({"id":1,"result":{}})", "get-7", 3);
  from_server.direction = Direction::kServerToClient;
  from_server.upstream_event_id = "evt-42";
  from_server.unix_ms = 1'700'000'999'000;
  EventRecord synthetic = newEvent(R"({"method":"notifications/initialized"})", "rehydrate-1", 1);
  synthetic.synthetic = true;

  s.store().appendEvents("s-1", {newEvent("m1", "post-1", 1), newEvent("m2", "post-1", 2)});
  s.store().appendEvents("s-2", {newEvent("other")});
  s.store().appendEvents("s-1", {from_server, newEvent("m4", "post-2", 1)});
  s.store().appendEvents("s-1", {synthetic});

  const auto page = s.read("s-1", 0, 100);
  REQUIRE(page.ok());
  const EventPage& p = page.value();
  CHECK(seqsOf(p) == std::vector<uint64_t>{1, 2, 3, 4, 5});
  CHECK(messagesOf(p) == std::vector<std::string>{"m1", "m2", from_server.message, "m4",
                                                  synthetic.message});
  CHECK(p.next_after_seq == 5);

  CHECK(p.events[0].stream_id == "post-1");
  CHECK(p.events[1].stream_seq == 2);
  CHECK(p.events[0].unix_ms > 0);  // stamped by the store when 0
  const EventRecord& got = p.events[2];
  CHECK(got.direction == Direction::kServerToClient);
  CHECK(got.stream_id == "get-7");
  CHECK(got.stream_seq == 3);
  CHECK(got.upstream_event_id == "evt-42");
  CHECK(got.unix_ms == 1'700'000'999'000);  // kept when given
  CHECK_FALSE(got.synthetic);
  CHECK(p.events[4].synthetic);
  CHECK(p.events[4].stream_id == "rehydrate-1");

  // Sessions have independent logs and seqs.
  const auto other = s.read("s-2", 0, 100);
  REQUIRE(other.ok());
  CHECK(seqsOf(other.value()) == std::vector<uint64_t>{1});
  CHECK(s.get("s-1")->event_count == 5);
  CHECK(s.get("s-2")->event_count == 1);
}

void readEventsPages(AwaitingStore& s) {
  REQUIRE(s.create(newRecord("s-1")).ok());
  for (int i = 1; i <= 10; ++i) {
    s.store().appendEvents("s-1", {newEvent("m" + std::to_string(i))});
  }
  auto page = [&](uint64_t after, size_t limit) {
    auto r = s.read("s-1", after, limit);
    REQUIRE(r.ok());
    return std::move(r).value();
  };
  const auto p1 = page(0, 4);
  CHECK(seqsOf(p1) == std::vector<uint64_t>{1, 2, 3, 4});
  CHECK(p1.next_after_seq == 4);
  const auto p2 = page(p1.next_after_seq, 4);
  CHECK(seqsOf(p2) == std::vector<uint64_t>{5, 6, 7, 8});
  const auto p3 = page(p2.next_after_seq, 4);
  CHECK(seqsOf(p3) == std::vector<uint64_t>{9, 10});
  CHECK(p3.next_after_seq == 10);
  const auto p4 = page(p3.next_after_seq, 4);
  CHECK(p4.events.empty());
  CHECK(p4.next_after_seq == 10);
  const auto none = page(3, 0);
  CHECK(none.events.empty());
  CHECK(none.next_after_seq == 3);
  CHECK(messagesOf(page(6, 1)) == std::vector<std::string>{"m7"});
}

void sessionlessLog(AwaitingStore& s) {
  REQUIRE(s.create(newRecord("s-1")).ok());
  s.store().appendEvents("s-1", {newEvent("in-session"), newEvent("in-session-2")});
  EventRecord ping = newEvent(R"({"method":"ping"})", "post-9", 1);
  ping.upstream_event_id = "u-1";
  s.store().appendSessionlessEvents({ping, newEvent("b")});
  s.store().appendSessionlessEvents({newEvent("c")});

  const auto all = s.readSessionless(0, 100);
  CHECK(seqsOf(all) == std::vector<uint64_t>{1, 2, 3});
  CHECK(messagesOf(all) == std::vector<std::string>{ping.message, "b", "c"});
  CHECK(all.events[0].stream_id == "post-9");
  CHECK(all.events[0].upstream_event_id == "u-1");
  CHECK(all.events[0].unix_ms > 0);
  const auto tail = s.readSessionless(1, 1);
  CHECK(seqsOf(tail) == std::vector<uint64_t>{2});
  CHECK(tail.next_after_seq == 2);
  CHECK(s.get("s-1")->event_count == 2);  // the two logs do not mix
}

void listIncludesClosed(AwaitingStore& s) {
  REQUIRE(s.create(newRecord("s-open")).ok());
  REQUIRE(s.create(newRecord("s-closed")).ok());
  REQUIRE(s.transition("s-closed", SessionState::kClosed).ok());
  s.store().appendEvents("s-open", {newEvent("a"), newEvent("b")});

  const auto records = s.list();
  const SessionRecord* open = findIn(records, "s-open");
  const SessionRecord* closed = findIn(records, "s-closed");
  REQUIRE(open != nullptr);
  REQUIRE(closed != nullptr);
  CHECK(open->state == SessionState::kInitializing);
  CHECK(open->event_count == 2);
  CHECK(closed->state == SessionState::kClosed);
  CHECK(closed->event_count == 0);
}

}  // namespace

void runStoreContract(const StoreHarnessFactory& make) {
  const auto harness = make();
  REQUIRE(harness != nullptr);
  AwaitingStore store(*harness);

  SECTION("create then get returns the record") { createThenGet(store); }
  SECTION("creating an existing id is a conflict") { duplicateCreateConflicts(store); }
  SECTION("lifecycle INITIALIZING -> INITIALIZED -> ACTIVE -> CLOSED") { fullLifecycle(store); }
  SECTION("illegal transitions are refused and leave the record unchanged") {
    illegalTransitionsRefused(store);
  }
  SECTION("unknown ids are not found") { unknownIdNotFound(store); }
  SECTION("completions never run inside the call") { completionsNeverSynchronous(*harness); }
  SECTION("a destroyed or cancelled CallHandle suppresses its completion") {
    destroyedHandleSuppressesCompletion(*harness);
  }
  SECTION("appends keep order and fields, seq 1..n across calls") { appendsKeepOrder(store); }
  SECTION("readEvents pages with after_seq and limit") { readEventsPages(store); }
  SECTION("the sessionless log has its own seq") { sessionlessLog(store); }
  SECTION("list includes CLOSED sessions with event counts") { listIncludesClosed(store); }
}

}  // namespace sidecar::sessionstore::test
