#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "common/c_handles.h"
#include "common/clock.h"
#include "common/logger.h"
#include "common/metrics.h"
#include "proxy/cluster_bus.h"
#include "sessionstore/memory_session_store.h"

using namespace sidecar;
using namespace sidecar::proxy;

namespace {

// Two nodes on one memory store: the store's bus is the process itself,
// which is what two nodes on one Redis look like to each node.
struct TwoNodes {
  TwoNodes()
      : base(event_base_new()),
        log(LogLevel::kError, LogFormat::kText, stderr),
        store(*base, clock, log, metrics, sessionstore::MemoryStoreLimits{}),
        a(store, log, "000000000000000a"),
        b(store, log, "000000000000000b") {
    a.start({[this](const std::string& s) { closed_a.push_back(s); },
             [this](const std::string& s, std::string m) { delivered_a.push_back(s + "|" + m); },
             [this](const std::string& s) { opened_a.push_back(s); }});
    b.start({[this](const std::string& s) { closed_b.push_back(s); },
             [this](const std::string& s, std::string m) { delivered_b.push_back(s + "|" + m); },
             [this](const std::string& s) { opened_b.push_back(s); }});
  }
  void settle() {
    for (int i = 0; i < 10; ++i) event_base_loop(base.get(), EVLOOP_ONCE | EVLOOP_NONBLOCK);
  }

  EventBasePtr base;
  SystemClock clock;
  Logger log;
  MetricsRegistry metrics;
  sessionstore::MemorySessionStore store;
  ClusterBus a;
  ClusterBus b;
  std::vector<std::string> closed_a, closed_b, delivered_a, delivered_b, opened_a, opened_b;
};

}  // namespace

TEST_CASE("a message for one node reaches that node only; one for the others skips the sender") {
  TwoNodes nodes;
  nodes.a.deliverTo("s1", "000000000000000b", R"({"jsonrpc":"2.0","id":1,"result":{}})");
  nodes.b.deliverToOthers("s1", "cancel\nwith a line break");
  nodes.settle();
  CHECK(nodes.delivered_b == std::vector<std::string>{R"(s1|{"jsonrpc":"2.0","id":1,"result":{}})"});
  // The payload keeps its line breaks: it is the last field.
  CHECK(nodes.delivered_a == std::vector<std::string>{"s1|cancel\nwith a line break"});
}

TEST_CASE("a closed session reaches every node and the session's watchers") {
  TwoNodes nodes;
  std::vector<std::string> signals;
  auto watch = nodes.b.watch("s1", [&](BusSignal signal, std::string_view arg) {
    signals.push_back(std::string(signal == BusSignal::kClosed ? "closed" : "taken:") + std::string(arg));
  });
  auto other = nodes.b.watch("s2", [&](BusSignal, std::string_view) { signals.push_back("wrong session"); });
  nodes.a.standaloneTaken("s1", "stream-7");
  nodes.a.sessionClosed("s1");
  nodes.settle();
  // Every node hears of the new standalone stream (its copy starts
  // listening): the announcing node at once, not again from the bus.
  CHECK(nodes.opened_a == std::vector<std::string>{"s1"});
  CHECK(nodes.opened_b == std::vector<std::string>{"s1"});
  CHECK(nodes.closed_a == std::vector<std::string>{"s1"});
  CHECK(nodes.closed_b == std::vector<std::string>{"s1"});
  CHECK(signals == std::vector<std::string>{"taken:stream-7", "closed"});

  watch.cancel();
  nodes.a.sessionClosed("s1");
  nodes.settle();
  CHECK(signals.size() == 2);  // a cancelled watcher hears nothing more
}
