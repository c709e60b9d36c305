#include <catch2/catch.hpp>

#include <vector>

#include "common/deferred_queue.h"

using sidecar::DeferredQueue;
using sidecar::EventBasePtr;

TEST_CASE("deferred tasks run on a later loop turn, in order, never inside post") {
  EventBasePtr base(event_base_new());
  DeferredQueue queue(*base);
  std::vector<int> ran;
  queue.post([&] { ran.push_back(1); });
  queue.post([&] { ran.push_back(2); });
  REQUIRE(ran.empty());
  event_base_loop(base.get(), EVLOOP_NONBLOCK);
  REQUIRE(ran == std::vector<int>{1, 2});
}

TEST_CASE("a task posted from a task runs on the following turn") {
  EventBasePtr base(event_base_new());
  DeferredQueue queue(*base);
  std::vector<int> ran;
  queue.post([&] {
    ran.push_back(1);
    queue.post([&] { ran.push_back(2); });
  });
  event_base_loop(base.get(), EVLOOP_NONBLOCK | EVLOOP_ONCE);
  REQUIRE(ran == std::vector<int>{1});
  event_base_loop(base.get(), EVLOOP_NONBLOCK);
  REQUIRE(ran == std::vector<int>{1, 2});
}
