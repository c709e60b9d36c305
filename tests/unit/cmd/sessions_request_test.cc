#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cmd/sessions_request.h"

using namespace sidecar::cmd;

namespace {
sidecar::Result<SessionsRequest> parse(std::vector<std::string> words, bool json = false,
                                       bool follow = false) {
  words.insert(words.begin(), "sessions");
  return parseSessionsRequest(words, json, follow);
}
}  // namespace

TEST_CASE("the four sessions commands parse") {
  auto list = parse({"list"}, true);
  REQUIRE(list.ok());
  CHECK(list.value().verb == SessionsVerb::kList);
  CHECK(list.value().json);
  CHECK(list.value().id.empty());

  auto show = parse({"show", "abc"});
  REQUIRE(show.ok());
  CHECK(show.value().verb == SessionsVerb::kShow);
  CHECK(show.value().id == "abc");

  auto events = parse({"events", "abc"}, false, true);
  REQUIRE(events.ok());
  CHECK(events.value().verb == SessionsVerb::kEvents);
  CHECK(events.value().follow);

  auto del = parse({"delete", "abc"});
  REQUIRE(del.ok());
  CHECK(del.value().verb == SessionsVerb::kDelete);
}

TEST_CASE("malformed sessions commands are usage errors that say why") {
  auto message = [](const sidecar::Result<SessionsRequest>& r) {
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == sidecar::ErrorCode::kInvalidArgument);
    return r.error().message;
  };
  CHECK(message(parse({})).find("missing command") != std::string::npos);
  CHECK(message(parse({"lsit"})).find("unknown command 'lsit'") != std::string::npos);
  CHECK(message(parse({"show"})).find("needs a session ID") != std::string::npos);
  CHECK(message(parse({"events", ""})).find("needs a session ID") != std::string::npos);
  CHECK(message(parse({"list", "extra"})).find("unexpected argument 'extra'") != std::string::npos);
  CHECK(message(parse({"delete", "a", "b"})).find("unexpected argument 'b'") != std::string::npos);
  CHECK(message(parse({"list"}, false, true)).find("--follow") != std::string::npos);
  CHECK(message(parse({"show", "a"}, false, true)).find("--follow") != std::string::npos);
}
