// The Redis store's pure pieces, without a server: key schema and hash
// tags, the generated transition table, codecs, error mapping, backoff and
// the session cache.

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>

#include "common/clock.h"
#include "sessionstore/hex_digest.h"
#include "sessionstore/redis_backoff.h"
#include "sessionstore/redis_codec.h"
#include "sessionstore/redis_keys.h"
#include "sessionstore/redis_lua.h"
#include "sessionstore/session_cache.h"
#include "sessionstore/stream_starts.h"

using namespace sidecar;
using namespace sidecar::sessionstore;

namespace {

RedisReply text(std::string s) {
  RedisReply r;
  r.type = RedisReply::Type::kString;
  r.str = std::move(s);
  return r;
}

RedisReply array(std::vector<RedisReply> elements) {
  RedisReply r;
  r.type = RedisReply::Type::kArray;
  r.elements = std::move(elements);
  return r;
}

RedisReply integer(long long n) {
  RedisReply r;
  r.type = RedisReply::Type::kInteger;
  r.integer = n;
  return r;
}

RedisReply errorReply(std::string s) {
  RedisReply r;
  r.type = RedisReply::Type::kError;
  r.str = std::move(s);
  return r;
}

RedisReply recordReply(const std::string& id, const std::string& state, long long events) {
  return array({array({text("id"), text(id), text("state"), text(state), text("client_params"),
                       text("{\"a\":1}"), text("created_ms"), text("1700000000000"),
                       text("last_seen_ms"), text("1700000000500"), text("seq"), text("9"),
                       text("w:abc"), text("4"), text("fingerprint"), text("ff")}),
                integer(events)});
}

}  // namespace

