#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "cmd/session_format.h"
#include "cmd/text_table.h"
#include "proxy/session_json.h"

using namespace sidecar::cmd;
using namespace sidecar::sessionstore;

namespace {

SessionRecord record(const std::string& id, SessionState state, uint64_t events) {
  SessionRecord r;
  r.id = id;
  r.state = state;
  r.protocol_version = "2025-11-25";
  r.client_params = R"({"capabilities":{}})";
  r.server_result = R"({"protocolVersion":"2025-11-25"})";
  r.created_unix_ms = 1'700'000'000'000;
  r.last_seen_unix_ms = 1'700'000'000'123;
  r.event_count = events;
  return r;
}

EventRecord event(uint64_t seq, Direction direction, std::string message) {
  EventRecord e;
  e.seq = seq;
  e.direction = direction;
  e.stream_id = "0123456789abcdef-7";
  e.stream_seq = seq;
  e.unix_ms = 1'700'000'000'000 + static_cast<int64_t>(seq);
  e.message = std::move(message);
  return e;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("times print as ISO-8601 UTC with milliseconds") {
  CHECK(formatUtcMs(1'700'000'000'000) == "2023-11-14T22:13:20.000Z");
  CHECK(formatUtcMs(1'700'000'000'123) == "2023-11-14T22:13:20.123Z");
  CHECK(formatUtcMs(1) == "1970-01-01T00:00:00.001Z");
  CHECK(formatUtcMs(0) == "-");
}

TEST_CASE("the session table has a header and one aligned row per session, CLOSED included") {
  const auto out = lines(sessionTable({record("short", SessionState::kActive, 5),
                                       record("a-much-longer-id", SessionState::kClosed, 12)}));
  REQUIRE(out.size() == 3);
  CHECK(out[0].rfind("ID ", 0) == 0);
  for (const char* column : {"STATE", "PROTOCOL", "CREATED", "LAST SEEN", "EVENTS"}) {
    CHECK(out[0].find(column) != std::string::npos);
  }
  const size_t state_col = out[0].find("STATE");
  CHECK(out[1].substr(state_col, 6) == "ACTIVE");
  CHECK(out[2].substr(state_col, 6) == "CLOSED");
  const size_t created_col = out[0].find("CREATED");
  CHECK(out[1].substr(created_col, 24) == "2023-11-14T22:13:20.000Z");
  CHECK(out[1].substr(out[0].find("LAST SEEN"), 24) == "2023-11-14T22:13:20.123Z");
  CHECK(out[1].substr(out[0].find("EVENTS")) == "5");
  CHECK(out[2].substr(out[0].find("EVENTS")) == "12");
}

TEST_CASE("an empty session list is just the header") {
  CHECK(lines(sessionTable({})).size() == 1);
}

TEST_CASE("session detail shows every field including the raw initialize exchange") {
  auto r = record("abc", SessionState::kInitializing, 0);
  r.protocol_version.clear();
  r.server_result.clear();
  const std::string out = sessionDetail(r);
  CHECK(out.find("id:               abc\n") != std::string::npos);
  CHECK(out.find("state:            INITIALIZING\n") != std::string::npos);
  CHECK(out.find("protocol version: -\n") != std::string::npos);
  CHECK(out.find("created:          2023-11-14T22:13:20.000Z\n") != std::string::npos);
  CHECK(out.find("events:           0\n") != std::string::npos);
  CHECK(out.find("credential:       none\n") != std::string::npos);
  CHECK(out.find("client params:    {\"capabilities\":{}}\n") != std::string::npos);
  CHECK(out.find("server result:    null\n") != std::string::npos);
}

TEST_CASE("event rows: fixed columns, one line each, long messages cut") {
  const std::string long_message =
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"arguments":{"message":")" +
      std::string(300, 'x') + "\"}}}";
  auto synthetic = event(3, Direction::kClientToServer, "{\n \"jsonrpc\": \"2.0\"\n}");
  synthetic.synthetic = true;
  const std::string header = eventTableHeader();
  const auto rows = lines(eventTableRows({event(1, Direction::kClientToServer, long_message),
                                          event(2, Direction::kServerToClient, ""), synthetic}));
  REQUIRE(rows.size() == 3);
  const size_t message_col = header.find("MESSAGE");
  for (const char* column : {"SEQ", "TIME", "DIRECTION", "STREAM", "STREAM SEQ", "MESSAGE"}) {
    CHECK(header.find(column) != std::string::npos);
  }
  CHECK(rows[0].rfind("1 ", 0) == 0);
  CHECK(rows[0].find("2023-11-14T22:13:20.001Z") != std::string::npos);
  CHECK(rows[0].find("client->server") != std::string::npos);
  CHECK(rows[0].find("0123456789abcdef-7") != std::string::npos);
  const std::string cut = rows[0].substr(message_col);
  CHECK(displayWidth(cut) == kMessageCellWidth);
  CHECK(cut.rfind(R"({"jsonrpc":"2.0","id":2,"method":"tools/call")", 0) == 0);
  CHECK(cut.substr(cut.size() - 3) == "...");
  CHECK(rows[1].find("server->client") != std::string::npos);
  CHECK(rows[1].substr(message_col) == "null");
  CHECK(rows[2].substr(message_col) == R"([synthetic] { "jsonrpc": "2.0" })");
}

TEST_CASE("event JSON is exactly the admin API's event object, one per line") {
  auto first = event(6, Direction::kClientToServer, R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
  first.upstream_event_id = "ev\"1";
  auto second = event(7, Direction::kServerToClient, "");
  second.synthetic = true;
  EventPage page;
  page.events = {first, second};
  page.next_after_seq = 7;
  CHECK(sidecar::proxy::eventPageToJson(page) ==
        "{\"events\":[" + eventJson(first) + "," + eventJson(second) + "],\"next_after\":7}");
  CHECK(eventJsonLines(page.events) == eventJson(first) + "\n" + eventJson(second) + "\n");
  CHECK(eventJson(second).find(R"("message":null)") != std::string::npos);
}

TEST_CASE("session JSON documents are the admin API's, newline-terminated") {
  const auto r = record("abc", SessionState::kClosed, 4);
  CHECK(sessionJsonDocument(r) == sidecar::proxy::sessionToJson(r) + "\n");
  CHECK(sessionListJsonDocument({r}) == sidecar::proxy::sessionListToJson({r}) + "\n");
}
