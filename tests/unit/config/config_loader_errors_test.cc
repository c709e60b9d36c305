#include <catch2/catch.hpp>

#include "config/config_loader.h"
#include "temp_yaml.h"

using namespace sidecar::config;
using sidecar::config::test::fakeEnv;
using sidecar::config::test::formatAll;
using sidecar::config::test::TempYaml;

namespace {

// Loads text from a temp file and returns the one problem it must produce,
// formatted with the file name replaced by "F" so positions can be compared.
std::string onlyProblem(const std::string& text, const EnvLookup& env = fakeEnv()) {
  TempYaml file(text);
  const LoadOutcome outcome = loadConfig(file.path(), {}, env);
  INFO(formatAll(outcome));
  REQUIRE(outcome.problems.size() == 1);
  CHECK_FALSE(outcome.config.has_value());
  ConfigProblem problem = outcome.problems[0];
  REQUIRE(problem.file == file.path());
  problem.file = "F";
  return formatProblem(problem);
}

}  // namespace

TEST_CASE("an unknown key is reported at the key, with a suggestion") {
  CHECK(onlyProblem("upstream:\n  url: http://127.0.0.1:3001/mcp\n  conect_timeout: 5s\n") ==
        "F:3:3: upstream.conect_timeout: unknown key; did you mean "
        "\"upstream.connect_timeout\"?");
  CHECK(onlyProblem("log:\n  level: info\nconnect_timeout: 5s\n") ==
        "F:3:1: connect_timeout: unknown key; did you mean \"upstream.connect_timeout\"?");
  CHECK(onlyProblem("colour: blue\n") == "F:1:1: colour: unknown key");
}

TEST_CASE("dotted key names in the file are refused") {
  CHECK(onlyProblem("upstream.url: http://127.0.0.1/\n") ==
        "F:1:1: upstream.url: unknown key; nest sections instead of writing dotted names");
}

TEST_CASE("a duplicate key is reported at its second occurrence") {
  CHECK(onlyProblem("log:\n  level: info\n  level: debug\n") ==
        "F:3:3: log.level: duplicate key (already set on line 2)");
}

TEST_CASE("wrong types are reported at the value") {
  CHECK(onlyProblem("log:\n  level: [debug]\n") ==
        "F:2:10: log.level: expected a single value, got a list");
  CHECK(onlyProblem("upstream: http://127.0.0.1/\n") ==
        "F:1:11: upstream: expected a mapping of keys under this section, got a single value");
  CHECK(onlyProblem("security:\n  allowed_origins: \"*\"\n") ==
        "F:2:20: security.allowed_origins: expected a list (e.g. "
        "[\"https://app.example.com\"]), got a single value");
  CHECK(onlyProblem("security:\n  allowed_origins:\n    - https://a.example\n    - {x: 1}\n") ==
        "F:4:7: security.allowed_origins[1]: expected a single value, got a mapping");
  CHECK(onlyProblem("store:\n  cache:\n    enabled: yes\n") ==
        "F:3:14: store.cache.enabled: expected true or false, got \"yes\"");
  CHECK(onlyProblem("upstream:\n  max_idle_connections: many\n") ==
        "F:2:25: upstream.max_idle_connections: expected a non-negative integer, got \"many\"");
}

TEST_CASE("a key without a value is reported at the key") {
  CHECK(onlyProblem("log:\n  level:\n  format: json\n") == "F:2:3: log.level: has no value");
}

TEST_CASE("a top level that is not a mapping is reported") {
  CHECK(onlyProblem("- listen\n") ==
        "F:1:1: expected a mapping of keys at the top level, got a list");
}

TEST_CASE("a bad duration is reported at the value") {
  CHECK(onlyProblem("upstream:\n  connect_timeout: 5 seconds\n") ==
        "F:2:20: upstream.connect_timeout: invalid duration \"5 seconds\": expected an integer "
        "with unit ms, s, m or h (e.g. 500ms, 30s, 24h); a bare integer means seconds");
  CHECK(onlyProblem("session:\n  idle_ttl: 0s\n") ==
        "F:2:13: session.idle_ttl: must be greater than 0");
}

