#include <catch2/catch.hpp>

#include <chrono>

#include "config/value_parsers.h"

using namespace sidecar::config;
using std::chrono::milliseconds;

TEST_CASE("durations take ms, s, m, h and a bare integer means seconds") {
  CHECK(parseDuration("500ms").value() == milliseconds(500));
  CHECK(parseDuration("30s").value() == milliseconds(30'000));
  CHECK(parseDuration("30").value() == milliseconds(30'000));
  CHECK(parseDuration("2m").value() == milliseconds(120'000));
  CHECK(parseDuration("24h").value() == milliseconds(86'400'000));
  CHECK(parseDuration("0ms").value() == milliseconds(0));
  CHECK(parseDuration("8760h").value() == kMaxDuration);
}

TEST_CASE("malformed or huge durations are refused with the text quoted") {
  for (const char* bad : {"", "s", "1.5s", "-1s", "30 s", "30sec", "10d", "1h30m", "0x10"}) {
    INFO(bad);
    const auto result = parseDuration(bad);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message.find("invalid duration") != std::string::npos);
  }
  CHECK(parseDuration("30x").error().message.find("\"30x\"") != std::string::npos);
  CHECK(parseDuration("8761h").error().message.find("too long") != std::string::npos);
  CHECK_FALSE(parseDuration("99999999999999999999999ms").ok());
}

TEST_CASE("sizes take bytes and binary or decimal units") {
  CHECK(parseSize("0").value() == 0);
  CHECK(parseSize("1500").value() == 1500);
  CHECK(parseSize("4KiB").value() == 4096);
  CHECK(parseSize("4MiB").value() == 4ULL << 20);
  CHECK(parseSize("1GiB").value() == 1ULL << 30);
  CHECK(parseSize("4KB").value() == 4000);
  CHECK(parseSize("2MB").value() == 2'000'000);
  CHECK(parseSize("1GB").value() == 1'000'000'000);
  for (const char* bad : {"", "KiB", "4kib", "4 MiB", "4K", "4TiB", "-1", "1.5MiB"}) {
    INFO(bad);
    CHECK_FALSE(parseSize(bad).ok());
  }
  CHECK(parseSize("20000000000GiB").error().message.find("too large") != std::string::npos);
}

TEST_CASE("unsigned integers are digits only and overflow is caught") {
  CHECK(parseUnsigned("0").value() == 0);
  CHECK(parseUnsigned("18446744073709551615").value() == 18446744073709551615ULL);
  CHECK_FALSE(parseUnsigned("18446744073709551616").ok());
  CHECK_FALSE(parseUnsigned("+1").ok());
  CHECK_FALSE(parseUnsigned("1e3").ok());
  CHECK_FALSE(parseUnsigned(" 1").ok());
}

TEST_CASE("booleans follow the YAML 1.2 core schema") {
  CHECK(parseBool("true").value());
  CHECK(parseBool("True").value());
  CHECK_FALSE(parseBool("FALSE").value());
  CHECK_FALSE(parseBool("yes").ok());
  CHECK_FALSE(parseBool("1").ok());
}

TEST_CASE("messages quote values on one printable line, cut when long") {
  CHECK(quoteForMessage("a\"b\n") == "\"a\\\"b\\x0a\"");
  const std::string quoted = quoteForMessage(std::string(200, 'x'));
  CHECK(quoted.size() < 100);
  CHECK(quoted.find("...") != std::string::npos);
  CHECK(formatSize(4 << 20) == "4 MiB");
  CHECK(formatSize(1500) == "1500 bytes");
}
