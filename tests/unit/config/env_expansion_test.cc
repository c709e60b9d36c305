#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>

#include "config/env_expansion.h"

using namespace sidecar::config;

namespace {
EnvLookup env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}
}  // namespace

TEST_CASE("${VAR} is replaced by its value, anywhere in the text") {
  const auto e = env({{"HOST", "10.0.0.5"}, {"PORT", "6380"}});
  CHECK(expandEnv("redis://${HOST}:${PORT}/0", e).value() == "redis://10.0.0.5:6380/0");
  CHECK(expandEnv("no references", e).value() == "no references");
  CHECK(expandEnv("cost: $5 and $HOST", e).value() == "cost: $5 and $HOST");
  CHECK(expandEnv("trailing $", e).value() == "trailing $");
}

TEST_CASE("${VAR:-default} uses the default when unset or empty, like the shell") {
  const auto e = env({{"SET", "value"}, {"EMPTY", ""}});
  CHECK(expandEnv("${SET:-fallback}", e).value() == "value");
  CHECK(expandEnv("${UNSET:-fallback}", e).value() == "fallback");
  CHECK(expandEnv("${EMPTY:-fallback}", e).value() == "fallback");
  CHECK(expandEnv("${UNSET:-}", e).value().empty());
  CHECK(expandEnv("${EMPTY}", e).value().empty());
  CHECK(expandEnv("${UNSET:-redis://127.0.0.1:6379}", e).value() == "redis://127.0.0.1:6379");
}

TEST_CASE("values are not expanded twice") {
  const auto e = env({{"A", "${B}"}, {"B", "no"}});
  CHECK(expandEnv("${A}", e).value() == "${B}");
}

TEST_CASE("unset variables without a default are errors naming every one") {
  const auto e = env({});
  const auto one = expandEnv("x${REDIS_URL}", e);
  REQUIRE_FALSE(one.ok());
  CHECK(one.error().message ==
        "environment variable REDIS_URL is not set and has no default (write "
        "${REDIS_URL:-default} to give one)");
  const auto two = expandEnv("${A}-${B}", e);
  REQUIRE_FALSE(two.ok());
  CHECK(two.error().message.find("A, B") != std::string::npos);
  CHECK_FALSE(expandEnv("${X}", EnvLookup{}).ok());  // a null lookup means nothing is set
}

TEST_CASE("malformed references are errors") {
  const auto e = env({{"A", "1"}});
  CHECK(expandEnv("${A", e).error().message.find("unterminated") != std::string::npos);
  CHECK(expandEnv("${}", e).error().message.find("invalid environment variable name") !=
        std::string::npos);
  CHECK(expandEnv("${1A}", e).error().message.find("invalid environment variable name") !=
        std::string::npos);
  CHECK(expandEnv("${A-x}", e).error().message.find("invalid environment variable name") !=
        std::string::npos);
  CHECK(expandEnv("${A:-${B}}", e).error().message.find("nested") != std::string::npos);
}

TEST_CASE("processEnvironment reads the real environment") {
  // The only test that touches the process environment, on a name of its own.
  REQUIRE(setenv("SIDECAR_CONFIG_TEST_VARIABLE", "from-env", 1) == 0);
  const EnvLookup real = processEnvironment();
  CHECK(real("SIDECAR_CONFIG_TEST_VARIABLE") == std::optional<std::string>("from-env"));
  REQUIRE(unsetenv("SIDECAR_CONFIG_TEST_VARIABLE") == 0);
  CHECK_FALSE(real("SIDECAR_CONFIG_TEST_VARIABLE").has_value());
}