TEST_CASE("out-of-range numbers and sizes are reported at the value") {
  CHECK(onlyProblem("limits:\n  max_header_bytes: 100\n") ==
        "F:2:21: limits.max_header_bytes: \"100\" is out of range: must be from 1 KiB to 1 MiB");
  CHECK(onlyProblem("store:\n  cache:\n    max_entries: 0\n") ==
        "F:3:18: store.cache.max_entries: \"0\" is out of range: must be from 1 to 1000000000");
  CHECK(onlyProblem("listen: 127.0.0.1:70000\n") ==
        "F:1:9: listen: invalid port \"70000\": expected an integer from 0 to 65535");
}

TEST_CASE("a bad enum lists the accepted values") {
  CHECK(onlyProblem("log:\n  format: json\n  level: verbose\n") ==
        "F:3:10: log.level: invalid value \"verbose\": expected one of debug, info, warn, error");
  CHECK(onlyProblem("store:\n  kind: etcd\n") ==
        "F:2:9: store.kind: invalid value \"etcd\": expected one of memory, redis");
  CHECK(onlyProblem("upstream:\n  host_header: server\n") ==
        "F:2:16: upstream.host_header: invalid value \"server\": expected one of client, upstream");
}

TEST_CASE("bad URLs are reported at the value") {
  CHECK(onlyProblem("upstream:\n  url: https://127.0.0.1/mcp\n") ==
        "F:2:8: upstream.url: https is not supported: the sidecar speaks plain HTTP to its "
        "upstream (run it next to the server, or put a TLS-originating proxy in between)");
  CHECK(onlyProblem("upstream:\n  url: \"127.0.0.1:3001\"\n") ==
        "F:2:8: upstream.url: expected an http:// URL, got \"127.0.0.1:3001\"");
  CHECK(onlyProblem("store:\n  redis:\n    url: redis://:topsecret@127.0.0.1:x\n") ==
        "F:3:10: store.redis.url: invalid port \"x\": expected an integer from 1 to 65535");
  CHECK(onlyProblem("mcp_path: mcp\n") == "F:1:11: mcp_path: must start with '/', got \"mcp\"");
  CHECK(onlyProblem("security:\n  allowed_origins: [\"https://a.example/\"]\n") ==
        "F:2:21: security.allowed_origins[0]: invalid origin \"https://a.example/\": an origin "
        "has no path, query or trailing slash");
}

TEST_CASE("host names are refused at the value, saying why") {
  const std::string expected =
      "host \"redis.internal\" is not a numeric IP address: the sidecar never resolves host "
      "names (a DNS lookup would block its event loop); use an IPv4 or [IPv6] literal or "
      "localhost";
  CHECK(onlyProblem("store:\n  redis:\n    url: redis://redis.internal:6379\n") ==
        "F:3:10: store.redis.url: " + expected);
  CHECK(onlyProblem("admin:\n  listen: \"redis.internal:9090\"\n") ==
        "F:2:11: admin.listen: " + expected);
}

TEST_CASE("a YAML syntax error is reported at yaml-cpp's position") {
  CHECK(onlyProblem("log:\n  level: [debug\n  format: json\n") ==
        "F:3:9: end of sequence flow not found");
  CHECK(onlyProblem("log:\n\tlevel: debug\n").rfind("F:2:", 0) == 0);
}

TEST_CASE("absurdly deep nesting is refused, not recursed into") {
  const std::string problem =
      onlyProblem("security:\n  allowed_origins: " + std::string(5000, '[') + "\n");
  CHECK(problem.rfind("F:", 0) == 0);  // yaml-cpp gives up where its depth limit is hit
  CHECK(problem.find(": nesting is too deep") != std::string::npos);
}

TEST_CASE("a second YAML document is refused where it starts") {
  CHECK(onlyProblem("log:\n  level: info\n---\nlog:\n  level: debug\n") ==
        "F:4:1: a configuration file holds one YAML document; a second one starts here");
}

TEST_CASE("an unset environment variable is reported at the value") {
  CHECK(onlyProblem("log:\n  level: info\nstore:\n  redis:\n    url: \"${REDIS_URL}\"\n") ==
        "F:5:10: store.redis.url: environment variable REDIS_URL is not set and has no default "
        "(write ${REDIS_URL:-default} to give one)");
}

TEST_CASE("values that only go wrong after expansion are reported at the value") {
  CHECK(onlyProblem("log:\n  level: ${LEVEL}\n", fakeEnv({{"LEVEL", "loud"}})) ==
        "F:2:10: log.level: invalid value \"loud\": expected one of debug, info, warn, error");
}

TEST_CASE("a short fingerprint key is refused without showing it") {
  const std::string problem = onlyProblem("session:\n  fingerprint_key: abc123\n");
  CHECK(problem ==
        "F:2:20: session.fingerprint_key: must be empty (a random per-process key) or "
        "at least 16 bytes long");
}

