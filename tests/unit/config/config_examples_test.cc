#include <catch2/catch.hpp>

#include <chrono>

#include "config/config_loader.h"
#include "temp_yaml.h"

using namespace sidecar::config;
using sidecar::config::test::fakeEnv;
using sidecar::config::test::formatAll;
using std::chrono::milliseconds;

namespace {
std::string example(const char* name) {
  return std::string(SIDECAR_SOURCE_DIR) + "/config/examples/" + name;
}
}  // namespace

TEST_CASE("examples/dev.yaml validates with no environment") {
  const LoadOutcome outcome = loadConfig(example("dev.yaml"), {}, fakeEnv());
  INFO(formatAll(outcome));
  REQUIRE(outcome.config.has_value());
  const Config& c = *outcome.config;
  CHECK(c.listen.host == "127.0.0.1");
  CHECK(c.listen.port == 8080);
  CHECK(c.admin.listen.port == 9090);
  CHECK(c.upstream.host == "127.0.0.1");
  CHECK(c.upstream.port == 3001);
  CHECK(c.upstream.path == "/mcp");
  CHECK(c.store.kind == StoreKind::kMemory);
  CHECK(c.log.level == sidecar::LogLevel::kDebug);
  CHECK(c.log.format == sidecar::LogFormat::kText);
}

TEST_CASE("examples/prod.yaml validates with no environment, using its defaults") {
  const LoadOutcome outcome = loadConfig(example("prod.yaml"), {}, fakeEnv());
  INFO(formatAll(outcome));
  REQUIRE(outcome.config.has_value());
  const Config& c = *outcome.config;
  CHECK(c.listen.host == "0.0.0.0");
  CHECK(c.listen.port == 8080);
  CHECK(c.store.kind == StoreKind::kRedis);
  CHECK(c.store.redis.host == "127.0.0.1");
  CHECK(c.store.redis.port == 6379);
  CHECK(c.session.fingerprint_key.empty());
  CHECK(c.log.format == sidecar::LogFormat::kJson);
}

TEST_CASE("examples/prod.yaml takes Redis and the fingerprint key from the environment") {
  const LoadOutcome outcome =
      loadConfig(example("prod.yaml"), {},
                 fakeEnv({{"REDIS_URL", "redis://sidecar:pw@10.0.3.4:6380/2"},
                          {"SIDECAR_FINGERPRINT_KEY", "a-long-enough-production-key"}}));
  INFO(formatAll(outcome));
  REQUIRE(outcome.config.has_value());
  const Config& c = *outcome.config;
  CHECK(c.store.redis.host == "10.0.3.4");
  CHECK(c.store.redis.port == 6380);
  CHECK(c.store.redis.username == "sidecar");
  CHECK(c.store.redis.password == "pw");
  CHECK(c.store.redis.db == 2);
  CHECK(c.session.fingerprint_key == "a-long-enough-production-key");
}
