#include <catch2/catch.hpp>

#include "config/address_parsers.h"

using namespace sidecar::config;

TEST_CASE("listen addresses: IPv4, bracketed IPv6, localhost, port 0") {
  auto v4 = parseHostPort("0.0.0.0:8080");
  REQUIRE(v4.ok());
  CHECK(v4.value().host == "0.0.0.0");
  CHECK(v4.value().port == 8080);

  auto v6 = parseHostPort("[::1]:9090");
  REQUIRE(v6.ok());
  CHECK(v6.value().host == "::1");
  CHECK(v6.value().port == 9090);

  auto local = parseHostPort("LocalHost:0");
  REQUIRE(local.ok());
  CHECK(local.value().host == "127.0.0.1");
  CHECK(local.value().port == 0);
}

TEST_CASE("listen addresses: missing port, bad port, unbracketed IPv6 are refused") {
  CHECK(parseHostPort("127.0.0.1").error().message.find("expected host:port") != std::string::npos);
  CHECK(parseHostPort("127.0.0.1:65536").error().message.find("invalid port") != std::string::npos);
  CHECK(parseHostPort("127.0.0.1:").error().message.find("invalid port") != std::string::npos);
  CHECK(parseHostPort("::1:8080").error().message.find("brackets") != std::string::npos);
  CHECK_FALSE(parseHostPort("[127.0.0.1]:80").ok());
  CHECK_FALSE(parseHostPort("[::1]8080").ok());
  CHECK_FALSE(parseHostPort(":8080").ok());
}

TEST_CASE("host names are refused with the reason: no DNS on the event loop") {
  const auto result = parseHostPort("example.com:80");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().message.find("\"example.com\" is not a numeric IP address") !=
        std::string::npos);
  CHECK(result.error().message.find("DNS") != std::string::npos);
  CHECK_FALSE(parseNumericHost("127.1").ok());  // inet_aton shorthand, not dotted quad
  CHECK_FALSE(parseNumericHost("fe80::1%eth0").ok());
  CHECK(parseNumericHost("::ffff:10.0.0.1").ok());
}

TEST_CASE("upstream URLs: host, default port 80, default path /, query kept") {
  auto full = parseHttpUrl("http://127.0.0.1:3001/mcp");
  REQUIRE(full.ok());
  CHECK(full.value().host == "127.0.0.1");
  CHECK(full.value().port == 3001);
  CHECK(full.value().path == "/mcp");

  auto bare = parseHttpUrl("HTTP://[::1]");
  REQUIRE(bare.ok());
  CHECK(bare.value().host == "::1");
  CHECK(bare.value().port == 80);
  CHECK(bare.value().path == "/");

  auto query = parseHttpUrl("http://localhost?x=1");
  REQUIRE(query.ok());
  CHECK(query.value().host == "127.0.0.1");
  CHECK(query.value().path == "/?x=1");
}

TEST_CASE("upstream URLs: https, other schemes, credentials, fragments, port 0 refused") {
  CHECK(parseHttpUrl("https://127.0.0.1/mcp").error().message.find("https is not supported") !=
        std::string::npos);
  CHECK(parseHttpUrl("ftp://127.0.0.1/").error().message.find("expected an http:// URL") !=
        std::string::npos);
  CHECK(parseHttpUrl("127.0.0.1:3001").error().message.find("expected an http:// URL") !=
        std::string::npos);
  CHECK(parseHttpUrl("http://u:p@127.0.0.1/").error().message.find("credentials") !=
        std::string::npos);
  CHECK_FALSE(parseHttpUrl("http://127.0.0.1/#frag").ok());
  CHECK_FALSE(parseHttpUrl("http://127.0.0.1:0/").ok());
  CHECK_FALSE(parseHttpUrl("http:///mcp").ok());
  CHECK_FALSE(parseHttpUrl("http://127.0.0.1/a b").ok());
  CHECK(parseHttpUrl("http://mcp.internal/").error().message.find("not a numeric IP") !=
        std::string::npos);
}

TEST_CASE("redis URLs: credentials, port, db") {
  auto plain = parseRedisUrl("redis://127.0.0.1");
  REQUIRE(plain.ok());
  CHECK(plain.value().host == "127.0.0.1");
  CHECK(plain.value().port == 6379);
  CHECK(plain.value().username.empty());
  CHECK(plain.value().password.empty());
  CHECK(plain.value().db == 0);

  auto full = parseRedisUrl("redis://app:s%40cret@[::1]:6380/3");
  REQUIRE(full.ok());
  CHECK(full.value().host == "::1");
  CHECK(full.value().port == 6380);
  CHECK(full.value().username == "app");
  CHECK(full.value().password == "s@cret");
  CHECK(full.value().db == 3);

  // An unencoded '@' or '/' in the password still splits at the last '@'.
  auto raw = parseRedisUrl("redis://:p@ss/w0rd@localhost:6379/");
  REQUIRE(raw.ok());
  CHECK(raw.value().username.empty());
  CHECK(raw.value().password == "p@ss/w0rd");
  CHECK(raw.value().host == "127.0.0.1");
  CHECK(raw.value().db == 0);
}

TEST_CASE("redis URL errors never echo the password") {
  for (const char* bad :
       {"redis://user:hunter2@redis.internal:6379", "redis://user:hunter2@127.0.0.1:port",
        "rediss://user:hunter2@127.0.0.1", "http://user:hunter2@127.0.0.1",
        "redis://hunter2@127.0.0.1", "redis://:hunter2%zz@127.0.0.1",
        "redis://:hunter2@127.0.0.1/db1", "redis://:hunter2@127.0.0.1/0?timeout=1"}) {
    INFO(bad);
    const auto result = parseRedisUrl(bad);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message.find("hunter2") == std::string::npos);
  }
  CHECK(parseRedisUrl("rediss://127.0.0.1").error().message.find("TLS") != std::string::npos);
  CHECK(parseRedisUrl("redis://redis.internal").error().message.find("not a numeric IP") !=
        std::string::npos);
}

TEST_CASE("origins are normalised the way browsers send them") {
  CHECK(parseOrigin("*").value() == "*");
  CHECK(parseOrigin("https://App.Example.com").value() == "https://app.example.com");
  CHECK(parseOrigin("http://localhost:80").value() == "http://localhost");
  CHECK(parseOrigin("https://a.example:443").value() == "https://a.example");
  CHECK(parseOrigin("http://a.example:8443").value() == "http://a.example:8443");
  CHECK(parseOrigin("http://[::1]:3000").value() == "http://[::1]:3000");
  CHECK(parseOrigin("vscode-webview://abc").value() == "vscode-webview://abc");
}

TEST_CASE("origins with a path, no scheme or a bad port are refused") {
  for (const char* bad :
       {"https://a.example/", "https://a.example/app", "a.example", "://a.example", "https://",
        "https://a.example:0", "https://a.example:99999", "https://user@a.example", "http://a b",
        "https://[::1", "1http://a"}) {
    INFO(bad);
    const auto result = parseOrigin(bad);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message.find("invalid origin") != std::string::npos);
  }
}
