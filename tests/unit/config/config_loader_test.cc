#include <catch2/catch.hpp>

#include <chrono>

#include "config/config_loader.h"
#include "temp_yaml.h"

using namespace sidecar::config;
using sidecar::config::test::fakeEnv;
using sidecar::config::test::formatAll;
using sidecar::config::test::TempYaml;
using std::chrono::milliseconds;

TEST_CASE("no file and no overrides gives exactly the defaults of config.h") {
  const LoadOutcome outcome = loadConfig("", {}, fakeEnv());
  REQUIRE(outcome.problems.empty());
  REQUIRE(outcome.config.has_value());
  const Config& c = *outcome.config;
  const Config defaults;
  CHECK(c.listen.host == "127.0.0.1");
  CHECK(c.listen.port == 8080);
  CHECK(c.admin.listen.port == 9090);
  CHECK(c.upstream.url == defaults.upstream.url);
  CHECK(c.upstream.connect_timeout == milliseconds(5'000));
  CHECK(c.store.kind == StoreKind::kMemory);
  CHECK(c.session.fingerprint_key.empty());
  CHECK(c.security.allowed_origins == defaults.security.allowed_origins);
  CHECK(c.log.level == sidecar::LogLevel::kInfo);
  CHECK(c.log.format == sidecar::LogFormat::kText);
}

TEST_CASE("the defaulted URLs agree with their defaulted parsed fields") {
  // config.h spells each URL and its parts separately; setting the default URL
  // explicitly must change nothing.
  const Config defaults;
  const LoadOutcome outcome = loadConfig(
      "", {"upstream.url=" + defaults.upstream.url, "store.redis.url=" + defaults.store.redis.url},
      fakeEnv());
  REQUIRE(outcome.config.has_value());
  CHECK(outcome.config->upstream.host == defaults.upstream.host);
  CHECK(outcome.config->upstream.port == defaults.upstream.port);
  CHECK(outcome.config->upstream.path == defaults.upstream.path);
  CHECK(outcome.config->store.redis.host == defaults.store.redis.host);
  CHECK(outcome.config->store.redis.port == defaults.store.redis.port);
  CHECK(outcome.config->store.redis.db == defaults.store.redis.db);
}

TEST_CASE("an empty file or one with only comments gives the defaults") {
  for (const char* text : {"", "# nothing here\n", "---\n"}) {
    TempYaml file(text);
    const LoadOutcome outcome = loadConfig(file.path(), {}, fakeEnv());
    INFO(formatAll(outcome));
    CHECK(outcome.config.has_value());
  }
}

TEST_CASE("every key is parsed into its field") {
  TempYaml file(R"(listen: "[::1]:18080"
admin:
  listen: localhost:0
upstream:
  url: http://10.1.2.3/rpc?v=2
  host_header: upstream
  connect_timeout: 250ms
  response_timeout: 2m
  stream_idle_timeout: 1h
  max_idle_connections: 0
  health_interval: 5
mcp_path: /v1/mcp
store:
  kind: redis
  redis:
    url: redis://svc:pa%3Ass@10.0.0.9:6390/2
    prefix: "tenant-a:"
    stream_maxlen: 5000
    buffer_events: 0
  cache:
    enabled: false
    max_entries: 7
    ttl: 1500ms
  memory:
    max_events_per_session: 11
    max_sessionless_events: 0
session:
  idle_ttl: 48h
  fingerprint_key: 0123456789abcdef0123
limits:
  max_body_bytes: 8MiB
  max_header_bytes: 32KiB
  request_timeout: 10s
  stream_buffer_bytes: 1MB
security:
  allowed_origins: ["https://App.example.com", "*"]
drain:
  timeout: 0
log:
  level: warn
  format: json
)");
  const LoadOutcome outcome = loadConfig(file.path(), {}, fakeEnv());
  INFO(formatAll(outcome));
  REQUIRE(outcome.config.has_value());
  const Config& c = *outcome.config;
  CHECK(c.listen.host == "::1");
  CHECK(c.listen.port == 18080);
  CHECK(c.admin.listen.host == "127.0.0.1");
  CHECK(c.admin.listen.port == 0);
  CHECK(c.upstream.url == "http://10.1.2.3/rpc?v=2");
  CHECK(c.upstream.host == "10.1.2.3");
  CHECK(c.upstream.port == 80);
  CHECK(c.upstream.path == "/rpc?v=2");
  CHECK(c.upstream.host_header == HostHeaderMode::kUpstream);
  CHECK(c.upstream.connect_timeout == milliseconds(250));
  CHECK(c.upstream.response_timeout == milliseconds(120'000));
  CHECK(c.upstream.stream_idle_timeout == milliseconds(3'600'000));
  CHECK(c.upstream.max_idle_connections == 0);
  CHECK(c.upstream.health_interval == milliseconds(5'000));
  CHECK(c.mcp_path == "/v1/mcp");
  CHECK(c.store.kind == StoreKind::kRedis);
  CHECK(c.store.redis.url == "redis://svc:pa%3Ass@10.0.0.9:6390/2");
  CHECK(c.store.redis.host == "10.0.0.9");
  CHECK(c.store.redis.port == 6390);
  CHECK(c.store.redis.username == "svc");
  CHECK(c.store.redis.password == "pa:ss");
  CHECK(c.store.redis.db == 2);
  CHECK(c.store.redis.prefix == "tenant-a:");
  CHECK(c.store.redis.stream_maxlen == 5000);
  CHECK(c.store.redis.buffer_events == 0);
  CHECK_FALSE(c.store.cache.enabled);
  CHECK(c.store.cache.max_entries == 7);
  CHECK(c.store.cache.ttl == milliseconds(1500));
  CHECK(c.store.memory_max_events_per_session == 11);
  CHECK(c.store.memory_max_sessionless_events == 0);
  CHECK(c.session.idle_ttl == milliseconds(48LL * 3'600'000));
  CHECK(c.session.fingerprint_key == "0123456789abcdef0123");
  CHECK(c.limits.max_body_bytes == 8u << 20);
  CHECK(c.limits.max_header_bytes == 32u << 10);
  CHECK(c.limits.request_timeout == milliseconds(10'000));
  CHECK(c.limits.stream_buffer_bytes == 1'000'000);
  CHECK(c.security.allowed_origins == std::vector<std::string>{"https://app.example.com", "*"});
  CHECK(c.drain.timeout == milliseconds(0));
  CHECK(c.log.level == sidecar::LogLevel::kWarn);
  CHECK(c.log.format == sidecar::LogFormat::kJson);
}

TEST_CASE("sections left empty keep their defaults") {
  TempYaml file("upstream:\nstore:\n  redis:\n");
  const LoadOutcome outcome = loadConfig(file.path(), {}, fakeEnv());
  INFO(formatAll(outcome));
  REQUIRE(outcome.config.has_value());
  CHECK(outcome.config->upstream.port == 3001);
}

TEST_CASE("an empty allowed_origins list replaces the defaults") {
  TempYaml file("security:\n  allowed_origins: []\n");
  const LoadOutcome outcome = loadConfig(file.path(), {}, fakeEnv());
  REQUIRE(outcome.config.has_value());
  CHECK(outcome.config->security.allowed_origins.empty());
}

TEST_CASE("${VAR} and ${VAR:-default} are expanded before values are parsed") {
  TempYaml file(R"(listen: ${LISTEN_HOST}:${LISTEN_PORT:-8081}
upstream:
  url: http://${UPSTREAM_HOST:-127.0.0.1}:${UPSTREAM_PORT}/mcp
  connect_timeout: ${CONNECT_TIMEOUT:-2s}
store:
  redis:
    url: ${REDIS_URL:-redis://127.0.0.1:6379}
session:
  fingerprint_key: "${KEY:-}"
security:
  allowed_origins:
    - ${ORIGIN}
)");
  const LoadOutcome outcome =
      loadConfig(file.path(), {},
                 fakeEnv({{"LISTEN_HOST", "0.0.0.0"},
                          {"UPSTREAM_PORT", "4000"},
                          {"REDIS_URL", "redis://:secretsecret@10.0.0.7:6379/1"},
                          {"ORIGIN", "https://ui.example"}}));
  INFO(formatAll(outcome));
  REQUIRE(outcome.config.has_value());
  const Config& c = *outcome.config;
  CHECK(c.listen.host == "0.0.0.0");
  CHECK(c.listen.port == 8081);
  CHECK(c.upstream.host == "127.0.0.1");
  CHECK(c.upstream.port == 4000);
  CHECK(c.upstream.connect_timeout == milliseconds(2'000));
  CHECK(c.store.redis.host == "10.0.0.7");
  CHECK(c.store.redis.password == "secretsecret");
  CHECK(c.store.redis.db == 1);
  CHECK(c.session.fingerprint_key.empty());
  CHECK(c.security.allowed_origins == std::vector<std::string>{"https://ui.example"});
}

TEST_CASE("formatProblem prints FILE:LINE:COLUMN: key.path: message") {
  CHECK(formatProblem({"a.yaml", 3, 7, "log.level", "bad"}) == "a.yaml:3:7: log.level: bad");
  CHECK(formatProblem({"a.yaml", 2, 1, "", "syntax"}) == "a.yaml:2:1: syntax");
  CHECK(formatProblem({"a.yaml", 0, 0, "", "cannot open"}) == "a.yaml: cannot open");
}
