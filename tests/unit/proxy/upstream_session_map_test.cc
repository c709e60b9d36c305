#include <catch2/catch.hpp>

#include "proxy/upstream_session_map.h"

using sidecar::proxy::UpstreamSessionMap;

TEST_CASE("a mapping is found and refreshes its recency") {
  UpstreamSessionMap map(2, 1000);
  CHECK(map.insert("c1", "u1", 0).empty());
  CHECK(map.insert("c2", "u2", 10).empty());
  CHECK(map.lookup("c1", 20) == std::optional<std::string>("u1"));
  // c2 is now the least recently used and goes first.
  const auto evicted = map.insert("c3", "u3", 30);
  REQUIRE(evicted.size() == 1);
  CHECK(evicted[0].client_session_id == "c2");
  CHECK(evicted[0].upstream_session_id == "u2");
  CHECK_FALSE(map.lookup("c2", 40).has_value());
}

TEST_CASE("idle copies expire, used ones stay") {
  UpstreamSessionMap map(10, 1000);
  (void)map.insert("c1", "u1", 0);
  (void)map.insert("c2", "u2", 0);
  (void)map.lookup("c2", 900);
  const auto expired = map.expireIdle(1000);
  REQUIRE(expired.size() == 1);
  CHECK(expired[0].client_session_id == "c1");
  CHECK(map.size() == 1);
  CHECK(map.expireIdle(1899).empty());
  CHECK(map.expireIdle(1900).size() == 1);
}

TEST_CASE("replacing a mapping releases the old upstream copy") {
  UpstreamSessionMap map(10, 1000);
  (void)map.insert("c1", "u1", 0);
  const auto replaced = map.insert("c1", "u9", 5);
  REQUIRE(replaced.size() == 1);
  CHECK(replaced[0].upstream_session_id == "u1");
  CHECK(map.lookup("c1", 6) == std::optional<std::string>("u9"));
  CHECK(map.insert("c1", "u9", 7).empty());
  REQUIRE(map.erase("c1").has_value());
  CHECK_FALSE(map.erase("c1").has_value());
}

TEST_CASE("a released copy carries the credentials its requests need") {
  UpstreamSessionMap map(1, 1000);
  (void)map.insert("c1", "u1", 0, {{"Authorization", "Bearer t1"}});
  const auto evicted = map.insert("c2", "u2", 1, {{"Authorization", "Bearer t2"}});
  REQUIRE(evicted.size() == 1);
  CHECK(evicted[0].upstream_session_id == "u1");
  REQUIRE(evicted[0].credentials.size() == 1);
  CHECK(evicted[0].credentials[0].second == "Bearer t1");
}
