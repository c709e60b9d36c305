// SessionsCommand end to end over both backends: what it prints on stdout
// and stderr and the exit code, for every verb, paging, --follow and the
// failure paths.

#include <catch2/catch.hpp>

#include <sstream>

#include "captured_file.h"
#include "cli_harness.h"
#include "cmd/admin_json.h"
#include "cmd/session_format.h"
#include "cmd/sessions_command.h"
#include "common/deferred_queue.h"
#include "proxy/session_json.h"

using namespace sidecar;
using namespace sidecar::cmd;
using namespace sidecar::cmd::test;
using namespace sidecar::sessionstore;

namespace {

std::vector<SeedEvent> numberedEvents(int count, int first_id = 1) {
  std::vector<SeedEvent> events;
  for (int i = 0; i < count; ++i) {
    const auto direction = i % 2 == 0 ? Direction::kClientToServer : Direction::kServerToClient;
    events.push_back({direction, R"({"jsonrpc":"2.0","id":)" + std::to_string(first_id + i / 2) +
                                     (i % 2 == 0 ? R"(,"method":"ping"})" : R"(,"result":{}})")});
  }
  return events;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// One command run: its output, its exit code, and the loop to drive it.
struct Run {
  Run(CliHarness& harness, BackendKind kind, SessionsRequest request,
      SessionsCommandTuning tuning = fastTuning())
      : h(harness),
        command(h.base(), h.backend(kind), std::move(request),
                CommandOutput{out.file(), err.file()}, tuning) {}

  static SessionsCommandTuning fastTuning() {
    SessionsCommandTuning t;
    t.poll_interval = std::chrono::milliseconds(10);
    t.call_timeout = std::chrono::seconds(5);
    return t;
  }

  int finish() {
    command.start();
    REQUIRE(h.pumpUntil([&] { return command.finished(); }));
    return command.exitCode();
  }

  CliHarness& h;
  CapturedFile out;
  CapturedFile err;
  SessionsCommand command;
};

SessionsRequest request(SessionsVerb verb, std::string id = {}, bool json = false,
                        bool follow = false) {
  return SessionsRequest{verb, std::move(id), json, follow};
}

}  // namespace

TEST_CASE("sessions list --json prints the admin document; the table has a header row") {
  const BackendKind kind = GENERATE(BackendKind::kStore, BackendKind::kAdminApi);
  INFO(backendName(kind));
  CliHarness h;
  h.seed("one", SessionState::kActive, numberedEvents(4));
  h.seed("two", SessionState::kClosed);

  Run json(h, kind, request(SessionsVerb::kList, {}, true));
  REQUIRE(json.finish() == 0);
  CHECK(json.out.text() == proxy::sessionListToJson(h.list()) + "\n");
  CHECK(json.err.text().empty());

  Run table(h, kind, request(SessionsVerb::kList));
  REQUIRE(table.finish() == 0);
  const auto rows = lines(table.out.text());
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].rfind("ID", 0) == 0);
  CHECK(rows[1].rfind("one ", 0) == 0);
  CHECK(rows[1].find("ACTIVE") != std::string::npos);
  CHECK(rows[1].substr(rows[1].size() - 2) == " 4");
  CHECK(rows[2].find("CLOSED") != std::string::npos);
}

TEST_CASE("sessions show prints the record; an unknown id exits 1 with a message") {
  const BackendKind kind = GENERATE(BackendKind::kStore, BackendKind::kAdminApi);
  INFO(backendName(kind));
  CliHarness h;
  h.seed("abc", SessionState::kActive, numberedEvents(2));

  Run json(h, kind, request(SessionsVerb::kShow, "abc", true));
  REQUIRE(json.finish() == 0);
  CHECK(json.out.text() == proxy::sessionToJson(*h.get("abc")) + "\n");

  Run human(h, kind, request(SessionsVerb::kShow, "abc"));
  REQUIRE(human.finish() == 0);
  CHECK(human.out.text() == sessionDetail(*h.get("abc")));
  CHECK(human.out.text().find("client params:    {\"protocolVersion\"") != std::string::npos);

  Run missing(h, kind, request(SessionsVerb::kShow, "nope", true));
  CHECK(missing.finish() == 1);
  CHECK(missing.out.text().empty());
  CHECK(missing.err.text() == "mcp-sidecar: session nope not found\n");
}

