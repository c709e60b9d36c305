#include <catch2/catch.hpp>

#include "proxy/initialize_result.h"
#include "proxy/jsonrpc_parser.h"
#include "proxy/session_id.h"
#include "proxy/session_json.h"

using namespace sidecar::proxy;
using namespace sidecar::sessionstore;

TEST_CASE("a session record renders as JSON with raw params embedded") {
  SessionRecord r;
  r.id = "a\"b";
  r.state = SessionState::kActive;
  r.protocol_version = "2025-11-25";
  r.client_params = R"({"capabilities":{}})";
  r.created_unix_ms = 5;
  const std::string json = sessionToJson(r);
  CHECK(json.find(R"("id":"a\"b")") != std::string::npos);
  CHECK(json.find(R"("state":"ACTIVE")") != std::string::npos);
  CHECK(json.find(R"("client_params":{"capabilities":{}})") != std::string::npos);
  CHECK(json.find(R"("server_result":null)") != std::string::npos);
  JsonRpcParser parser;  // the rendering is valid JSON (a non-JSON-RPC object is "invalid request")
  auto parsed = parser.parse(json);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().message.rfind("invalid request", 0) == 0);
}

TEST_CASE("an event page embeds messages as JSON values") {
  EventPage page;
  EventRecord e;
  e.seq = 3;
  e.direction = Direction::kServerToClient;
  e.stream_id = "p-1";
  e.stream_seq = 2;
  e.message = R"({"jsonrpc":"2.0","id":1,"result":{}})";
  page.events.push_back(e);
  page.next_after_seq = 3;
  const std::string json = eventPageToJson(page);
  CHECK(json.find(R"("direction":"server_to_client")") != std::string::npos);
  CHECK(json.find(R"("message":{"jsonrpc":"2.0","id":1,"result":{}})") != std::string::npos);
  CHECK(json.find(R"("next_after":3)") != std::string::npos);
}

TEST_CASE("the InitializeResult is extracted raw from a response") {
  CHECK(extractResultRaw(R"({"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-11-25"}})") ==
        R"({"protocolVersion":"2025-11-25"})");
  CHECK(extractResultRaw(R"({"jsonrpc":"2.0","id":0,"error":{"code":1,"message":"x"}})").empty());
  CHECK(extractResultRaw("not json").empty());
}

TEST_CASE("session ids must be visible ASCII") {
  CHECK(isValidSessionId("0b8c6a1e-4a4f-4a8e-9a8e-1c2d3e4f5a6b"));
  CHECK_FALSE(isValidSessionId(""));
  CHECK_FALSE(isValidSessionId("has space"));
  CHECK_FALSE(isValidSessionId("tab\there"));
  CHECK_FALSE(isValidSessionId(std::string(kMaxSessionIdLength + 1, 'a')));
}