TEST_CASE("every problem in a file is reported in one pass, in file order") {
  TempYaml file(R"(listen: example.com:8080
upstream:
  url: http://127.0.0.1:3001/mcp
  connect_timeout: soon
  colour: blue
store:
  kind: redis
  redis:
    url: ${REDIS_URL}
log:
  level: loud
  format: json
)");
  const LoadOutcome outcome = loadConfig(file.path(), {"log.format=xml", "nope=1"}, fakeEnv());
  CHECK_FALSE(outcome.config.has_value());
  REQUIRE(outcome.problems.size() == 7);
  const auto at = [&](size_t i) {
    const ConfigProblem& p = outcome.problems[i];
    return (p.file == file.path() ? std::string("F") : p.file) + ":" + std::to_string(p.line) +
           ":" + std::to_string(p.column) + " " + p.key_path;
  };
  CHECK(at(0) == "F:1:9 listen");
  CHECK(at(1) == "F:4:20 upstream.connect_timeout");
  CHECK(at(2) == "F:5:3 upstream.colour");
  CHECK(at(3) == "F:9:10 store.redis.url");
  CHECK(at(4) == "F:11:10 log.level");
  CHECK(at(5) == "--set:1:1 log.format");
  CHECK(at(6) == "--set:2:1 nope");
}

TEST_CASE("an unreadable file is a problem without a position") {
  TempYaml file("");
  const std::string missing = file.dir() + "/missing.yaml";
  const LoadOutcome outcome = loadConfig(missing, {}, fakeEnv());
  REQUIRE(outcome.problems.size() == 1);
  CHECK(formatProblem(outcome.problems[0]) ==
        missing + ": cannot open the configuration file: No such file or directory");
  const LoadOutcome directory = loadConfig(file.dir(), {}, fakeEnv());
  REQUIRE(directory.problems.size() == 1);
  CHECK(directory.problems[0].line == 0);
  CHECK_FALSE(directory.config.has_value());
}

TEST_CASE("listeners that collide, or an upstream that is the sidecar, are refused") {
  TempYaml file("listen: 0.0.0.0:8080\nadmin:\n  listen: 127.0.0.1:8080\n");
  const LoadOutcome outcome = loadConfig(file.path(), {}, fakeEnv());
  REQUIRE(outcome.problems.size() == 1);
  CHECK(outcome.problems[0].line == 3);
  CHECK(outcome.problems[0].column == 11);
  CHECK(outcome.problems[0].key_path == "admin.listen");

  const LoadOutcome loop = loadConfig("", {"listen=127.0.0.1:3001"}, fakeEnv());
  REQUIRE(loop.problems.size() == 1);
  CHECK(formatProblem(loop.problems[0]) ==
        "--set:1:1: listen: upstream.url targets the sidecar's own listen address: requests "
        "would loop");

  const LoadOutcome wildcard = loadConfig("", {"listen=0.0.0.0:3001"}, fakeEnv());
  REQUIRE(wildcard.problems.size() == 1);
  CHECK(wildcard.problems[0].key_path == "listen");
  // An upstream on another host may use the sidecar's port.
  CHECK(loadConfig("", {"listen=0.0.0.0:8080", "upstream.url=http://10.0.0.5:8080/mcp"}, fakeEnv())
            .config.has_value());
  // Port 0 never collides: the kernel picks distinct ports.
  CHECK(loadConfig("", {"listen=127.0.0.1:0", "admin.listen=127.0.0.1:0"}, fakeEnv())
            .config.has_value());
  // Same port on different loopback addresses is fine.
  CHECK(loadConfig("", {"listen=127.0.0.1:8080", "admin.listen=[::1]:8080"}, fakeEnv())
            .config.has_value());
}

TEST_CASE("an EnvLookup that throws becomes a problem, not an exception") {
  TempYaml file("log:\n  level: ${LEVEL}\n");
  const EnvLookup throwing = [](const std::string&) -> std::optional<std::string> {
    throw std::runtime_error("lookup failed");
  };
  LoadOutcome outcome;
  REQUIRE_NOTHROW(outcome = loadConfig(file.path(), {}, throwing));
  REQUIRE(outcome.problems.size() == 1);
  CHECK(outcome.problems[0].message.find("lookup failed") != std::string::npos);
  CHECK_FALSE(outcome.config.has_value());
}
