// The Redis store through the failure modes of docs/failure-modes-redis.md,
// each played on a real redis-server: killed, restarted (with AOF), absent
// at start, frozen with SIGSTOP, and a buffer that overflows.

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "awaiting_store.h"
#include "redis_server.h"
#include "redis_store_harness.h"
#include "redis_sync_client.h"
#include "redis_test_support.h"

using namespace std::chrono_literals;
using namespace sidecar;
using namespace sidecar::sessionstore;
using namespace sidecar::sessionstore::test;

namespace {

constexpr std::string_view kDropped = "sidecar_store_events_dropped_total";
constexpr std::string_view kBuffered = "sidecar_store_buffered_events";

RedisHarnessConfig onPort(uint16_t port) {
  RedisHarnessConfig cfg;
  cfg.port = port;
  return cfg;
}

size_t occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("appends made while Redis is down are buffered and arrive in order after a restart",
          "[outage]") {
  RedisServer server(aofServer());  // the session must survive the SIGKILL
  RedisStoreHarness h(server.port());
  REQUIRE(h.ready());
  AwaitingStore s(h);
  REQUIRE(s.create(redisRecord("s-1")).ok());
  h.store().appendEvents("s-1", {redisEvent("before-1"), redisEvent("before-2")});
  REQUIRE(h.pumpUntil([&] { return h.redis().bufferedEvents() == 0; }));

  server.kill();
  REQUIRE(h.pumpUntil([&] { return !h.store().healthy(); }));
  CHECK(h.log().contains("event=redis_disconnected"));

  constexpr int kDown = 40;
  for (int i = 1; i <= kDown; ++i) {
    h.store().appendEvents("s-1", {redisEvent("down-" + std::to_string(i))});
    if (i % 10 == 0) idleFor(h, 30ms);  // spread over turns and reconnect attempts
  }
  CHECK(h.gauge(kBuffered) == kDown);
  CHECK(h.redis().bufferedEvents() == kDown);

  REQUIRE(server.start());
  REQUIRE(h.pumpUntil([&] { return h.store().healthy() && h.redis().bufferedEvents() == 0; }));
  CHECK(h.gauge(kBuffered) == 0);
  CHECK(h.counter("sidecar_redis_reconnects_total") >= 1);
  CHECK(h.counter(kDropped, R"(reason="buffer_full")") == 0);

  const auto page = s.read("s-1", 0, 1000);
  REQUIRE(page.ok());
  CHECK(seqsOf(page.value()) == oneTo(kDown + 2));
  const auto messages = messagesOf(page.value());
  CHECK(messages.front() == "before-1");
  CHECK(messages[2] == "down-1");
  CHECK(messages.back() == "down-" + std::to_string(kDown));
}

TEST_CASE("appends beyond buffer_events while Redis is down are counted and logged once",
          "[outage]") {
  RedisServer server(aofServer());
  RedisHarnessConfig cfg = onPort(server.port());
  cfg.store.redis.buffer_events = 10;
  RedisStoreHarness h(cfg);
  REQUIRE(h.ready());
  AwaitingStore s(h);
  REQUIRE(s.create(redisRecord("s-1")).ok());

  server.kill();
  REQUIRE(h.pumpUntil([&] { return !h.store().healthy(); }));
  for (int call = 0; call < 4; ++call) {
    std::vector<EventRecord> events;
    for (int i = 1; i <= 5; ++i) events.push_back(redisEvent(std::to_string(call * 5 + i)));
    h.store().appendEvents("s-1", std::move(events));
  }
  h.store().appendSessionlessEvents({redisEvent("x"), redisEvent("y"), redisEvent("z")});
  idleFor(h, 20ms);

  CHECK(h.gauge(kBuffered) == 10);  // the bound is on all logs together
  CHECK(h.counter(kDropped, R"(reason="buffer_full")") == 13);
  CHECK(occurrences(h.log().text(), "reason=buffer_full") == 1);  // once per outage

  REQUIRE(server.start());
  REQUIRE(h.pumpUntil([&] { return h.store().healthy() && h.redis().bufferedEvents() == 0; }));
  const auto page = s.read("s-1", 0, 100);
  REQUIRE(page.ok());
  CHECK(seqsOf(page.value()) == oneTo(10));  // the oldest ten kept, in order
  CHECK(page.value().events.back().message == "10");
  CHECK(s.readSessionless(0, 10).events.empty());
}

TEST_CASE("Redis restarted from its AOF has every acknowledged write", "[outage][aof]") {
  RedisServer server(aofServer());
  const RedisHarnessConfig cfg = onPort(server.port());  // both stores share the prefix
  {
    RedisStoreHarness h(cfg);
    REQUIRE(h.ready());
    AwaitingStore s(h);
    for (const char* id : {"a", "b", "c"}) REQUIRE(s.create(redisRecord(id)).ok());
    REQUIRE(s.completeInitialize("a", "2025-06-18", R"({"serverInfo":{"name":"x"}})").ok());
    REQUIRE(s.transition("a", SessionState::kActive).ok());
    REQUIRE(s.transition("b", SessionState::kClosed).ok());
    for (int i = 1; i <= 100; ++i) {
      h.store().appendEvents("a", {redisEvent("m" + std::to_string(i), i)});
      if (i % 10 == 0) idleFor(h, 1ms);
    }
    h.store().appendSessionlessEvents({redisEvent("s1"), redisEvent("s2")});
    REQUIRE(h.pumpUntil([&] { return h.redis().bufferedEvents() == 0; }));  // acknowledged
    server.kill();  // no shutdown, no final fsync beyond appendfsync always
  }
  REQUIRE(server.start());
  RedisStoreHarness h(cfg);
  REQUIRE(h.ready());
  AwaitingStore s(h);
  const auto a = s.get("a");
  REQUIRE(a.has_value());
  CHECK(a->state == SessionState::kActive);
  CHECK(a->protocol_version == "2025-06-18");
  CHECK(a->server_result == R"({"serverInfo":{"name":"x"}})");
  CHECK(a->event_count == 100);
  CHECK(s.get("b")->state == SessionState::kClosed);
  CHECK(s.get("c")->state == SessionState::kInitializing);
  const auto page = s.read("a", 0, 1000);
  REQUIRE(page.ok());
  CHECK(seqsOf(page.value()) == oneTo(100));
  CHECK(page.value().events[41].stream_seq == 42);
  CHECK(messagesOf(s.readSessionless(0, 10)) == std::vector<std::string>{"s1", "s2"});
  CHECK(s.list().size() == 3);
  // Seq continues where it stopped: the counter survived too.
  h.store().appendEvents("a", {redisEvent("after")});
  CHECK(seqsOf(s.read("a", 100, 10).value()) == std::vector<uint64_t>{101});
}

TEST_CASE("unreachable at start: fails fast, not ready, connects when Redis appears", "[outage]") {
  const uint16_t port = RedisServer::freePort();
  RedisHarnessConfig cfg = onPort(port);
  cfg.wait_ready = false;
  RedisStoreHarness h(cfg);
  CHECK_FALSE(h.store().healthy());
  CHECK_FALSE(h.store().everReachable());

  std::chrono::milliseconds took{};
  const auto got = getRaw(h, "s-1", &took);
  REQUIRE(got.has_value());
  REQUIRE_FALSE(got->ok());
  CHECK(got->error().code == ErrorCode::kUnavailable);
  CHECK(took < 100ms);  // the circuit breaker answers, nothing waits on a socket
  AwaitingStore s(h);
  const auto created = s.create(redisRecord("s-1"));
  REQUIRE_FALSE(created.ok());
  CHECK(created.error().code == ErrorCode::kUnavailable);
  const auto read = s.read("s-1", 0, 10);
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().code == ErrorCode::kUnavailable);

