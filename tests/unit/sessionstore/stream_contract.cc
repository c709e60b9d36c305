#include "stream_contract.h"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "awaiting_store.h"

using namespace std::chrono_literals;

namespace sidecar::sessionstore::test {
namespace {

SessionRecord newRecord(const std::string& id) {
  SessionRecord record;
  record.id = id;
  record.client_params = "{}";
  return record;
}

EventRecord newEvent(const std::string& message, const std::string& stream_id = "post-1") {
  EventRecord event;
  event.stream_id = stream_id;
  event.stream_seq = 1;
  event.message = message;
  return event;
}

// The peer node as a StoreHarness, so AwaitingStore can call it.
class PeerView final : public StoreHarness {
 public:
  explicit PeerView(PeerStoreHarness& harness) : harness_(harness) {}
  SessionStore& store() override { return harness_.peer(); }
  bool pumpUntil(const std::function<bool()>& done) override { return harness_.pumpUntil(done); }

 private:
  PeerStoreHarness& harness_;
};

std::optional<uint64_t> startOf(AwaitingStore& s, const std::string& id,
                                const std::string& stream) {
  auto got = s.streamStart(id, stream);
  REQUIRE(got.ok());
  return got.value();
}

std::optional<std::string> holderOf(AwaitingStore& s, const std::string& id,
                                    const std::string& name) {
  auto got = s.readLease(id, name);
  REQUIRE(got.ok());
  return got.value();
}

void streamStartIndexesFirstEvents(PeerStoreHarness& h) {
  AwaitingStore s(h);
  PeerView peer_view(h);
  AwaitingStore peer(peer_view);
  REQUIRE(s.create(newRecord("s-1")).ok());
  REQUIRE(s.create(newRecord("s-2")).ok());
  SessionStore& store = h.store();
  store.appendEvents("s-1", {newEvent("a", "post-1"), newEvent("b", "post-1")});
  store.appendEvents("s-1", {newEvent("c", "get-7")});
  store.appendEvents("s-1", {newEvent("d", "post-1"), newEvent("e", "post-2")});
  store.appendEvents("s-2", {newEvent("x", "get-7")});

  // Asked at once: a read sees this node's earlier appends.
  CHECK(startOf(s, "s-1", "post-1") == 0u);
  CHECK(startOf(s, "s-1", "get-7") == 2u);
  CHECK(startOf(s, "s-1", "post-2") == 4u);
  CHECK(startOf(s, "s-2", "get-7") == 0u);  // per session
  CHECK_FALSE(startOf(s, "s-1", "post-9").has_value());
  CHECK_FALSE(startOf(s, "nope", "post-1").has_value());

  // Reading from the answer starts at that stream's first event.
  const auto page = s.read("s-1", *startOf(s, "s-1", "get-7"), 1);
  REQUIRE(page.ok());
  REQUIRE(page.value().events.size() == 1);
  CHECK(page.value().events[0].message == "c");

  // Later events of a stream do not move its start; other nodes see it too.
  store.appendEvents("s-1", {newEvent("f", "get-7")});
  CHECK(startOf(s, "s-1", "get-7") == 2u);
  CHECK(startOf(peer, "s-1", "get-7") == 2u);
  CHECK(startOf(peer, "s-1", "post-2") == 4u);
}

void watcherWokenByAppends(PeerStoreHarness& h) {
  AwaitingStore s(h);
  REQUIRE(s.create(newRecord("s-1")).ok());
  REQUIRE(s.create(newRecord("s-2")).ok());
  int woken = 0;
  int other = 0;
  Subscription watch = h.store().watchSession("s-1", [&] { ++woken; });
  Subscription watch_other = h.store().watchSession("s-2", [&] { ++other; });
  CHECK(watch.active());
  REQUIRE(h.settle());
  woken = 0;
  other = 0;

  h.peer().appendEvents("s-1", {newEvent("from-peer")});
  CHECK(woken == 0);  // never inside the append
  REQUIRE(h.pumpUntil([&] { return woken > 0; }));
  CHECK(other == 0);
  // A hint, not a delivery: the log holds what woke the watcher.
  const auto page = s.read("s-1", 0, 10);
  REQUIRE(page.ok());
  REQUIRE(page.value().events.size() == 1);
  CHECK(page.value().events[0].message == "from-peer");

  woken = 0;
  h.store().appendEvents("s-1", {newEvent("own")});
  CHECK(woken == 0);
  REQUIRE(h.pumpUntil([&] { return woken > 0; }));
  CHECK(other == 0);
}

void cancelledWatcherNotWoken(PeerStoreHarness& h) {
  AwaitingStore s(h);
  REQUIRE(s.create(newRecord("s-1")).ok());
  int cancelled = 0;
  int destroyed = 0;
  int live = 0;
  int first = 0;
  int second = 0;
  Subscription cancelled_watch = h.store().watchSession("s-1", [&] { ++cancelled; });
  { Subscription gone = h.store().watchSession("s-1", [&] { ++destroyed; }); }
  Subscription live_watch = h.store().watchSession("s-1", [&] { ++live; });
  // A watcher cancelling a later one inside a wake: the later one is skipped.
  Subscription second_watch;
  Subscription first_watch = h.store().watchSession("s-1", [&] {
    ++first;
    second_watch.cancel();
  });
  second_watch = h.store().watchSession("s-1", [&] { ++second; });
  cancelled_watch.cancel();
  CHECK_FALSE(cancelled_watch.active());
  REQUIRE(h.settle());
  live = 0;
  first = 0;

  h.peer().appendEvents("s-1", {newEvent("m")});
  REQUIRE(h.pumpUntil([&] { return live > 0 && first > 0; }));
  CHECK(cancelled == 0);
  CHECK(destroyed == 0);
  CHECK(second == 0);
  CHECK_FALSE(second_watch.active());

  // Cancelling the last watchers stops wakes for good.
  live = 0;
  first = 0;
  live_watch.cancel();
  first_watch.cancel();
  int sentinel = 0;
  Subscription sentinel_watch = h.store().watchSession("s-1", [&] { ++sentinel; });
  REQUIRE(h.settle());
  sentinel = 0;
  h.peer().appendEvents("s-1", {newEvent("n")});
  REQUIRE(h.pumpUntil([&] { return sentinel > 0; }));
  CHECK(live == 0);
  CHECK(first == 0);
}

void leasesLapseUnlessRenewed(PeerStoreHarness& h) {
  AwaitingStore s(h);
  PeerView peer_view(h);
  AwaitingStore peer(peer_view);
  REQUIRE(s.create(newRecord("s-1")).ok());
  CHECK_FALSE(holderOf(s, "s-1", "producer").has_value());  // never put

  h.store().putLease("s-1", "producer", "node-a", 100ms);
  CHECK(holderOf(s, "s-1", "producer") == "node-a");
  CHECK(holderOf(peer, "s-1", "producer") == "node-a");  // shared by every node
  CHECK_FALSE(holderOf(s, "s-1", "other").has_value());
  h.elapse(120ms);
  CHECK_FALSE(holderOf(s, "s-1", "producer").has_value());

  h.store().putLease("s-1", "producer", "node-a", 100ms);
  h.elapse(60ms);
  h.peer().putLease("s-1", "producer", "node-b", 100ms);  // renewed (here: taken over)
  h.elapse(60ms);  // 120 ms after the first put: held only thanks to the renewal
  CHECK(holderOf(s, "s-1", "producer") == "node-b");
  h.elapse(60ms);
  CHECK_FALSE(holderOf(peer, "s-1", "producer").has_value());
}

void busReachesEveryNodeInOrder(PeerStoreHarness& h) {
  std::vector<std::string> on_store;
  std::vector<std::string> on_peer;
  std::vector<std::string> on_cancelled;
  std::vector<std::string> on_late;
  h.store().publish("before");  // nobody subscribed yet: reaches nobody
  Subscription a = h.store().subscribe([&](std::string_view m) { on_store.emplace_back(m); });
  Subscription c = h.store().subscribe([&](std::string_view m) { on_cancelled.emplace_back(m); });
  Subscription b = h.peer().subscribe([&](std::string_view m) { on_peer.emplace_back(m); });
  Subscription late = h.store().subscribe([&](std::string_view m) { on_late.emplace_back(m); });
  REQUIRE(h.settle());
  c.cancel();

  const std::vector<std::string> sent = {"m1", "m2", "m3", "m4", "m5"};
  for (const auto& m : sent) h.store().publish(m);
  late.cancel();  // published while it listened, cancelled before delivery
  CHECK(on_store.empty());  // never inside publish
  REQUIRE(h.pumpUntil([&] { return on_store.size() >= 5 && on_peer.size() >= 5; }));
  CHECK(on_store == sent);  // the publisher's own subscribers too, in order
  CHECK(on_peer == sent);

  h.peer().publish("from-peer");
  REQUIRE(h.pumpUntil([&] { return on_store.size() >= 6 && on_peer.size() >= 6; }));
  CHECK(on_store.back() == "from-peer");
  CHECK(on_peer.back() == "from-peer");
  CHECK(on_cancelled.empty());
  CHECK(on_late.empty());
}

}  // namespace

void runStreamContract(const PeerHarnessFactory& make) {
  const auto harness = make();
  REQUIRE(harness != nullptr);

  SECTION("streamStart answers the seq before a stream's first event") {
    streamStartIndexesFirstEvents(*harness);
  }
  SECTION("a watcher is woken after appends by any node") { watcherWokenByAppends(*harness); }
  SECTION("cancelled watchers are never woken") { cancelledWatcherNotWoken(*harness); }
  SECTION("leases are held within their TTL, lapse after it, and renewal extends them") {
    leasesLapseUnlessRenewed(*harness);
  }
  SECTION("the bus reaches every node's live subscribers in publish order") {
    busReachesEveryNodeInOrder(*harness);
  }
}

}  // namespace sidecar::sessionstore::test
