// Both SessionsBackend implementations against one MemorySessionStore: the
// StoreBackend directly, the AdminApiBackend through a real AdminServer on
// an ephemeral loopback port. Each case runs once per backend and expects
// the same answers, which is what lets the command ignore which it has.

#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli_harness.h"

using namespace sidecar;
using namespace sidecar::cmd;
using namespace sidecar::cmd::test;
using namespace sidecar::sessionstore;

namespace {

const std::vector<SeedEvent> kThreeEvents = {
    {Direction::kClientToServer, R"({"jsonrpc":"2.0","id":1,"method":"initialize"})"},
    {Direction::kServerToClient, R"({"jsonrpc":"2.0","id":1,"result":{}})"},
    {Direction::kClientToServer, R"({"jsonrpc":"2.0","method":"notifications/initialized"})"},
};

// A loopback port nobody listens on: bound by the kernel, then released.
uint16_t closedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  socklen_t len = sizeof(addr);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

TEST_CASE("backends list every session, CLOSED included, with event counts") {
  const BackendKind kind = GENERATE(BackendKind::kStore, BackendKind::kAdminApi);
  INFO(backendName(kind));
  CliHarness h;
  h.seed("open", SessionState::kActive, kThreeEvents);
  h.seed("gone", SessionState::kClosed, {kThreeEvents[0]});
  auto listed = h.await<std::vector<SessionRecord>>(
      [&](auto done) { return h.backend(kind).listSessions(done); });
  REQUIRE(listed.ok());
  REQUIRE(listed.value().size() == 2);
  CHECK(listed.value()[0].id == "open");
  CHECK(listed.value()[0].state == SessionState::kActive);
  CHECK(listed.value()[0].event_count == 3);
  CHECK(listed.value()[1].id == "gone");
  CHECK(listed.value()[1].state == SessionState::kClosed);
  CHECK(listed.value()[1].event_count == 1);
}

TEST_CASE("backends show a record with its initialize exchange, or kNotFound") {
  const BackendKind kind = GENERATE(BackendKind::kStore, BackendKind::kAdminApi);
  INFO(backendName(kind));
  CliHarness h;
  // Characters that need escaping in a URL path and in JSON.
  const std::string id = "a/b c%?\"";
  h.seed(id, SessionState::kInitialized);
  auto shown =
      h.await<SessionRecord>([&](auto done) { return h.backend(kind).getSession(id, done); });
  REQUIRE(shown.ok());
  const auto stored = h.get(id);
  REQUIRE(stored);
  CHECK(shown.value().id == id);
  CHECK(shown.value().state == SessionState::kInitialized);
  CHECK(shown.value().protocol_version == "2025-11-25");
  CHECK(shown.value().client_params == stored->client_params);
  CHECK(shown.value().server_result == R"({"protocolVersion":"2025-11-25"})");
  CHECK(shown.value().created_unix_ms == stored->created_unix_ms);

  auto missing = h.await<SessionRecord>(
      [&](auto done) { return h.backend(kind).getSession("nope", done); });
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
}

TEST_CASE("backends page through events in seq order") {
  const BackendKind kind = GENERATE(BackendKind::kStore, BackendKind::kAdminApi);
  INFO(backendName(kind));
  CliHarness h;
  h.seed("s", SessionState::kActive, kThreeEvents);
  auto first = h.await<EventPage>(
      [&](auto done) { return h.backend(kind).readEvents("s", 0, 2, done); });
  REQUIRE(first.ok());
  REQUIRE(first.value().events.size() == 2);
  CHECK(first.value().events[0].seq == 1);
  CHECK(first.value().events[0].message == kThreeEvents[0].message);
  CHECK(first.value().events[1].direction == Direction::kServerToClient);
  CHECK(first.value().next_after_seq == 2);
  auto rest = h.await<EventPage>([&](auto done) {
    return h.backend(kind).readEvents("s", first.value().next_after_seq, 2, done);
  });
  REQUIRE(rest.ok());
  REQUIRE(rest.value().events.size() == 1);
  CHECK(rest.value().events[0].seq == 3);
  CHECK(rest.value().events[0].unix_ms == h.events("s").events[2].unix_ms);

  auto missing = h.await<EventPage>(
      [&](auto done) { return h.backend(kind).readEvents("nope", 0, 10, done); });
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
}

TEST_CASE("backends close a session once, then answer kConflict; unknown is kNotFound") {
  const BackendKind kind = GENERATE(BackendKind::kStore, BackendKind::kAdminApi);
  INFO(backendName(kind));
  CliHarness h;
  h.seed("s", SessionState::kActive);
  auto closed = h.await<SessionRecord>(
      [&](auto done) { return h.backend(kind).closeSession("s", done); });
  REQUIRE(closed.ok());
  CHECK(closed.value().state == SessionState::kClosed);
  CHECK(h.get("s")->state == SessionState::kClosed);

  auto again = h.await<SessionRecord>(
      [&](auto done) { return h.backend(kind).closeSession("s", done); });
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == ErrorCode::kConflict);

  auto missing = h.await<SessionRecord>(
      [&](auto done) { return h.backend(kind).closeSession("nope", done); });
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
}

TEST_CASE("a dropped CallHandle means the callback never runs") {
  const BackendKind kind = GENERATE(BackendKind::kStore, BackendKind::kAdminApi);
  INFO(backendName(kind));
  CliHarness h;
  h.seed("s", SessionState::kActive);
  bool called = false;
  {
    CallHandle dropped =
        h.backend(kind).listSessions([&called](auto) { called = true; });
  }
  bool later = false;
  CallHandle probe = h.backend(kind).getSession("s", [&later](auto) { later = true; });
  REQUIRE(h.pumpUntil([&] { return later; }));
  CHECK_FALSE(called);
}

TEST_CASE("an admin API nobody listens on is kUnavailable and names the address") {
  CliHarness h;
  const uint16_t port = closedPort();
  AdminApiBackend backend(h.base(), "127.0.0.1", port, std::chrono::seconds(5));
  auto listed = h.await<std::vector<SessionRecord>>(
      [&](auto done) { return backend.listSessions(done); });
  REQUIRE_FALSE(listed.ok());
  CHECK(listed.error().code == ErrorCode::kUnavailable);
  CHECK(listed.error().message.find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
}

TEST_CASE("the admin address comes from admin.listen; port 0 cannot be dialled") {
  CliHarness h;
  auto zero = AdminApiBackend::create(h.base(), config::HostPort{"127.0.0.1", 0},
                                      std::chrono::seconds(1));
  REQUIRE_FALSE(zero.ok());
  CHECK(zero.error().message.find("admin.listen") != std::string::npos);
  auto any4 = AdminApiBackend::create(h.base(), config::HostPort{"0.0.0.0", 9090},
                                      std::chrono::seconds(1));
  REQUIRE(any4.ok());
  CHECK(any4.value()->address() == "127.0.0.1:9090");  // a wildcard listener is on loopback too
  auto any6 = AdminApiBackend::create(h.base(), config::HostPort{"::", 9090},
                                      std::chrono::seconds(1));
  REQUIRE(any6.ok());
  CHECK(any6.value()->address() == "[::1]:9090");
  auto exact = AdminApiBackend::create(h.base(), config::HostPort{"10.1.2.3", 81},
                                       std::chrono::seconds(1));
  REQUIRE(exact.ok());
  CHECK(exact.value()->address() == "10.1.2.3:81");
}
