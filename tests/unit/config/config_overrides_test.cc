#include <catch2/catch.hpp>

#include <chrono>

#include "config/config_loader.h"
#include "temp_yaml.h"

using namespace sidecar::config;
using sidecar::config::test::fakeEnv;
using sidecar::config::test::formatAll;
using sidecar::config::test::TempYaml;
using std::chrono::milliseconds;

TEST_CASE("overrides: --set overrides keys from the file, applied after it") {
  TempYaml file("log:\n  level: info\nupstream:\n  connect_timeout: 5s\n");
  const LoadOutcome outcome = loadConfig(
      file.path(), {"log.level=debug", "upstream.connect_timeout=750ms", "log.level=error"},
      fakeEnv());
  INFO(formatAll(outcome));
  REQUIRE(outcome.config.has_value());
  CHECK(outcome.config->log.level == sidecar::LogLevel::kError);  // the last one wins
  CHECK(outcome.config->upstream.connect_timeout == milliseconds(750));
}

TEST_CASE("overrides: --set adds keys the file does not have, and works without a file") {
  TempYaml file("log:\n  level: info\n");
  const LoadOutcome outcome =
      loadConfig(file.path(),
                 {"store.kind=redis", "store.redis.url=redis://:pw-with=sign@127.0.0.1:6400/5",
                  " limits.max_body_bytes = 1MiB "},
                 fakeEnv());
  INFO(formatAll(outcome));
  REQUIRE(outcome.config.has_value());
  CHECK(outcome.config->store.kind == StoreKind::kRedis);
  CHECK(outcome.config->store.redis.port == 6400);
  CHECK(outcome.config->store.redis.password == "pw-with=sign");  // split at the first '='
  CHECK(outcome.config->store.redis.db == 5);
  CHECK(outcome.config->limits.max_body_bytes == 1u << 20);

  const LoadOutcome bare = loadConfig("", {"listen=[::1]:0", "mcp_path=\"/quoted\""}, fakeEnv());
  INFO(formatAll(bare));
  REQUIRE(bare.config.has_value());
  CHECK(bare.config->listen.host == "::1");   // YAML would read [::1] as a list: kept verbatim
  CHECK(bare.config->mcp_path == "/quoted");  // YAML quotes are removed
}

TEST_CASE("overrides: --set takes a YAML flow list for list keys, or a lone value") {
  const LoadOutcome list = loadConfig(
      "", {"security.allowed_origins=[http://a.example, 'https://B.example:8443', \"*\"]"},
      fakeEnv());
  INFO(formatAll(list));
  REQUIRE(list.config.has_value());
  CHECK(list.config->security.allowed_origins ==
        std::vector<std::string>{"http://a.example", "https://b.example:8443", "*"});

  const LoadOutcome single =
      loadConfig("", {"security.allowed_origins=https://only.example"}, fakeEnv());
  REQUIRE(single.config.has_value());
  CHECK(single.config->security.allowed_origins ==
        std::vector<std::string>{"https://only.example"});

  const LoadOutcome empty = loadConfig("", {"security.allowed_origins=[]"}, fakeEnv());
  REQUIRE(empty.config.has_value());
  CHECK(empty.config->security.allowed_origins.empty());
}

TEST_CASE("overrides: --set values get ${VAR} expansion too") {
  const LoadOutcome outcome =
      loadConfig("", {"session.fingerprint_key=${KEY}", "session.fingerprint_key=${KEY}x"},
                 fakeEnv({{"KEY", "0123456789abcdef"}}));
  REQUIRE(outcome.config.has_value());
  CHECK(outcome.config->session.fingerprint_key == "0123456789abcdefx");

  const LoadOutcome unset = loadConfig("", {"log.level=info", "log.level=${LEVEL}"}, fakeEnv());
  REQUIRE(unset.problems.size() == 1);
  CHECK(formatProblem(unset.problems[0]) ==
        "--set:2:1: log.level: environment variable LEVEL is not set and has no default (write "
        "${LEVEL:-default} to give one)");
}

TEST_CASE("overrides: an empty --set value means the empty string") {
  TempYaml file("session:\n  fingerprint_key: 0123456789abcdef\n");
  const LoadOutcome outcome = loadConfig(file.path(), {"session.fingerprint_key="}, fakeEnv());
  REQUIRE(outcome.config.has_value());
  CHECK(outcome.config->session.fingerprint_key.empty());
}

TEST_CASE("overrides: --set errors report --set, the override's index and column 1") {
  const LoadOutcome outcome =
      loadConfig("",
                 {"log.level=debug", "log.level", "upstream.conect_timeout=1s", "upstream=x", "=5",
                  "limits.max_body_bytes=lots", "security.allowed_origins=[http://a, {x: 1}]",
                  "security.allowed_origins=[http://a", "log.format=~", "mcp_path='/unterminated"},
                 fakeEnv());
  CHECK_FALSE(outcome.config.has_value());
  std::vector<std::string> formatted;
  for (const auto& problem : outcome.problems) formatted.push_back(formatProblem(problem));
  CHECK(formatted == std::vector<std::string>{
                         "--set:2:1: expected dotted.key=value (no '=' found)",
                         "--set:3:1: upstream.conect_timeout: unknown key; did you mean "
                         "\"upstream.connect_timeout\"?",
                         "--set:4:1: upstream: is a section; set one of its keys (e.g. "
                         "upstream.url=...)",
                         "--set:5:1: expected dotted.key=value (nothing before '=')",
                         "--set:6:1: limits.max_body_bytes: invalid size \"lots\": expected bytes "
                         "as an integer, optionally with unit KiB, MiB, GiB (1024-based) or KB, "
                         "MB, GB (1000-based), e.g. 4MiB",
                         "--set:7:1: security.allowed_origins[1]: expected a single value, got "
                         "a mapping",
                         "--set:8:1: security.allowed_origins: invalid YAML list: end of "
                         "sequence flow not found",
                         "--set:9:1: log.format: has no value",
                         "--set:10:1: mcp_path: invalid quoted value: illegal EOF in scalar",
                     });
}

TEST_CASE("overrides: --set problems come after the file's and both are reported") {
  TempYaml file("log:\n  level: loud\n");
  const LoadOutcome outcome =
      loadConfig(file.path(), {"log.level=debug", "drain.timeout=-1"}, fakeEnv());
  REQUIRE(outcome.problems.size() == 2);
  CHECK(outcome.problems[0].file == file.path());
  CHECK(outcome.problems[0].line == 2);
  CHECK(outcome.problems[1].file == "--set");
  CHECK(outcome.problems[1].line == 2);
  CHECK(outcome.problems[1].key_path == "drain.timeout");
}
