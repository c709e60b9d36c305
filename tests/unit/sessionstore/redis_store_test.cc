// Behaviour specific to the Redis store on a real redis-server: two nodes
// sharing one Redis, the key schema and TTLs as Redis sees them, script
// reloading, AUTH and SELECT. Failure modes are in redis_store_outage_test.cc.

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

#include "awaiting_store.h"
#include "redis_peers_harness.h"
#include "redis_server.h"
#include "redis_store_harness.h"
#include "redis_sync_client.h"
#include "redis_test_support.h"
#include "sessionstore/hex_digest.h"
#include "sessionstore/redis_keys.h"
#include "sessionstore/redis_lua.h"

using namespace std::chrono_literals;
using namespace sidecar;
using namespace sidecar::sessionstore;
using namespace sidecar::sessionstore::test;

namespace {

RedisHarnessConfig onPort(uint16_t port) {
  RedisHarnessConfig cfg;
  cfg.port = port;
  return cfg;
}

// Starts `call` on both nodes before either is answered, then pumps both
// loops; answers how many won and how many got kConflict.
template <class Call>
std::pair<int, int> race(RedisStoreHarness& a, RedisStoreHarness& b, Call call) {
  std::optional<Result<SessionRecord>> ra;
  std::optional<Result<SessionRecord>> rb;
  CallHandle ha = call(a.store(), [&](Result<SessionRecord> r) { ra.emplace(std::move(r)); });
  CallHandle hb = call(b.store(), [&](Result<SessionRecord> r) { rb.emplace(std::move(r)); });
  if (!pumpBases({a.base(), b.base()}, [&] { return ra && rb; })) return {-1, -1};
  int won = 0;
  int conflicts = 0;
  for (const auto* r : {&*ra, &*rb}) {
    if (r->ok()) ++won;
    if (!r->ok() && r->error().code == ErrorCode::kConflict) ++conflicts;
  }
  return {won, conflicts};
}

}  // namespace

TEST_CASE("two nodes racing one transition: exactly one wins", "[race]") {
  RedisServer server;
  const RedisHarnessConfig cfg = onPort(server.port());  // same prefix: one shared store
  RedisStoreHarness a(cfg);
  RedisStoreHarness b(cfg);
  REQUIRE(a.ready());
  REQUIRE(b.ready());
  AwaitingStore sa(a);

  for (int round = 0; round < 10; ++round) {
    const std::string id = "race-" + std::to_string(round);
    REQUIRE(sa.create(redisRecord(id)).ok());
    const auto init = race(a, b, [&](SessionStore& s, auto done) {
      return s.completeInitialize(id, "2025-06-18", "{}", done);
    });
    CHECK(init == std::pair{1, 1});
    const auto activate = race(a, b, [&](SessionStore& s, auto done) {
      return s.transition(id, SessionState::kActive, done);
    });
    CHECK(activate == std::pair{1, 1});
    const auto close = race(a, b, [&](SessionStore& s, auto done) {
      return s.transition(id, SessionState::kClosed, done);
    });
    CHECK(close == std::pair{1, 1});
    CHECK(sa.get(id)->state == SessionState::kClosed);
  }
  CHECK(a.counter("sidecar_store_illegal_transitions_total") +
            b.counter("sidecar_store_illegal_transitions_total") ==
        30);
}

TEST_CASE("a node never serves a cached record Redis could have corrected", "[cache]") {
  RedisServer server;
  RedisHarnessConfig cfg = onPort(server.port());
  cfg.store.cache.ttl = 60s;
  RedisStoreHarness a(cfg);
  RedisStoreHarness b(cfg);
  REQUIRE(a.ready());
  REQUIRE(b.ready());
  AwaitingStore sa(a);
  AwaitingStore sb(b);
  REQUIRE(sa.create(redisRecord("s-1")).ok());
  REQUIRE(sa.get("s-1")->state == SessionState::kInitializing);  // cached on a
  REQUIRE(sb.transition("s-1", SessionState::kClosed).ok());     // closed through b
  CHECK(sa.get("s-1")->state == SessionState::kClosed);
  CHECK(a.counter("sidecar_store_cache_answers_total") == 0);
}

