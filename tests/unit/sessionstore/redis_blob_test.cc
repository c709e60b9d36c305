// Content-addressed blobs on a real redis-server: client_params and the
// InitializeResult live once per content in <prefix>blob:<sha256>, meta
// keeps their digests and stays listpack-encoded, blobs live at least as
// long as their sessions, and records written by older versions (values
// inline in meta) still read back.

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "awaiting_store.h"
#include "redis_server.h"
#include "redis_store_harness.h"
#include "redis_sync_client.h"
#include "redis_test_support.h"
#include "sessionstore/hex_digest.h"
#include "sessionstore/redis_keys.h"

using namespace std::chrono_literals;
using namespace sidecar;
using namespace sidecar::sessionstore;
using namespace sidecar::sessionstore::test;

namespace {

// Longer than hash-max-listpack-value (64 B): inline, it would turn meta
// into a hashtable.
const std::string kResult =
    R"({"protocolVersion":"2025-06-18","capabilities":{"tools":{"listChanged":true}},)"
    R"("serverInfo":{"name":"blob-test","version":"1.0.0"},"instructions":"\u00e9 \"q\""})";

const std::string kParams =
    R"({"protocolVersion":"2025-06-18","capabilities":{"roots":{"listChanged":true}},)"
    R"("clientInfo":{"name":"blob-test-client","version":"1.0.0"}})";

SessionRecord bigRecord(const std::string& id) {
  SessionRecord record = redisRecord(id);
  record.client_params = kParams;
  return record;
}

RedisHarnessConfig withTtl(uint16_t port, std::chrono::milliseconds ttl) {
  RedisHarnessConfig cfg;
  cfg.port = port;
  cfg.session.idle_ttl = ttl;
  return cfg;
}

long long pttl(RedisSyncClient& redis, const std::string& key) {
  return std::stoll(redis.command({"PTTL", key}));
}

// Absolute expiry (unix ms): comparable without the clock moving between reads.
long long expiresAt(RedisSyncClient& redis, const std::string& key) {
  return std::stoll(redis.command({"PEXPIRETIME", key}));
}

size_t blobCount(RedisSyncClient& redis, const std::string& prefix) {
  return redis.reply({"KEYS", prefix + "blob:*"}).elements.size();
}

// A Redis store on its own redis-server, with a synchronous client beside it.
struct BlobFixture {
  RedisServer server;
  const RedisHarnessConfig cfg = withTtl(server.port(), 60s);
  RedisStoreHarness h{cfg};
  AwaitingStore s{h};
  RedisSyncClient redis{server.port()};
};

}  // namespace

