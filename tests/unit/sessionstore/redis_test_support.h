#pragma once
// Small helpers shared by the Redis store tests: records, events, and a
// way to issue one call and keep its raw Result (AwaitingStore REQUIREs
// success for get/list, and some tests expect failures).

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "redis_store_harness.h"
#include "redis_sync_client.h"
#include "sessionstore/session_store.h"

namespace sidecar::sessionstore::test {

inline SessionRecord redisRecord(const std::string& id) {
  SessionRecord record;
  record.id = id;
  record.client_params = R"({"protocolVersion":"2025-06-18","capabilities":{"roots":{}}})";
  record.credential_fingerprint = "f00dfeed";
  return record;
}

inline EventRecord redisEvent(const std::string& message, uint64_t stream_seq = 1) {
  EventRecord event;
  event.stream_id = "post-1";
  event.stream_seq = stream_seq;
  event.message = message;
  return event;
}

inline std::vector<uint64_t> seqsOf(const EventPage& page) {
  std::vector<uint64_t> seqs;
  for (const auto& e : page.events) seqs.push_back(e.seq);
  return seqs;
}

inline std::vector<std::string> messagesOf(const EventPage& page) {
  std::vector<std::string> out;
  for (const auto& e : page.events) out.push_back(e.message);
  return out;
}

inline std::vector<uint64_t> oneTo(uint64_t n) {
  std::vector<uint64_t> seqs;
  for (uint64_t i = 1; i <= n; ++i) seqs.push_back(i);
  return seqs;
}

// Issues a call through `start(callback)` and pumps until it answers (or
// `bound` passes: then nullopt). Also reports how long the answer took.
template <class T, class Start>
std::optional<Result<T>> callAndWait(RedisStoreHarness& h, Start start,
                                     std::chrono::milliseconds bound = std::chrono::seconds(5),
                                     std::chrono::milliseconds* took = nullptr) {
  std::optional<Result<T>> got;
  const auto t0 = std::chrono::steady_clock::now();
  CallHandle handle = start([&got](Result<T> r) { got.emplace(std::move(r)); });
  (void)h.pumpFor(bound, [&] { return got.has_value(); });
  if (took != nullptr) {
    *took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  t0);
  }
  return got;
}

inline std::optional<Result<std::optional<SessionRecord>>> getRaw(
    RedisStoreHarness& h, const std::string& id, std::chrono::milliseconds* took = nullptr,
    std::chrono::milliseconds bound = std::chrono::seconds(5)) {
  return callAndWait<std::optional<SessionRecord>>(
      h, [&](auto done) { return h.store().getSession(id, done); }, bound, took);
}

// Appends and touches refresh a session's TTLs once per slack (idle TTL / 16,
// at most 60 s; redis_lua.cc). Backdating the last refresh stands in for
// waiting that long.
inline void makeRefreshDue(RedisSyncClient& redis, const std::string& meta) {
  (void)redis.command({"HSET", meta, "refreshed_ms", "0"});
}

// What the scripts set a session's keys' TTL to: the idle TTL plus the slack.
inline int64_t keyLifetimeMs(std::chrono::milliseconds idle_ttl) {
  return idle_ttl.count() + std::min<int64_t>(idle_ttl.count() / 16, 60'000);
}

inline std::optional<Result<std::optional<SessionRecord>>> lookupRaw(RedisStoreHarness& h,
                                                                     const std::string& id) {
  return callAndWait<std::optional<SessionRecord>>(
      h, [&](auto done) { return h.store().lookupForRequest(id, done); });
}

// Lets the loop run for a while (timers, reconnect attempts) without a goal.
inline void idleFor(RedisStoreHarness& h, std::chrono::milliseconds span) {
  (void)h.pumpFor(span, [] { return false; });
}

}  // namespace sidecar::sessionstore::test