namespace {

// An ACTIVE session created through `h`, whose append `h` has seen applied.
void activeSessionWrittenBy(RedisStoreHarness& h, const std::string& id) {
  AwaitingStore s(h);
  REQUIRE(s.create(redisRecord(id)).ok());
  REQUIRE(s.completeInitialize(id, "2025-11-25", "{}").ok());
  REQUIRE(s.transition(id, SessionState::kActive).ok());
  h.store().appendEvents(id, {redisEvent("request")});
  REQUIRE(s.read(id, 0, 10).ok());  // after the append's acknowledgement
}

// The fingerprint a lookup answers: what these tests change behind the
// store's back to tell a cached answer from a Redis read.
std::string lookedUpFingerprint(RedisStoreHarness& h, const std::string& id) {
  auto got = lookupRaw(h, id);
  REQUIRE(got.has_value());
  REQUIRE(got->ok());
  REQUIRE(got->value().has_value());
  return got->value()->credential_fingerprint;
}

}  // namespace

TEST_CASE("requests are admitted from records this node's writes vouched for, without a read",
          "[cache][vouch]") {
  RedisServer server;
  RedisHarnessConfig cfg = onPort(server.port());  // one prefix: two nodes of one deployment
  cfg.store.cache.ttl = 60s;
  RedisPeersHarness h(cfg);
  REQUIRE(h.ready());
  RedisSyncClient redis(server.port());
  (void)lookupRaw(h.a(), "none");  // the first lookup starts the closed-session feed
  REQUIRE(h.settle());

  activeSessionWrittenBy(h.a(), "v-1");
  const std::string meta = h.a().redis().keys().session("v-1").meta;
  REQUIRE(redis.command({"HSET", meta, "fingerprint", "changed-behind-the-store"}) == "0");
  // Node A wrote the session: its lookup answers from the record it holds,
  // getSession still reads Redis.
  CHECK(lookedUpFingerprint(h.a(), "v-1") == "f00dfeed");
  CHECK(h.a().counter("sidecar_store_vouched_lookups_total") == 1);
  CHECK(AwaitingStore(h.a()).get("v-1")->credential_fingerprint == "changed-behind-the-store");
  // Node B only read it: it asks Redis.
  CHECK(lookedUpFingerprint(h.b(), "v-1") == "changed-behind-the-store");
  CHECK(h.b().counter("sidecar_store_vouched_lookups_total") == 0);

  SECTION("a session closed through another node is refused at once") {
    REQUIRE(AwaitingStore(h.b()).transition("v-1", SessionState::kClosed).ok());
    // Only the closed-session feed can tell A: nothing else changed its cache.
    REQUIRE(h.pumpUntil([&] {
      auto got = lookupRaw(h.a(), "v-1");
      return got && got->ok() && got->value() && got->value()->state == SessionState::kClosed;
    }));
  }

  SECTION("while the feed is down, lookups read Redis until a new write vouches again") {
    REQUIRE(redis.command({"CLIENT", "KILL", "TYPE", "pubsub"}) == "2");  // both nodes looked up
    REQUIRE(h.pumpUntil([&] { return h.a().log().contains("event=redis_subscriber_disconnected"); }));
    CHECK(lookedUpFingerprint(h.a(), "v-1") == "changed-behind-the-store");
    // Resubscribed: the vouch from before the loss still does not count...
    REQUIRE(h.settle());
    REQUIRE(redis.command({"HSET", meta, "fingerprint", "again"}) == "0");
    CHECK(lookedUpFingerprint(h.a(), "v-1") == "again");
    // ...an append acknowledged since does.
    h.a().store().appendEvents("v-1", {redisEvent("after")});
    REQUIRE(AwaitingStore(h.a()).read("v-1", 0, 10).ok());
    REQUIRE(redis.command({"HSET", meta, "fingerprint", "changed-once-more"}) == "0");
    CHECK(lookedUpFingerprint(h.a(), "v-1") == "again");
  }

  SECTION("a transition in flight sends lookups to Redis") {
    const uint64_t before = h.a().counter("sidecar_store_vouched_lookups_total");
    std::optional<Result<SessionRecord>> closed;
    CallHandle closing = h.a().store().transition(
        "v-1", SessionState::kClosed, [&](Result<SessionRecord> r) { closed.emplace(std::move(r)); });
    auto got = lookupRaw(h.a(), "v-1");  // sent after the transition, on the same connection
    REQUIRE(got.has_value());
    REQUIRE(got->ok());
    CHECK(got->value()->state == SessionState::kClosed);
    CHECK(h.a().counter("sidecar_store_vouched_lookups_total") == before);
  }
}