TEST_CASE_METHOD(BlobFixture,
                 "identical params and InitializeResults are stored once, meta stays a listpack",
                 "[blobs]") {
  REQUIRE(h.ready());
  const std::string& params = kParams;
  REQUIRE(params.size() > 64);
  REQUIRE(kResult.size() > 64);

  for (const char* id : {"b-1", "b-2"}) {
    REQUIRE(s.create(bigRecord(id)).ok());
    const auto done = s.completeInitialize(id, "2025-06-18", kResult);
    REQUIRE(done.ok());
    CHECK(done.value().server_result == kResult);
    CHECK(done.value().client_params == params);
  }
  // One blob per distinct content, shared by both sessions.
  CHECK(blobCount(redis, cfg.prefix) == 2);
  const std::string result_blob = h.redis().keys().blob(sha256Hex(kResult));
  const std::string params_blob = h.redis().keys().blob(sha256Hex(params));
  CHECK(redis.command({"GET", result_blob}) == kResult);
  CHECK(redis.command({"GET", params_blob}) == params);

  for (const char* id : {"b-1", "b-2"}) {
    const std::string meta = h.redis().keys().session(id).meta;
    CHECK(redis.command({"OBJECT", "ENCODING", meta}) == "listpack");
    CHECK(redis.command({"HGET", meta, "server_result_ref"}) == sha256Hex(kResult));
    CHECK(redis.command({"HEXISTS", meta, "server_result"}) == "0");
    const auto got = s.get(id);
    REQUIRE(got.has_value());
    CHECK(got->client_params == params);  // byte-identical
    CHECK(got->server_result == kResult);
    CHECK(got->state == SessionState::kInitialized);
  }
  const auto listed = s.list();
  REQUIRE(listed.size() == 2);
  CHECK(listed[1].server_result == kResult);

  // Blobs live at least as long as the session: a refresh extends a blob
  // that would expire first, and never shortens one.
  const std::string meta = h.redis().keys().session("b-1").meta;
  CHECK(expiresAt(redis, result_blob) >= expiresAt(redis, meta));
  REQUIRE(redis.command({"PEXPIRE", result_blob, "5000"}) == "1");
  REQUIRE(redis.command({"PEXPIRE", params_blob, "600000"}) == "1");
  makeRefreshDue(redis, meta);
  h.store().touch("b-1");
  REQUIRE(h.pumpUntil([&] { return pttl(redis, result_blob) > 55'000; }));
  CHECK(expiresAt(redis, result_blob) >= expiresAt(redis, meta));
  CHECK(pttl(redis, params_blob) > 65'000);  // longer TTL kept
  h.store().appendEvents("b-1", {redisEvent("e")});
  REQUIRE(s.read("b-1", 0, 10).ok());
  CHECK(expiresAt(redis, result_blob) >= expiresAt(redis, meta));

  // A blob gone from Redis answers empty and is counted, the record stays.
  REQUIRE(redis.command({"DEL", result_blob}) == "1");
  const auto orphan = s.get("b-2");
  REQUIRE(orphan.has_value());
  CHECK(orphan->server_result.empty());
  CHECK(orphan->client_params == params);
  CHECK(h.counter("sidecar_store_blobs_missing_total") == 1);
  // A later session with the same result writes the blob again.
  REQUIRE(s.create(bigRecord("b-3")).ok());
  REQUIRE(s.completeInitialize("b-3", "2025-06-18", kResult).ok());
  CHECK(s.get("b-2")->server_result == kResult);
}

TEST_CASE_METHOD(BlobFixture, "empty values store no blob", "[blobs]") {
  REQUIRE(h.ready());
  SessionRecord record = redisRecord("e-1");
  record.client_params.clear();
  REQUIRE(s.create(record).ok());
  CHECK(blobCount(redis, cfg.prefix) == 0);
  const auto got = s.get("e-1");
  REQUIRE(got.has_value());
  CHECK(got->client_params.empty());
  CHECK(got->server_result.empty());
  CHECK(h.counter("sidecar_store_blobs_missing_total") == 0);
}

TEST_CASE_METHOD(BlobFixture,
                 "records written in the old format (values inline in meta) still read",
                 "[blobs]") {
  REQUIRE(h.ready());
  const std::string id = "old-1";
  const std::string& params = kParams;
  const SessionKeys keys = h.redis().keys().session(id);
  // What an older sidecar's create script wrote.
  REQUIRE(redis.command({"HSET", keys.meta, "id", id, "state", "INITIALIZING", "protocol_version",
                         "2025-06-18", "client_params", params, "server_result", "",
                         "fingerprint", "f00dfeed", "created_ms", "1700000000000",
                         "last_seen_ms", "1700000000000", "seq", "0"}) == "9");
  REQUIRE(redis.command({"PEXPIRE", keys.meta, "60000"}) == "1");
  REQUIRE(redis.command({"ZADD", cfg.prefix + "sessions",
                         std::to_string(SystemClock().nowUnixMs() + 60'000), id}) == "1");

  auto got = s.get(id);
  REQUIRE(got.has_value());
  CHECK(got->client_params == params);
  CHECK(got->state == SessionState::kInitializing);
  CHECK(got->created_unix_ms == 1'700'000'000'000);
  REQUIRE(s.list().size() == 1);
  CHECK(s.list()[0].client_params == params);

  // An upgraded node completes it: the result goes to a blob, the inline
  // params stay where they are.
  const auto done = s.completeInitialize(id, "2025-06-18", kResult);
  REQUIRE(done.ok());
  CHECK(done.value().client_params == params);
  CHECK(done.value().server_result == kResult);
  CHECK(redis.command({"HEXISTS", keys.meta, "server_result"}) == "0");
  CHECK(redis.command({"HGET", keys.meta, "server_result_ref"}) == sha256Hex(kResult));
  got = s.get(id);
  REQUIRE(got.has_value());
  CHECK(got->client_params == params);
  CHECK(got->server_result == kResult);
  // A refresh with one ref and one inline value.
  const std::string result_blob = h.redis().keys().blob(sha256Hex(kResult));
  REQUIRE(redis.command({"PEXPIRE", keys.meta, "5000"}) == "1");
  REQUIRE(redis.command({"PEXPIRE", result_blob, "5000"}) == "1");
  makeRefreshDue(redis, keys.meta);
  h.store().touch(id);
  REQUIRE(h.pumpUntil([&] { return pttl(redis, keys.meta) > 55'000; }));
  CHECK(expiresAt(redis, result_blob) >= expiresAt(redis, keys.meta));
  CHECK(s.transition(id, SessionState::kActive).ok());
  CHECK(h.counter("sidecar_store_blobs_missing_total") == 0);
}