TEST_CASE("sessions events pages through the whole trail in seq order") {
  const BackendKind kind = GENERATE(BackendKind::kStore, BackendKind::kAdminApi);
  INFO(backendName(kind));
  CliHarness h;
  h.seed("s", SessionState::kActive, numberedEvents(7));
  auto tuning = Run::fastTuning();
  tuning.page_size = 3;  // 3 + 3 + 1: the last, short page ends the command

  Run json(h, kind, request(SessionsVerb::kEvents, "s", true), tuning);
  REQUIRE(json.finish() == 0);
  const auto stored = h.events("s").events;
  REQUIRE(stored.size() == 7);
  CHECK(json.out.text() == eventJsonLines(stored));
  const auto ndjson = lines(json.out.text());
  REQUIRE(ndjson.size() == 7);
  for (size_t i = 0; i < ndjson.size(); ++i) {
    auto parsed = parseEventPageJson("{\"events\":[" + ndjson[i] + "],\"next_after\":0}");
    REQUIRE(parsed.ok());  // each line is one whole JSON object
    CHECK(parsed.value().events.at(0).seq == i + 1);
  }

  Run table(h, kind, request(SessionsVerb::kEvents, "s"), tuning);
  REQUIRE(table.finish() == 0);
  CHECK(table.out.text() == eventTableHeader() + eventTableRows(stored));
}

TEST_CASE("sessions events of a session without events prints only the header") {
  const BackendKind kind = GENERATE(BackendKind::kStore, BackendKind::kAdminApi);
  INFO(backendName(kind));
  CliHarness h;
  h.seed("quiet", SessionState::kInitializing);
  Run table(h, kind, request(SessionsVerb::kEvents, "quiet"));
  REQUIRE(table.finish() == 0);
  CHECK(table.out.text() == eventTableHeader());

  Run missing(h, kind, request(SessionsVerb::kEvents, "nope"));
  CHECK(missing.finish() == 1);
  CHECK(missing.out.text().empty());
  CHECK(missing.err.text() == "mcp-sidecar: session nope not found\n");
}

TEST_CASE("sessions events --follow prints events appended after it started, until stopped") {
  const BackendKind kind = GENERATE(BackendKind::kStore, BackendKind::kAdminApi);
  INFO(backendName(kind));
  CliHarness h;
  h.seed("s", SessionState::kActive, numberedEvents(2));
  Run follow(h, kind, request(SessionsVerb::kEvents, "s", true, true));
  follow.command.start();
  REQUIRE(h.pumpUntil([&] { return lines(follow.out.text()).size() == 2; }));
  // Caught up, it keeps polling instead of finishing.
  REQUIRE_FALSE(h.pumpUntil([&] { return follow.command.finished(); },
                            std::chrono::milliseconds(100)));

  h.append("s", numberedEvents(1, 9));
  REQUIRE(h.pumpUntil([&] { return lines(follow.out.text()).size() == 3; }));
  const auto got = lines(follow.out.text());
  CHECK(got[2] == eventJson(h.events("s").events[2]));
  CHECK(got[2].find(R"("seq":3)") != std::string::npos);

  follow.command.stop();
  CHECK(follow.command.finished());
  CHECK(follow.command.exitCode() == 0);
  CHECK(follow.err.text().empty());
}

TEST_CASE("sessions delete closes the session; again is still 0; unknown is 1") {
  const BackendKind kind = GENERATE(BackendKind::kStore, BackendKind::kAdminApi);
  INFO(backendName(kind));
  CliHarness h;
  h.seed("s", SessionState::kActive);

  Run first(h, kind, request(SessionsVerb::kDelete, "s", true));
  REQUIRE(first.finish() == 0);
  REQUIRE(h.get("s")->state == SessionState::kClosed);
  CHECK(first.out.text() == proxy::sessionToJson(*h.get("s")) + "\n");
  CHECK(first.err.text().empty());

  Run again(h, kind, request(SessionsVerb::kDelete, "s"));
  REQUIRE(again.finish() == 0);
  CHECK(again.out.text().find("state:            CLOSED\n") != std::string::npos);
  CHECK(again.err.text() == "mcp-sidecar: session s was already CLOSED\n");

  Run missing(h, kind, request(SessionsVerb::kDelete, "nope"));
  CHECK(missing.finish() == 1);
  CHECK(missing.err.text() == "mcp-sidecar: session nope not found\n");
}