TEST_CASE("with the cache off, every lookup reads Redis and no feed is subscribed",
          "[cache][vouch]") {
  RedisServer server;
  RedisHarnessConfig cfg = onPort(server.port());
  cfg.store.cache.enabled = false;
  RedisStoreHarness h(cfg);
  REQUIRE(h.ready());
  RedisSyncClient redis(server.port());
  activeSessionWrittenBy(h, "v-3");
  REQUIRE(redis.command({"HSET", h.redis().keys().session("v-3").meta, "fingerprint", "new"}) ==
          "0");
  CHECK(lookedUpFingerprint(h, "v-3") == "new");
  CHECK(h.redis().pubsub().channelCount() == 0);
  CHECK(h.counter("sidecar_store_vouched_lookups_total") == 0);
}

TEST_CASE("a vouch lasts min(store.cache.ttl, idle TTL / 2)", "[cache][vouch]") {
  RedisServer server;
  RedisHarnessConfig cfg = onPort(server.port());
  cfg.store.cache.ttl = 300ms;
  RedisStoreHarness h(cfg);
  REQUIRE(h.ready());
  RedisSyncClient redis(server.port());
  (void)lookupRaw(h, "none");
  REQUIRE(h.pumpUntil([&] { return h.redis().pubsub().subscriptionsSettled(); }));
  activeSessionWrittenBy(h, "v-2");
  REQUIRE(redis.command({"HSET", h.redis().keys().session("v-2").meta, "fingerprint", "new"}) ==
          "0");
  CHECK(lookedUpFingerprint(h, "v-2") == "f00dfeed");
  idleFor(h, 350ms);
  CHECK(lookedUpFingerprint(h, "v-2") == "new");
}