  idleFor(h, 300ms);
  CHECK_FALSE(h.store().everReachable());
  CHECK(h.counter("sidecar_redis_reconnects_total") >= 1);
  CHECK(h.log().contains("event=redis_connect_failed"));
  CHECK(h.log().contains("event=redis_retry"));

  RedisServer server(serverOnPort(port));
  REQUIRE(server.running());
  REQUIRE(h.pumpUntil([&] { return h.store().healthy(); }));
  CHECK(h.store().everReachable());
  CHECK(h.gauge("sidecar_redis_connected") == 1);
  CHECK(s.create(redisRecord("s-1")).ok());
}

TEST_CASE("a stopped Redis: a call times out at the deadline and the store recovers",
          "[outage][deadline]") {
  RedisServer server;
  RedisStoreHarness h(server.port());
  REQUIRE(h.ready());
  AwaitingStore s(h);
  REQUIRE(s.create(redisRecord("s-1")).ok());

  server.pause();
  std::chrono::milliseconds took{};
  const auto got = getRaw(h, "never-cached", &took, 4s);
  server.resume();  // before any REQUIRE can end the test with Redis frozen
  REQUIRE(got.has_value());
  REQUIRE_FALSE(got->ok());
  CHECK(got->error().code == ErrorCode::kTimeout);
  CHECK(took >= 1900ms);
  CHECK(took <= 2600ms);
  CHECK(h.counter("sidecar_redis_command_errors_total", R"(kind="timeout")") >= 1);
  CHECK(h.log().contains("event=redis_command_timeout"));

  REQUIRE(h.pumpUntil([&] { return h.store().healthy(); }));
  CHECK(s.get("s-1").has_value());
}