namespace {

// A backend that accepts every call and never answers.
class SilentBackend final : public SessionsBackend {
 public:
  CallHandle listSessions(Callback<std::vector<SessionRecord>>) override { return pending(); }
  CallHandle getSession(const std::string&, Callback<SessionRecord>) override { return pending(); }
  CallHandle readEvents(const std::string&, uint64_t, size_t, Callback<EventPage>) override {
    return pending();
  }
  CallHandle closeSession(const std::string&, Callback<SessionRecord>) override {
    return pending();
  }

 private:
  static CallHandle pending() { return CallHandle(std::make_shared<CancelState>()); }
};

}  // namespace

namespace {

// Answers listSessions with the records it was given, in that order, on
// the next loop turn; never answers anything else.
class ListingBackend final : public SessionsBackend {
 public:
  ListingBackend(event_base& base, std::vector<SessionRecord> records)
      : queue_(base), records_(std::move(records)) {}
  CallHandle listSessions(Callback<std::vector<SessionRecord>> done) override {
    auto state = std::make_shared<CancelState>();
    queue_.post([guarded = guardCompletion(state, std::move(done)), records = records_]() mutable {
      guarded(std::move(records));
    });
    return CallHandle(std::move(state));
  }
  CallHandle getSession(const std::string&, Callback<SessionRecord>) override { return {}; }
  CallHandle readEvents(const std::string&, uint64_t, size_t, Callback<EventPage>) override {
    return {};
  }
  CallHandle closeSession(const std::string&, Callback<SessionRecord>) override { return {}; }

 private:
  DeferredQueue queue_;
  std::vector<SessionRecord> records_;
};

SessionRecord createdAt(const std::string& id, int64_t unix_ms) {
  SessionRecord r;
  r.id = id;
  r.created_unix_ms = unix_ms;
  return r;
}

}  // namespace

TEST_CASE("sessions list prints oldest first whatever order the store answers in") {
  CliHarness h;
  ListingBackend backend(h.base(), {createdAt("c", 3'000), createdAt("b", 1'000),
                                    createdAt("a", 3'000)});
  CapturedFile out;
  CapturedFile err;
  SessionsCommand command(h.base(), backend, request(SessionsVerb::kList, {}, true),
                          CommandOutput{out.file(), err.file()});
  REQUIRE(command.run() == 0);
  auto printed = parseSessionListJson(out.text());
  REQUIRE(printed.ok());
  std::vector<std::string> ids;
  for (const auto& r : printed.value()) ids.push_back(r.id);
  CHECK(ids == std::vector<std::string>{"b", "a", "c"});
}

TEST_CASE("a backend that never answers fails the command at its deadline") {
  CliHarness h;
  SilentBackend silent;
  CapturedFile out;
  CapturedFile err;
  SessionsCommandTuning tuning;
  tuning.call_timeout = std::chrono::milliseconds(20);
  SessionsCommand command(h.base(), silent, request(SessionsVerb::kList),
                          CommandOutput{out.file(), err.file()}, tuning);
  CHECK(command.run() == 1);
  CHECK(out.text().empty());
  CHECK(err.text() == "mcp-sidecar: no answer from the session store within 20 ms\n");
}

TEST_CASE("run() drives the loop itself until the answer is printed") {
  CliHarness h;
  h.seed("s", SessionState::kActive);
  CapturedFile out;
  CapturedFile err;
  SessionsCommand command(h.base(), h.backend(BackendKind::kAdminApi),
                          request(SessionsVerb::kShow, "s", true),
                          CommandOutput{out.file(), err.file()});
  CHECK(command.run() == 0);
  CHECK(out.text() == proxy::sessionToJson(*h.get("s")) + "\n");
}