TEST_CASE("keys: one hash tag per session, idle TTL on every key, index scored by expiry",
          "[keys]") {
  RedisServer server;
  RedisHarnessConfig cfg = onPort(server.port());
  cfg.session.idle_ttl = 60s;
  RedisStoreHarness h(cfg);
  REQUIRE(h.ready());
  AwaitingStore s(h);
  const std::string id = "odd{id}with braces and a long tail ............................";
  REQUIRE(s.create(redisRecord(id)).ok());
  h.store().appendEvents(id, {redisEvent("one")});
  REQUIRE(s.read(id, 0, 10).ok());

  RedisSyncClient redis(server.port());
  const std::string tag = sessionHashTag(id);
  CHECK(tag.size() == 16);
  const std::string meta = cfg.prefix + "{" + tag + "}:meta";
  const std::string events = cfg.prefix + "{" + tag + "}:events";
  const std::string starts = cfg.prefix + "{" + tag + "}:starts";
  CHECK(h.redis().keys().session(id).meta == meta);
  CHECK(h.redis().keys().session(id).starts == starts);
  CHECK(redis.command({"HGET", meta, "id"}) == id);
  CHECK(redis.command({"HGET", meta, "seq"}) == "1");
  CHECK(std::stoll(redis.command({"HGET", meta, "refreshed_ms"})) > 0);
  CHECK(redis.command({"TYPE", events}) == "stream");
  const RedisReply entries = redis.reply({"XRANGE", events, "-", "+"});
  REQUIRE(entries.elements.size() == 1);
  CHECK(entries.elements[0].elements[0].str == "1-0");  // entry id = seq
  CHECK(redis.command({"ZSCORE", starts, "post-1"}) == "0");  // seq before the stream's first event
  const int64_t lifetime = keyLifetimeMs(60s);  // the idle TTL plus the refresh slack
  CHECK(lifetime == 63'750);
  for (const auto& key : {meta, events, starts}) {
    const long long ttl = std::stoll(redis.command({"PTTL", key}));
    CHECK(ttl > lifetime - 5'000);
    CHECK(ttl <= lifetime);
  }
  const long long expiry = std::stoll(redis.command({"ZSCORE", cfg.prefix + "sessions", id}));
  const long long now = SystemClock().nowUnixMs();
  CHECK(expiry > now + lifetime - 5'000);
  CHECK(expiry <= now + lifetime);

  // Within the slack of the last refresh, appends and touches leave the TTLs
  // alone (they are at least the idle TTL ahead anyway)...
  for (const auto& key : {meta, events, starts}) {
    REQUIRE(redis.command({"PEXPIRE", key, "5000"}) == "1");
  }
  h.store().touch(id);
  h.store().appendEvents(id, {redisEvent("two", 2)});
  REQUIRE(s.read(id, 0, 10).ok());
  for (const auto& key : {meta, events}) CHECK(std::stoll(redis.command({"PTTL", key})) <= 5'000);
  // ...but a stream the append indexes anew gets its TTL at once.
  EventRecord other_stream = redisEvent("three");
  other_stream.stream_id = "post-2";
  h.store().appendEvents(id, {other_stream});
  REQUIRE(s.read(id, 0, 10).ok());
  CHECK(std::stoll(redis.command({"PTTL", starts})) > lifetime - 5'000);

  // Once the slack has passed, touch refreshes every key's TTL.
  for (const auto& key : {meta, events, starts}) {
    REQUIRE(redis.command({"PEXPIRE", key, "5000"}) == "1");
  }
  makeRefreshDue(redis, meta);
  h.store().touch(id);
  REQUIRE(h.pumpUntil([&] { return std::stoll(redis.command({"PTTL", events})) > 55'000; }));
  CHECK(std::stoll(redis.command({"PTTL", meta})) > 55'000);
  CHECK(std::stoll(redis.command({"PTTL", starts})) > 55'000);

  // A new session under an expired namesake's tag starts without its index.
  for (const auto& key : {meta, events}) REQUIRE(redis.command({"DEL", key}) == "1");
  REQUIRE(s.create(redisRecord(id)).ok());
  CHECK(redis.command({"EXISTS", starts}) == "0");
}

TEST_CASE("the starts index stays as bounded as the log", "[keys][streams]") {
  RedisServer server;
  RedisHarnessConfig cfg = onPort(server.port());
  cfg.store.redis.stream_maxlen = 10;
  RedisStoreHarness h(cfg);
  REQUIRE(h.ready());
  AwaitingStore s(h);
  REQUIRE(s.create(redisRecord("long")).ok());
  // 1100 one-event streams: the index is pruned when the seq passes 1024.
  for (int i = 1; i <= 1100; ++i) {
    EventRecord event = redisEvent("e");
    event.stream_id = "post-" + std::to_string(i);
    h.store().appendEvents("long", {event});
  }
  REQUIRE(s.read("long", 1099, 10).ok());
  RedisSyncClient redis(server.port());
  const std::string starts = h.redis().keys().session("long").starts;
  const long long held = std::stoll(redis.command({"ZCARD", starts}));
  // Pruned by the batch that crossed seq 1024, down to the 10 newest at its
  // end; what came after is all there.
  CHECK(held >= 10);
  CHECK(held <= 1100 - 1024 + 10);
  CHECK_FALSE(s.streamStart("long", "post-1").value().has_value());
  CHECK_FALSE(s.streamStart("long", "post-1000").value().has_value());
  CHECK(s.streamStart("long", "post-1091").value() == 1090u);
  CHECK(s.streamStart("long", "post-1100").value() == 1099u);
}

TEST_CASE("sessions expire after the idle TTL, index entries included", "[keys]") {
  RedisServer server;
  RedisHarnessConfig cfg = onPort(server.port());
  cfg.session.idle_ttl = 300ms;
  cfg.options.index_prune_interval = 0ms;
  RedisStoreHarness h(cfg);
  REQUIRE(h.ready());
  AwaitingStore s(h);
  REQUIRE(s.create(redisRecord("short")).ok());
  h.store().appendEvents("short", {redisEvent("x")});
  REQUIRE(s.list().size() == 1);
  idleFor(h, 400ms);
  CHECK_FALSE(s.get("short").has_value());
  CHECK(s.list().empty());
  RedisSyncClient redis(server.port());
  CHECK(redis.command({"ZCARD", cfg.prefix + "sessions"}) == "0");  // pruned by the list
}

TEST_CASE("scripts flushed from Redis are reloaded (NOSCRIPT falls back to EVAL)", "[scripts]") {
  RedisServer server;
  RedisStoreHarness h(server.port());
  REQUIRE(h.ready());
  AwaitingStore s(h);
  REQUIRE(s.create(redisRecord("s-1")).ok());
  RedisSyncClient redis(server.port());
  REQUIRE(redis.command({"SCRIPT", "FLUSH"}) == "OK");

  h.store().appendEvents("s-1", {redisEvent("a"), redisEvent("b")});
  const auto page = s.read("s-1", 0, 10);
  REQUIRE(page.ok());
  CHECK(seqsOf(page.value()) == oneTo(2));
  CHECK(s.transition("s-1", SessionState::kClosed).ok());
  CHECK(h.counter("sidecar_redis_command_errors_total", R"(kind="noscript")") >= 1);
  // Every script is back in the server's cache, not only the ones called.
  const RedisReply loaded = redis.reply({"SCRIPT", "EXISTS", sha1Hex(luaSource(ScriptId::kTouch)),
                                         sha1Hex(luaSource(ScriptId::kCreate))});
  REQUIRE(loaded.elements.size() == 2);
  CHECK(loaded.elements[0].integer == 1);
  CHECK(loaded.elements[1].integer == 1);
}

TEST_CASE("AUTH and SELECT on every connection, the password never logged", "[auth]") {
  const std::string password = "s3cret-Pa55";
  RedisServer server(serverWithArgs({"--requirepass", password}));
  REQUIRE(server.running());
  RedisHarnessConfig cfg = onPort(server.port());
  cfg.store.redis.db = 3;

  SECTION("right password") {
    cfg.store.redis.password = password;
    RedisStoreHarness h(cfg);
    REQUIRE(h.ready());
    AwaitingStore s(h);
    REQUIRE(s.create(redisRecord("s-1")).ok());
    RedisSyncClient redis(server.port());
    REQUIRE(redis.command({"AUTH", password}) == "OK");
    REQUIRE(redis.command({"SELECT", "3"}) == "OK");
    CHECK(redis.command({"EXISTS", h.redis().keys().session("s-1").meta}) == "1");
    REQUIRE(redis.command({"SELECT", "0"}) == "OK");
    CHECK(redis.command({"EXISTS", h.redis().keys().session("s-1").meta}) == "0");
    // A lost connection logs in again before anything else is sent.
    REQUIRE(redis.command({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"}) != "");
    REQUIRE(h.pumpUntil([&] { return !h.store().healthy(); }));
    REQUIRE(h.pumpUntil([&] { return h.store().healthy(); }));
    CHECK(s.get("s-1").has_value());
    CHECK_FALSE(h.log().contains(password));
  }
  SECTION("wrong password: never ready, the refusal is logged without the secret") {
    cfg.store.redis.password = "wrong-" + password;
    cfg.wait_ready = false;
    RedisStoreHarness h(cfg);
    idleFor(h, 300ms);
    CHECK_FALSE(h.store().healthy());
    CHECK_FALSE(h.store().everReachable());
    CHECK(h.log().contains("event=redis_handshake_failed"));
    CHECK(h.log().contains("command=AUTH"));
    CHECK_FALSE(h.log().contains(password));
  }
}

TEST_CASE("destroying the store drops pending completions and reports unsent events",
          "[lifetime]") {
  RedisServer server;
  RedisStoreHarness h(server.port());
  REQUIRE(h.ready());
  AwaitingStore s(h);
  REQUIRE(s.create(redisRecord("s-1")).ok());
  server.pause();  // nothing is answered from here on
  h.store().appendEvents("s-1", {redisEvent("a")});
  idleFor(h, 20ms);  // the batch is on the wire, unanswered
  bool answered = false;
  CallHandle lookup = h.store().getSession("s-1", [&](auto&&) { answered = true; });
  CallHandle list = h.store().listSessions([&](auto&&) { answered = true; });
  // The subscriber connects now and waits for its PING's answer.
  Subscription watch = h.store().watchSession("s-1", [&] { answered = true; });
  Subscription bus = h.store().subscribe([&](std::string_view) { answered = true; });
  h.store().appendEvents("s-1", {redisEvent("b")});
  idleFor(h, 20ms);
  h.destroyStore();  // with a batch in flight, one waiting, two reads and a handshake pending
  idleFor(h, 20ms);
  server.resume();
  CHECK_FALSE(answered);
  CHECK(h.log().contains("event=store_events_unsent_at_shutdown count=2"));
  CHECK(h.gauge("sidecar_store_buffered_events") == 0);
  CHECK(h.gauge("sidecar_redis_connected") == 0);
  CHECK(h.gauge("sidecar_redis_subscribed_channels") == 0);
}

// Not a check: measures what one stored event costs in Redis, for
// docs/storage.md. Run with: unit_redis_store "[measure]"
TEST_CASE("measure: bytes per stream entry", "[.][measure]") {
  RedisServer server;
  RedisStoreHarness h(server.port());
  REQUIRE(h.ready());
  AwaitingStore s(h);
  RedisSyncClient redis(server.port());
  for (const size_t message_bytes : {100, 300, 1000, 2000}) {
    const std::string id = "m-" + std::to_string(message_bytes);
    REQUIRE(s.create(redisRecord(id)).ok());
    constexpr int kEvents = 10'000;
    for (int i = 1; i <= kEvents; ++i) {
      EventRecord e = redisEvent(std::string(message_bytes, 'x'), i);
      e.stream_id = "0b5f9c52-3c1e-4b8e-9a55-6f1d2f0e7a11";
      e.upstream_event_id = i % 2 == 0 ? "evt-" + std::to_string(i) : "";
      h.store().appendEvents(id, {std::move(e)});
      if (i % 500 == 0) REQUIRE(h.pumpUntil([&] { return h.redis().bufferedEvents() == 0; }));
    }
    REQUIRE(h.pumpUntil([&] { return h.redis().bufferedEvents() == 0; }));
    const auto events = h.redis().keys().session(id).events;
    const long long bytes = std::stoll(redis.command({"MEMORY", "USAGE", events, "SAMPLES", "0"}));
    std::printf("message=%zu B: %lld B for %d entries = %.1f B/entry (overhead %.1f B)\n",
                message_bytes, bytes, kEvents, double(bytes) / kEvents,
                double(bytes) / kEvents - double(message_bytes));
  }
  const auto meta = h.redis().keys().session("m-100").meta;
  std::printf("meta hash: %s B\n", redis.command({"MEMORY", "USAGE", meta}).c_str());

  // Append throughput: 100 sessions x 1000 events of 300 B, appended in
  // bursts of 10 per session per turn, drained through one connection; then
  // again with a second node watching every session (each append script
  // call PUBLISHes one notice that then reaches a subscriber). Redis' own
  // time per script call comes from INFO commandstats.
  for (int i = 0; i < 100; ++i) REQUIRE(s.create(redisRecord("tp-" + std::to_string(i))).ok());
  auto throughput = [&](const char* label, RedisStoreHarness* watcher) {
    REQUIRE(redis.command({"CONFIG", "RESETSTAT"}) == "OK");
    std::vector<event_base*> bases = {h.base()};
    if (watcher != nullptr) bases.push_back(watcher->base());
    const auto t0 = std::chrono::steady_clock::now();
    for (int round = 0; round < 100; ++round) {
      for (int i = 0; i < 100; ++i) {
        std::vector<EventRecord> burst;
        for (int k = 0; k < 10; ++k) burst.push_back(redisEvent(std::string(300, 'y')));
        h.store().appendEvents("tp-" + std::to_string(i), std::move(burst));
      }
      for (event_base* base : bases) event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    }
    REQUIRE(h.pumpFor(60s, [&] { return h.redis().bufferedEvents() == 0; }));
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const std::string stats = redis.command({"INFO", "commandstats"});
    const auto at = stats.find("cmdstat_evalsha:");
    const std::string evalsha =
        at == std::string::npos ? "" : stats.substr(at, stats.find('\r', at) - at);
    std::printf("throughput %s: 100000 events in %.2f s = %.0f events/s; %s\n", label, secs,
                100000 / secs, evalsha.c_str());
  };
  throughput("(nobody watching)", nullptr);

  RedisHarnessConfig same = h.config();
  RedisStoreHarness watcher(same);
  REQUIRE(watcher.ready());
  int wakes = 0;
  std::vector<Subscription> watches;
  for (int i = 0; i < 100; ++i) {
    watches.push_back(watcher.store().watchSession("tp-" + std::to_string(i), [&] { ++wakes; }));
  }
  REQUIRE(pumpBases({h.base(), watcher.base()},
                    [&] { return watcher.redis().pubsub().subscriptionsSettled(); }));
  throughput("(every session watched by another node)", &watcher);
  (void)pumpBases({watcher.base()}, [] { return false; }, 200ms);
  std::printf("wakes on the watching node: %d\n", wakes);
}