TEST_CASE("hash tag: 16 lowercase hex chars of SHA-256(id)") {
  CHECK(sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sessionHashTag("") == "e3b0c44298fc1c14");
  const std::string tag = sessionHashTag("id-with-{braces}-and-more");
  CHECK(tag.size() == 16);
  CHECK(tag.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(sessionHashTag("a") != sessionHashTag("b"));
  CHECK(sessionHashTag(std::string(10'000, 'x')).size() == 16);
}

TEST_CASE("key schema: every key of a session carries the same tag") {
  const RedisKeys keys("mcp:");
  const SessionKeys s = keys.session("abc");
  const std::string tag = sessionHashTag("abc");
  CHECK(s.meta == "mcp:{" + tag + "}:meta");
  CHECK(s.events == "mcp:{" + tag + "}:events");
  CHECK(s.starts == "mcp:{" + tag + "}:starts");
  CHECK(keys.index() == "mcp:sessions");
  CHECK(keys.sessionless().meta == "mcp:{sessionless}:meta");
  CHECK(keys.sessionless().events == "mcp:{sessionless}:events");
}

TEST_CASE("the Lua transition table is generated from isLegalTransition") {
  CHECK(legalTransitionsLua() ==
        "{INITIALIZING={INITIALIZED=true,CLOSED=true},INITIALIZED={ACTIVE=true,CLOSED=true},"
        "ACTIVE={CLOSED=true},CLOSED={},}");
  CHECK(luaSource(ScriptId::kTransition).find(legalTransitionsLua()) != std::string::npos);
  std::set<std::string> shas;
  for (size_t i = 0; i < kScriptCount; ++i) {
    const auto& source = luaSource(static_cast<ScriptId>(i));
    CHECK_FALSE(source.empty());
    shas.insert(sha1Hex(source));
  }
  CHECK(shas.size() == kScriptCount);
}

TEST_CASE("record codec: fields to record, foreign ids and bad shapes refused") {
  const auto ok = decodeRecordReply(recordReply("s-1", "ACTIVE", 7), "s-1");
  REQUIRE(ok.ok());
  REQUIRE(ok.value().has_value());
  const SessionRecord& r = *ok.value();
  CHECK(r.id == "s-1");
  CHECK(r.state == SessionState::kActive);
  CHECK(r.client_params == "{\"a\":1}");
  CHECK(r.credential_fingerprint == "ff");
  CHECK(r.created_unix_ms == 1'700'000'000'000);
  CHECK(r.last_seen_unix_ms == 1'700'000'000'500);
  CHECK(r.event_count == 7);

  CHECK_FALSE(decodeRecordReply(RedisReply{}, "s-1").value().has_value());  // nil: unknown
  // Same hash tag, another id: not ours (fails closed).
  CHECK_FALSE(decodeRecordReply(recordReply("other", "ACTIVE", 0), "s-1").value().has_value());
  CHECK(decodeRecordReply(recordReply("s-1", "BOGUS", 0), "s-1").error().code ==
        ErrorCode::kInternal);
  CHECK(decodeRecordReply(text("x"), "s-1").error().code == ErrorCode::kInternal);

  const auto args = encodeCreateArgs(r, blobRef(r.client_params), blobRef(r.server_result));
  CHECK(args == std::vector<std::string>{"ACTIVE", "", "{\"a\":1}", sha256Hex("{\"a\":1}"), "",
                                         "", "ff", "1700000000000"});
  CHECK(blobRef("").empty());  // an empty value has no blob

  // The scripts' third element: blobs gone from Redis.
  RedisReply with_missing = recordReply("s-1", "ACTIVE", 7);
  with_missing.elements.push_back(integer(2));
  uint64_t missing = 0;
  REQUIRE(decodeRecordReply(with_missing, "s-1", &missing).value().has_value());
  CHECK(missing == 2);
}

TEST_CASE("event codec: script arguments and XRANGE entries round-trip") {
  EventRecord e;
  e.direction = Direction::kServerToClient;
  e.stream_id = "get-3";
  e.stream_seq = 12;
  e.upstream_event_id = "u-9";
  e.unix_ms = 1'700'000'000'123;
  e.message = std::string("{\"x\":\"\0binary\"}", 16);
  e.synthetic = true;
  std::vector<std::string> args;
  encodeEventArgs(e, args);
  REQUIRE(args.size() == 7);
  CHECK(args[0] == "s");
  CHECK(args[6] == "1");

  const std::vector<std::string> names = {"dir", "stream", "sseq", "ueid", "ts", "msg", "syn"};
  std::vector<RedisReply> fields;
  for (size_t i = 0; i < names.size(); ++i) {
    fields.push_back(text(names[i]));
    fields.push_back(text(args[i]));
  }
  const auto page = decodeEventPage(array({array({text("41-0"), array(fields)})}), 40);
  REQUIRE(page.ok());
  REQUIRE(page.value().events.size() == 1);
  const EventRecord& got = page.value().events[0];
  CHECK(got.seq == 41);
  CHECK(got.direction == Direction::kServerToClient);
  CHECK(got.stream_id == "get-3");
  CHECK(got.stream_seq == 12);
  CHECK(got.upstream_event_id == "u-9");
  CHECK(got.unix_ms == 1'700'000'000'123);
  CHECK(got.message == e.message);
  CHECK(got.synthetic);
  CHECK(page.value().next_after_seq == 41);

  const auto empty = decodeEventPage(RedisReply{}, 5);  // COUNT 0 answers nil
  REQUIRE(empty.ok());
  CHECK(empty.value().next_after_seq == 5);
  CHECK(seqFromStreamId("17-0") == 17u);
  CHECK_FALSE(seqFromStreamId("17-1").has_value());
  CHECK_FALSE(seqFromStreamId("1700000000000").has_value());
}

TEST_CASE("script error replies map to error codes") {
  CHECK(errorFromReply(errorReply("NOTFOUND unknown session")).code == ErrorCode::kNotFound);
  CHECK(errorFromReply(errorReply("CONFLICT illegal transition A -> B")).code ==
        ErrorCode::kConflict);
  const Error other = errorFromReply(errorReply("WRONGTYPE Operation against a key"));
  CHECK(other.code == ErrorCode::kInternal);
  CHECK(other.message.find("WRONGTYPE") != std::string::npos);
  CHECK(errorReply("NOSCRIPT No matching script").errorCode() == "NOSCRIPT");
}

TEST_CASE("backoff: full jitter under a doubling, capped ceiling") {
  Backoff backoff(config::Millis(100), config::Millis(5'000), 42);
  const std::vector<int64_t> ceilings = {100, 200, 400, 800, 1600, 3200, 5000, 5000};
  for (int64_t ceiling : ceilings) {
    CHECK(backoff.ceiling().count() == ceiling);
    const auto delay = backoff.next();
    CHECK(delay.count() >= 0);
    CHECK(delay.count() <= ceiling);
  }
  backoff.reset();
  CHECK(backoff.ceiling().count() == 100);
  CHECK(backoff.attempt() == 0);
  // Jitter: many draws under one ceiling are not all the same.
  std::set<int64_t> draws;
  for (int i = 0; i < 20; ++i) {
    Backoff b(config::Millis(1'000), config::Millis(1'000), static_cast<uint64_t>(i));
    draws.insert(b.next().count());
  }
  CHECK(draws.size() > 10);
}

TEST_CASE("session cache: bounded LRU, records trusted for the TTL only") {
  ManualClock clock;
  config::CacheConfig cfg;
  cfg.max_entries = 2;
  cfg.ttl = config::Millis(1'000);
  SessionCache cache(cfg, clock);
  auto record = [](const std::string& id) {
    SessionRecord r;
    r.id = id;
    return r;
  };
  cache.put(record("a"));
  cache.put(record("b"));
  CHECK(cache.get("a").has_value());  // a is now the most recent
  cache.put(record("c"));             // evicts b
  CHECK_FALSE(cache.get("b").has_value());
  CHECK(cache.get("a").has_value());
  CHECK(cache.size() == 2);
  clock.advanceMs(999);
  cache.put(record("c"));  // confirmed again: its age restarts
  clock.advanceMs(1);
  CHECK_FALSE(cache.get("a").has_value());  // 1000 ms old: no longer trusted
  CHECK(cache.get("c").has_value());
  cache.erase("c");
  CHECK(cache.size() == 0);

  cfg.enabled = false;
  SessionCache off(cfg, clock);
  off.put(record("a"));
  CHECK_FALSE(off.get("a").has_value());
}

TEST_CASE("session cache: vouched records answer only in their epoch, ACTIVE, within the age") {
  ManualClock clock;
  config::CacheConfig cfg;
  cfg.max_entries = 2;
  SessionCache cache(cfg, clock);
  constexpr std::chrono::milliseconds kAge{500};
  auto active = [](const std::string& id) {
    SessionRecord r;
    r.id = id;
    r.state = SessionState::kActive;
    return r;
  };
  cache.vouch("a", 1);  // not cached: nothing to vouch for
  CHECK_FALSE(cache.vouched("a", 1, kAge).has_value());
  cache.put(active("a"));
  CHECK_FALSE(cache.vouched("a", 1, kAge).has_value());  // read, never vouched
  cache.vouch("a", 0);                                    // the feed was down
  CHECK_FALSE(cache.vouched("a", 1, kAge).has_value());
  cache.vouch("a", 1);
  CHECK(cache.vouched("a", 1, kAge).has_value());
  CHECK_FALSE(cache.vouched("a", 2, kAge).has_value());  // the feed was lost since
  CHECK_FALSE(cache.vouched("a", 0, kAge).has_value());  // and is down now
  cache.put(active("a"));  // a read keeps the vouch
  CHECK(cache.vouched("a", 1, kAge).has_value());
  cache.unvouch("a");  // a transition in flight
  CHECK_FALSE(cache.vouched("a", 1, kAge).has_value());
  cache.vouch("a", 1);
  clock.advanceMs(499);
  CHECK(cache.vouched("a", 1, kAge).has_value());
  clock.advanceMs(1);
  CHECK_FALSE(cache.vouched("a", 1, kAge).has_value());

  SessionRecord initialized = active("b");
  initialized.state = SessionState::kInitialized;
  cache.put(initialized);
  cache.vouch("b", 1);
  CHECK_FALSE(cache.vouched("b", 1, kAge).has_value());  // only ACTIVE sessions

  // A close wins over a vouch still in flight: a stale read cached after
  // the close and its write's acknowledgement never make the session live.
  cache.put(active("c"));
  cache.closed("c");
  CHECK_FALSE(cache.get("c").has_value());
  cache.put(active("c"));
  cache.vouch("c", 1);
  CHECK_FALSE(cache.vouched("c", 1, kAge).has_value());
  // Closed ids are remembered as many as the cache holds entries.
  cache.closed("d");
  cache.closed("e");  // forgets c
  cache.put(active("c"));
  cache.vouch("c", 1);
  CHECK(cache.vouched("c", 1, kAge).has_value());
}

TEST_CASE("stream starts: a stream starts at its stream seq 1, and is forgotten with its first event") {
  StreamStarts starts;
  starts.note("post-1", 1, 0);
  starts.note("post-1", 2, 1);  // a later event of the same stream
  starts.note("", 1, 2);        // no stream
  starts.note("tail-only", 3, 3);  // a tail continuing a stream indexed before
  starts.note("post-2", 1, 4);
  starts.note("post-2", 1, 9);  // numbered twice: the first start stays
  CHECK(starts.find("post-1") == 0u);
  CHECK(starts.find("post-2") == 4u);
  CHECK_FALSE(starts.find("tail-only").has_value());
  CHECK(starts.size() == 2);
  starts.forgetBefore(1);  // event 1 (post-1's first) still held
  CHECK(starts.find("post-1") == 0u);
  starts.forgetBefore(2);
  CHECK_FALSE(starts.find("post-1").has_value());
  CHECK(starts.find("post-2") == 4u);
  starts.forgetBefore(6);
  CHECK(starts.size() == 0);

  // Many streams, forgotten in steps (the bookkeeping compacts past 64).
  // s-i's first event is seq 101 + i.
  for (uint64_t i = 0; i < 500; ++i) starts.note("s-" + std::to_string(i), 1, 100 + i);
  for (uint64_t first_held = 150; first_held <= 650; first_held += 50) {
    starts.forgetBefore(first_held);
    const uint64_t forgotten = std::min<uint64_t>(first_held - 101, 500);
    CHECK(starts.size() == 500 - forgotten);
    if (forgotten > 0) CHECK_FALSE(starts.find("s-" + std::to_string(forgotten - 1)).has_value());
    if (forgotten < 500) CHECK(starts.find("s-" + std::to_string(forgotten)) == 100 + forgotten);
  }
}
