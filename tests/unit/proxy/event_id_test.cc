#include <catch2/catch.hpp>

#include "proxy/event_id.h"

using sidecar::proxy::EventId;
using sidecar::proxy::formatEventId;
using sidecar::proxy::isListenStream;
using sidecar::proxy::parseEventId;
using sidecar::proxy::StreamKind;
using sidecar::proxy::supportsPriming;

TEST_CASE("event ids round-trip with their stream and position") {
  const std::string request = formatEventId(StreamKind::kRequest, "0a1b2c3d4e5f6a7b-42", 7);
  CHECK(request == "p.0a1b2c3d4e5f6a7b-42.7");
  CHECK(parseEventId(request) == EventId{StreamKind::kRequest, "0a1b2c3d4e5f6a7b-42", 7});
  const std::string standalone = formatEventId(StreamKind::kStandalone, "ff-1", 0);
  CHECK(parseEventId(standalone) == EventId{StreamKind::kStandalone, "ff-1", 0});
}

TEST_CASE("ids the sidecar cannot have made are refused") {
  for (const char* bad : {"", "p", "p.", "p..1", "p.abc.", "p.abc.x", "p.abc.-1", "x.abc.1",
                          "p.a b.1", "p.abc.1 ", "p.abc.99999999999999999999999", "7",
                          "upstream-event-17", "p.a.b.1"}) {
    INFO(bad);
    CHECK_FALSE(parseEventId(bad).has_value());
  }
  CHECK_FALSE(parseEventId("p." + std::string(200, 'a') + ".1").has_value());
}

TEST_CASE("priming goes only to 2025-11-25 and later") {
  CHECK_FALSE(supportsPriming("2025-03-26"));
  CHECK_FALSE(supportsPriming("2025-06-18"));
  CHECK(supportsPriming("2025-11-25"));
  CHECK(supportsPriming("2026-07-28"));
  CHECK_FALSE(supportsPriming(""));
  CHECK_FALSE(supportsPriming("garbage-long"));
}

TEST_CASE("listen streams are told apart from client streams") {
  CHECK(isListenStream("listen-0a1b-3-1"));
  CHECK_FALSE(isListenStream("0a1b-3"));
  CHECK_FALSE(isListenStream("listen"));
}
