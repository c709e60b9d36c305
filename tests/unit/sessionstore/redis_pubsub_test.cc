// The Redis store's pub/sub side on a real redis-server, beyond the shared
// contract (stream_contract.cc): the lazy second connection, one SUBSCRIBE
// per watched session, channels given up once nobody listens, the
// subscriber connection killed or Redis restarted, AUTH, and the keys and
// channels as Redis sees them.

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "awaiting_store.h"
#include "redis_peers_harness.h"
#include "redis_server.h"
#include "redis_sync_client.h"
#include "redis_test_support.h"
#include "sessionstore/redis_keys.h"

using namespace std::chrono_literals;
using namespace sidecar;
using namespace sidecar::sessionstore;
using namespace sidecar::sessionstore::test;

namespace {

RedisHarnessConfig noSweep(uint16_t port) {
  RedisHarnessConfig cfg;
  cfg.port = port;
  cfg.options.pubsub_sweep_interval = 0ms;  // only messages and explicit sweeps give channels up
  return cfg;
}

long long subscribers(RedisSyncClient& redis, const std::string& channel) {
  const RedisReply reply = redis.reply({"PUBSUB", "NUMSUB", channel});
  return reply.elements.size() == 2 ? reply.elements[1].integer : -1;
}

std::string pubsubClients(RedisSyncClient& redis) {
  return redis.command({"CLIENT", "LIST", "TYPE", "pubsub"});
}

// Node A watching session s-1 and listening on the bus, every subscription
// in force and its first wake consumed.
struct Listening {
  explicit Listening(RedisPeersHarness& h) {
    AwaitingStore s(h);
    REQUIRE(s.create(redisRecord("s-1")).ok());
    watch = h.store().watchSession("s-1", [this] { ++woken; });
    bus = h.store().subscribe([this](std::string_view m) { heard.emplace_back(m); });
    REQUIRE(h.settle());
    woken = 0;
  }
  Listening(const Listening&) = delete;  // the handlers capture `this`
  Listening& operator=(const Listening&) = delete;

  int woken = 0;
  std::vector<std::string> heard;
  Subscription watch;
  Subscription bus;
};

}  // namespace

