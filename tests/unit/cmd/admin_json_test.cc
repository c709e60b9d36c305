#include <catch2/catch.hpp>

#include "cmd/admin_json.h"
#include "proxy/session_json.h"

using namespace sidecar;
using namespace sidecar::cmd;
using namespace sidecar::sessionstore;

namespace {

SessionRecord fullRecord() {
  SessionRecord r;
  r.id = "id with \"quotes\" and \\";
  r.state = SessionState::kInitialized;
  r.protocol_version = "2025-11-25";
  r.client_params = R"({ "capabilities" : {}, "list": [1, 2.50, "x"] })";
  r.server_result = R"({"protocolVersion":"2025-11-25","serverInfo":{"name":"s"}})";
  r.credential_fingerprint = "ab12";
  r.created_unix_ms = 1'700'000'000'000;
  r.last_seen_unix_ms = 1'700'000'000'999;
  r.event_count = 42;
  return r;
}

void checkSame(const SessionRecord& a, const SessionRecord& b) {
  CHECK(a.id == b.id);
  CHECK(a.state == b.state);
  CHECK(a.protocol_version == b.protocol_version);
  CHECK(a.client_params == b.client_params);
  CHECK(a.server_result == b.server_result);
  CHECK(a.credential_fingerprint == b.credential_fingerprint);
  CHECK(a.created_unix_ms == b.created_unix_ms);
  CHECK(a.last_seen_unix_ms == b.last_seen_unix_ms);
  CHECK(a.event_count == b.event_count);
}

}  // namespace

TEST_CASE("a session record survives the admin JSON round trip byte for byte") {
  const SessionRecord original = fullRecord();
  auto parsed = parseSessionJson(proxy::sessionToJson(original));
  REQUIRE(parsed.ok());
  checkSame(parsed.value(), original);  // raw params keep their spacing and number spelling
}

TEST_CASE("null raw fields come back empty") {
  SessionRecord r;
  r.id = "x";
  auto parsed = parseSessionJson(proxy::sessionToJson(r));
  REQUIRE(parsed.ok());
  CHECK(parsed.value().client_params.empty());
  CHECK(parsed.value().server_result.empty());
  CHECK(parsed.value().state == SessionState::kInitializing);
}

TEST_CASE("a session list round-trips in order") {
  SessionRecord closed = fullRecord();
  closed.id = "second";
  closed.state = SessionState::kClosed;
  auto parsed = parseSessionListJson(proxy::sessionListToJson({fullRecord(), closed}));
  REQUIRE(parsed.ok());
  REQUIRE(parsed.value().size() == 2);
  checkSame(parsed.value()[0], fullRecord());
  checkSame(parsed.value()[1], closed);
  auto empty = parseSessionListJson(R"({"sessions":[]})");
  REQUIRE(empty.ok());
  CHECK(empty.value().empty());
}

TEST_CASE("an event page round-trips, messages verbatim") {
  EventPage page;
  EventRecord a;
  a.seq = 9;
  a.direction = Direction::kServerToClient;
  a.stream_id = "s-1";
  a.stream_seq = 3;
  a.upstream_event_id = "u\n1";
  a.unix_ms = 1'700'000'000'001;
  a.message = R"({"jsonrpc": "2.0", "id": 1, "result": {"big": 12345678901234567890}})";
  a.synthetic = true;
  EventRecord b;
  b.seq = 10;
  page.events = {a, b};
  page.next_after_seq = 10;
  auto parsed = parseEventPageJson(proxy::eventPageToJson(page));
  REQUIRE(parsed.ok());
  CHECK(parsed.value().next_after_seq == 10);
  REQUIRE(parsed.value().events.size() == 2);
  const EventRecord& got = parsed.value().events[0];
  CHECK(got.seq == 9);
  CHECK(got.direction == Direction::kServerToClient);
  CHECK(got.stream_id == "s-1");
  CHECK(got.stream_seq == 3);
  CHECK(got.upstream_event_id == "u\n1");
  CHECK(got.unix_ms == 1'700'000'000'001);
  CHECK(got.synthetic);
  CHECK(got.message == a.message);
  CHECK(parsed.value().events[1].message.empty());
  CHECK(parsed.value().events[1].direction == Direction::kClientToServer);
}

TEST_CASE("unknown keys are ignored, so a newer daemon does not break the CLI") {
  auto parsed = parseSessionJson(R"({"future":{"x":[1]},"id":"a","state":"ACTIVE","extra":1})");
  REQUIRE(parsed.ok());
  CHECK(parsed.value().id == "a");
  CHECK(parsed.value().state == SessionState::kActive);
}

TEST_CASE("malformed admin answers are errors, not half-filled records") {
  for (const char* body : {"", "not json", "[]", R"({"state":"ACTIVE"})",
                           R"({"id":"a","state":"SLEEPING"})", R"({"id":1})",
                           R"({"id":"a","event_count":-1})"}) {
    INFO(body);
    auto parsed = parseSessionJson(body);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == ErrorCode::kInternal);
    CHECK(parsed.error().message.find("malformed JSON") != std::string::npos);
  }
  CHECK_FALSE(parseSessionListJson(R"({"sessions":{}})").ok());
  CHECK_FALSE(parseSessionListJson(R"({"sessions":[1]})").ok());
  CHECK_FALSE(parseEventPageJson(R"({"next_after":1})").ok());
  CHECK_FALSE(parseEventPageJson(R"({"events":[{"direction":"sideways"}],"next_after":1})").ok());
}

TEST_CASE("admin error bodies yield their message") {
  CHECK(parseErrorJson(R"({"error":"session not found"})") == "session not found");
  CHECK(parseErrorJson("<html>") == "");
  CHECK(parseErrorJson(R"({"other":1})") == "");
}