TEST_CASE("an append whose outcome was lost to a deadline is stored exactly once",
          "[outage][deadline]") {
  RedisServer server;
  RedisHarnessConfig cfg = onPort(server.port());
  cfg.options.connection.command_timeout = 300ms;
  RedisStoreHarness h(cfg);
  REQUIRE(h.ready());
  AwaitingStore s(h);
  REQUIRE(s.create(redisRecord("s-1")).ok());

  server.pause();  // the batch reaches the socket; its answer never comes
  h.store().appendEvents("s-1", {redisEvent("a"), redisEvent("b"), redisEvent("c")});
  const bool dropped = h.pumpFor(2s, [&] { return !h.store().healthy(); });
  server.resume();  // Redis now runs the queued batch, then we resend it
  REQUIRE(dropped);
  REQUIRE(h.pumpUntil([&] { return h.store().healthy() && h.redis().bufferedEvents() == 0; }));

  const auto page = s.read("s-1", 0, 100);
  REQUIRE(page.ok());
  CHECK(seqsOf(page.value()) == oneTo(3));
  CHECK(messagesOf(page.value()) == std::vector<std::string>{"a", "b", "c"});
  CHECK(s.get("s-1")->event_count == 3);
}

TEST_CASE("getSession answers from the cache while Redis is down", "[outage][cache]") {
  RedisServer server;
  RedisHarnessConfig cfg = onPort(server.port());
  cfg.store.cache.ttl = 60s;
  const bool cache_on = GENERATE(true, false);
  cfg.store.cache.enabled = cache_on;
  RedisStoreHarness h(cfg);
  REQUIRE(h.ready());
  AwaitingStore s(h);
  REQUIRE(s.create(redisRecord("s-1")).ok());
  REQUIRE(s.completeInitialize("s-1", "2025-06-18", "{}").ok());

  server.kill();
  REQUIRE(h.pumpUntil([&] { return !h.store().healthy(); }));
  const auto got = getRaw(h, "s-1");
  REQUIRE(got.has_value());
  if (cache_on) {
    REQUIRE(got->ok());
    REQUIRE(got->value().has_value());
    CHECK(got->value()->state == SessionState::kInitialized);
    CHECK(got->value()->client_params == redisRecord("s-1").client_params);
    CHECK(h.counter("sidecar_store_cache_answers_total") == 1);
  } else {
    REQUIRE_FALSE(got->ok());
    CHECK(got->error().code == ErrorCode::kUnavailable);
  }
  const auto unknown = getRaw(h, "s-2");  // never seen here: nothing to answer from
  REQUIRE(unknown.has_value());
  REQUIRE_FALSE(unknown->ok());
  CHECK(unknown->error().code == ErrorCode::kUnavailable);
  const auto moved = s.transition("s-1", SessionState::kActive);  // writes never use the cache
  REQUIRE_FALSE(moved.ok());
  CHECK(moved.error().code == ErrorCode::kUnavailable);
}