TEST_CASE("the subscriber connects on first use and SUBSCRIBEs once per watched session",
          "[pubsub]") {
  RedisServer server;
  RedisPeersHarness h(noSweep(server.port()));
  REQUIRE(h.ready());
  AwaitingStore s(h);
  RedisSyncClient redis(server.port());
  RedisPubSub& pubsub = h.a().redis().pubsub();
  const std::string wake = h.a().redis().keys().session("s-1").wake;
  CHECK(wake == h.a().config().prefix + "{" + sessionHashTag("s-1") + "}:wake");

  REQUIRE(s.create(redisRecord("s-1")).ok());
  h.store().appendEvents("s-1", {redisEvent("a")});
  h.store().publish("nobody listens");
  h.store().putLease("s-1", "producer", "node-a", 5'000ms);
  REQUIRE(s.read("s-1", 0, 10).ok());
  CHECK(pubsubClients(redis).empty());  // no second connection until a watch
  CHECK(h.a().gauge("sidecar_redis_subscriber_connected") == 0);
  const std::string lease = h.a().config().prefix + "{" + sessionHashTag("s-1") + "}:lease:producer";
  CHECK(redis.command({"GET", lease}) == "node-a");
  CHECK(std::stoll(redis.command({"PTTL", lease})) > 4'000);

  int first = 0;
  int second = 0;
  Subscription w1 = h.store().watchSession("s-1", [&] { ++first; });
  Subscription w2 = h.store().watchSession("s-1", [&] { ++second; });
  REQUIRE(h.settle());
  CHECK(pubsub.channelCount() == 1);
  CHECK(subscribers(redis, wake) == 1);
  CHECK(h.a().gauge("sidecar_redis_subscriber_connected") == 1);
  CHECK(h.a().gauge("sidecar_redis_subscribed_channels") == 1);
  CHECK(first == 1);  // woken once when the subscription took effect
  CHECK(second == 1);

  // Every append script call publishes the last seq on the session's channel.
  w1.cancel();
  h.peer().appendEvents("s-1", {redisEvent("b")});
  REQUIRE(h.pumpUntil([&] { return second == 2; }));
  CHECK(first == 1);
  CHECK(pubsub.channelCount() == 1);

  // The last watcher gone: the next notice finds nobody and gives the channel up.
  w2.cancel();
  h.peer().appendEvents("s-1", {redisEvent("c")});
  REQUIRE(h.pumpUntil([&] { return pubsub.channelCount() == 0; }));
  REQUIRE(h.pumpUntil([&] { return subscribers(redis, wake) == 0; }));
  CHECK(second == 2);

  // Channels that receive nothing are given up by the sweep.
  Subscription w3 = h.store().watchSession("s-2", [] {});
  Subscription bus = h.store().subscribe([](std::string_view) {});
  REQUIRE(h.settle());
  CHECK(subscribers(redis, h.a().redis().keys().bus()) == 1);
  CHECK(h.a().redis().keys().bus() == h.a().config().prefix + "bus");
  w3.cancel();
  bus.cancel();
  CHECK(pubsub.sweep() == 2);
  REQUIRE(h.pumpUntil([&] { return subscribers(redis, h.a().redis().keys().bus()) == 0; }));
  CHECK(h.a().gauge("sidecar_redis_subscribed_channels") == 0);
}

TEST_CASE("a killed subscriber connection reconnects, resubscribes and wakes every watcher",
          "[pubsub][outage]") {
  RedisServer server;
  RedisPeersHarness h(server.port());
  REQUIRE(h.ready());
  Listening a(h);
  int& woken = a.woken;
  const std::vector<std::string>& heard = a.heard;

  RedisSyncClient redis(server.port());
  REQUIRE(redis.command({"CLIENT", "KILL", "TYPE", "pubsub"}) == "1");
  // Nothing was appended: the wake says notices may have been missed.
  REQUIRE(h.pumpUntil([&] { return woken > 0; }));
  CHECK(h.a().log().contains("event=redis_subscriber_disconnected"));
  CHECK(h.a().counter("sidecar_redis_subscriber_reconnects_total") >= 1);
  CHECK(h.a().counter("sidecar_redis_reconnects_total") == 0);  // the main connection stayed up
  CHECK(h.store().healthy());

  // Subscribed again: appends wake, bus messages arrive.
  REQUIRE(h.settle());
  woken = 0;
  h.peer().appendEvents("s-1", {redisEvent("after")});
  h.peer().publish("after");
  REQUIRE(h.pumpUntil([&] { return woken > 0 && !heard.empty(); }));
  CHECK(heard == std::vector<std::string>{"after"});
}

TEST_CASE("a Redis restart: watches wake once it is back; bus messages and leases put while it "
          "was down are dropped and counted",
          "[pubsub][outage]") {
  RedisServer server(aofServer());  // the session outlives the restart
  RedisPeersHarness h(server.port());
  REQUIRE(h.ready());
  AwaitingStore s(h);
  Listening a(h);
  int& woken = a.woken;
  const std::vector<std::string>& heard = a.heard;

  server.kill();
  REQUIRE(h.pumpUntil([&] {
    return !h.store().healthy() && !h.a().redis().pubsub().subscriberConnected();
  }));
  h.store().publish("lost-1");
  h.store().publish("lost-2");
  h.store().putLease("s-1", "producer", "node-a", 60'000ms);
  CHECK(h.a().counter("sidecar_store_publishes_dropped_total") == 2);
  CHECK(h.a().counter("sidecar_store_leases_dropped_total") == 1);
  CHECK(h.a().log().contains("event=store_publish_dropped"));
  CHECK(woken == 0);

  REQUIRE(server.start());
  REQUIRE(h.pumpUntil([&] { return woken > 0 && h.store().healthy() && h.peer().healthy(); }));
  REQUIRE(h.settle());
  h.peer().publish("back");
  REQUIRE(h.pumpUntil([&] { return !heard.empty(); }));
  CHECK(heard == std::vector<std::string>{"back"});
  CHECK_FALSE(s.readLease("s-1", "producer").value().has_value());
}

TEST_CASE("the subscriber logs in when Redis requires a password", "[pubsub][auth]") {
  const std::string password = "s3cret-Pa55";
  RedisServer server(serverWithArgs({"--requirepass", password}));
  REQUIRE(server.running());
  RedisHarnessConfig cfg;
  cfg.port = server.port();
  cfg.store.redis.password = password;
  RedisPeersHarness h(cfg);
  REQUIRE(h.ready());
  AwaitingStore s(h);
  REQUIRE(s.create(redisRecord("s-1")).ok());
  int woken = 0;
  Subscription watch = h.store().watchSession("s-1", [&] { ++woken; });
  REQUIRE(h.settle());
  woken = 0;
  h.peer().appendEvents("s-1", {redisEvent("m")});
  REQUIRE(h.pumpUntil([&] { return woken > 0; }));
  CHECK_FALSE(h.a().log().contains(password));
}
