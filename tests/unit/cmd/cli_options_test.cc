#include <catch2/catch.hpp>

#include <vector>

#include "cmd/cli_options.h"

using sidecar::cmd::parseCli;

namespace {
sidecar::Result<sidecar::cmd::CliOptions> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "mcp-sidecar");
  return parseCli(static_cast<int>(args.size()), args.data());
}
}  // namespace

TEST_CASE("global flags before the subcommand") {
  auto r = parse({"--config", "f.yaml", "--set", "a.b=1", "sessions", "list", "--json"});
  REQUIRE(r.ok());
  CHECK(r.value().config_path == "f.yaml");
  CHECK(r.value().overrides == std::vector<std::string>{"a.b=1"});
  CHECK(r.value().words == std::vector<std::string>{"sessions", "list"});
  CHECK(r.value().json);
}

TEST_CASE("global flags after the subcommand mean the same") {
  auto r = parse({"sessions", "events", "abc", "--follow", "--config=f.yaml", "--set=x=y"});
  REQUIRE(r.ok());
  CHECK(r.value().config_path == "f.yaml");
  CHECK(r.value().overrides == std::vector<std::string>{"x=y"});
  CHECK(r.value().words == std::vector<std::string>{"sessions", "events", "abc"});
  CHECK(r.value().follow);
}

TEST_CASE("check-config and version flags") {
  auto r = parse({"--check-config", "--config", "f.yaml"});
  REQUIRE(r.ok());
  CHECK(r.value().check_config);
  CHECK(parse({"--version"}).value().version);
}

TEST_CASE("unknown flags and missing values are errors") {
  CHECK_FALSE(parse({"--bogus"}).ok());
  CHECK_FALSE(parse({"--config"}).ok());
  CHECK_FALSE(parse({"--set"}).ok());
}
