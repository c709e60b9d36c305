#pragma once
// AwaitingStore: test-side wrapper that issues one SessionStore call, checks
// the answer did not arrive inside the call, then pumps the loop until it
// does. Keeps each test reading top to bottom. Catch assertions run only
// here, never inside a completion (no exceptions through the loop's C frames).

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sessionstore/session_store.h"
#include "store_contract.h"

namespace sidecar::sessionstore::test {

class AwaitingStore {
 public:
  explicit AwaitingStore(StoreHarness& harness) : harness_(harness) {}

  Result<Ok> create(SessionRecord record) {
    return run<Ok>([&](auto done) { return store().createSession(std::move(record), done); });
  }
  Result<SessionRecord> completeInitialize(const std::string& id, std::string version,
                                           std::string server_result) {
    return run<SessionRecord>([&](auto done) {
      return store().completeInitialize(id, std::move(version), std::move(server_result), done);
    });
  }
  Result<SessionRecord> transition(const std::string& id, SessionState to) {
    return run<SessionRecord>([&](auto done) { return store().transition(id, to, done); });
  }
  // Unwraps the Result: a get that fails outright fails the test.
  std::optional<SessionRecord> get(const std::string& id) {
    auto got = run<std::optional<SessionRecord>>(
        [&](auto done) { return store().getSession(id, done); });
    REQUIRE(got.ok());
    return std::move(got).value();
  }
  std::vector<SessionRecord> list() {
    auto got = run<std::vector<SessionRecord>>(
        [&](auto done) { return store().listSessions(done); });
    REQUIRE(got.ok());
    return std::move(got).value();
  }
  Result<EventPage> read(const std::string& id, uint64_t after_seq, size_t limit) {
    return run<EventPage>(
        [&](auto done) { return store().readEvents(id, after_seq, limit, done); });
  }
  EventPage readSessionless(uint64_t after_seq, size_t limit) {
    auto got = run<EventPage>(
        [&](auto done) { return store().readSessionlessEvents(after_seq, limit, done); });
    REQUIRE(got.ok());
    return std::move(got).value();
  }

  Result<std::optional<uint64_t>> streamStart(const std::string& id, const std::string& stream) {
    return run<std::optional<uint64_t>>(
        [&](auto done) { return store().streamStart(id, stream, done); });
  }
  Result<std::optional<std::string>> readLease(const std::string& id, const std::string& name) {
    return run<std::optional<std::string>>(
        [&](auto done) { return store().readLease(id, name, done); });
  }

  SessionStore& store() { return harness_.store(); }

 private:
  template <class T, class Start>
  Result<T> run(Start start) {
    std::optional<Result<T>> got;
    CallHandle handle =
        start(SessionStore::Callback<T>([&got](Result<T> r) { got.emplace(std::move(r)); }));
    REQUIRE_FALSE(got.has_value());  // completions are never synchronous
    REQUIRE(harness_.pumpUntil([&] { return got.has_value(); }));
    return std::move(*got);
  }

  StoreHarness& harness_;
};

}  // namespace sidecar::sessionstore::test
