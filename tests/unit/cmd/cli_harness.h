#pragma once
// CliHarness: a MemorySessionStore on a private event_base with a manual
// clock, plus the same store served by a real AdminServer on an ephemeral
// loopback port, so a test can run the CLI's backends and commands against
// either path on one loop. seed() fills the store through its public
// interface; pumpUntil() turns the loop with a wall-clock bound so a broken
// backend fails the test instead of hanging it. Catch assertions run here,
// never inside a completion.

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "captured_file.h"
#include "cmd/admin_api_backend.h"
#include "cmd/sessions_backend.h"
#include "cmd/store_backend.h"
#include "common/c_handles.h"
#include "common/clock.h"
#include "common/logger.h"
#include "common/metrics.h"
#include "config/config.h"
#include "proxy/admin_server.h"
#include "sessionstore/memory_session_store.h"

namespace sidecar::cmd::test {

enum class BackendKind { kStore, kAdminApi };

inline const char* backendName(BackendKind kind) {
  return kind == BackendKind::kStore ? "StoreBackend" : "AdminApiBackend";
}

struct SeedEvent {
  sessionstore::Direction direction = sessionstore::Direction::kClientToServer;
  std::string message;
  std::string stream_id = "0123456789abcdef-1";
  bool synthetic = false;
};

class CliHarness {
 public:
  CliHarness()
      : base_(event_base_new()),
        logger_(LogLevel::kError, LogFormat::kText, log_.file()),
        store_(*base_, clock_, logger_, metrics_, limits()) {
    REQUIRE(base_);
    cfg_.admin.listen = config::HostPort{"127.0.0.1", 0};
  }
  CliHarness(const CliHarness&) = delete;
  CliHarness& operator=(const CliHarness&) = delete;

  event_base& base() { return *base_; }
  sessionstore::MemorySessionStore& store() { return store_; }
  ManualClock& clock() { return clock_; }

  // The backend under test; the admin path starts the AdminServer first.
  SessionsBackend& backend(BackendKind kind) {
    if (kind == BackendKind::kStore) {
      if (!store_backend_) store_backend_ = std::make_unique<StoreBackend>(store_);
      return *store_backend_;
    }
    if (!admin_backend_) {
      admin_ = std::make_unique<proxy::AdminServer>(*base_, cfg_, store_, metrics_, logger_,
                                                    [] { return proxy::Readiness{true, "{}"}; });
      REQUIRE(admin_->bind().ok());
      admin_backend_ = std::make_unique<AdminApiBackend>(*base_, "127.0.0.1", admin_->boundPort(),
                                                         std::chrono::seconds(5));
    }
    return *admin_backend_;
  }

  bool pumpUntil(const std::function<bool()>& done,
                 std::chrono::milliseconds bound = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      event_base_loop(base_.get(), EVLOOP_ONCE | EVLOOP_NONBLOCK);
    }
    return true;
  }

  // Issues one async call, checks the answer is not synchronous, pumps
  // until it arrives.
  template <class T, class Start>
  Result<T> await(Start start) {
    std::optional<Result<T>> got;
    CallHandle handle = start([&got](Result<T> r) { got.emplace(std::move(r)); });
    REQUIRE_FALSE(got.has_value());
    REQUIRE(pumpUntil([&] { return got.has_value(); }));
    return std::move(*got);
  }

  // A session in `state`, initialized with protocol 2025-11-25, holding
  // `events` in order. Each step moves the manual clock by one second, so
  // timestamps are distinct and predictable.
  void seed(const std::string& id, sessionstore::SessionState state,
            const std::vector<SeedEvent>& events = {}) {
    using sessionstore::SessionState;
    sessionstore::SessionRecord record;
    record.id = id;
    record.client_params = R"({"protocolVersion":"2025-11-25","capabilities":{},)"
                           R"("clientInfo":{"name":"unit","version":"1.0.0"}})";
    REQUIRE(await<Ok>([&](auto done) { return store_.createSession(record, done); }).ok());
    clock_.advanceMs(1000);
    if (state != SessionState::kInitializing) {
      REQUIRE(await<sessionstore::SessionRecord>([&](auto done) {
                return store_.completeInitialize(id, "2025-11-25",
                                                 R"({"protocolVersion":"2025-11-25"})", done);
              }).ok());
    }
    if (state == SessionState::kActive || state == SessionState::kClosed) {
      transition(id, SessionState::kActive);
    }
    append(id, events);
    if (state == SessionState::kClosed) transition(id, SessionState::kClosed);
  }

  void append(const std::string& id, const std::vector<SeedEvent>& events) {
    std::vector<sessionstore::EventRecord> records;
    uint64_t stream_seq = 0;
    for (const auto& e : events) {
      clock_.advanceMs(1000);
      sessionstore::EventRecord record;
      record.direction = e.direction;
      record.stream_id = e.stream_id;
      record.stream_seq = ++stream_seq;
      record.unix_ms = clock_.nowUnixMs();
      record.message = e.message;
      record.synthetic = e.synthetic;
      records.push_back(std::move(record));
    }
    store_.appendEvents(id, std::move(records));
  }

  std::optional<sessionstore::SessionRecord> get(const std::string& id) {
    auto got = await<std::optional<sessionstore::SessionRecord>>(
        [&](auto done) { return store_.getSession(id, done); });
    REQUIRE(got.ok());
    return std::move(got).value();
  }

  std::vector<sessionstore::SessionRecord> list() {
    auto got = await<std::vector<sessionstore::SessionRecord>>(
        [&](auto done) { return store_.listSessions(done); });
    REQUIRE(got.ok());
    return std::move(got).value();
  }

  sessionstore::EventPage events(const std::string& id) {
    auto got = await<sessionstore::EventPage>(
        [&](auto done) { return store_.readEvents(id, 0, 10'000, done); });
    REQUIRE(got.ok());
    return std::move(got).value();
  }

 private:
  static sessionstore::MemoryStoreLimits limits() {
    sessionstore::MemoryStoreLimits l;
    l.sweep_interval = config::Millis(0);  // no timer: tests drive time by hand
    return l;
  }

  void transition(const std::string& id, sessionstore::SessionState to) {
    clock_.advanceMs(1000);
    REQUIRE(await<sessionstore::SessionRecord>(
                [&](auto done) { return store_.transition(id, to, done); })
                .ok());
  }

  // Destroyed in reverse: backends and the admin server before the store,
  // the store before the loop.
  EventBasePtr base_;
  ManualClock clock_;
  CapturedFile log_;
  Logger logger_;
  MetricsRegistry metrics_;
  config::Config cfg_;
  sessionstore::MemorySessionStore store_;
  std::unique_ptr<proxy::AdminServer> admin_;
  std::unique_ptr<StoreBackend> store_backend_;
  std::unique_ptr<AdminApiBackend> admin_backend_;
};

}  // namespace sidecar::cmd::test
