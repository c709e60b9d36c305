#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "proxy/origin_policy.h"

using sidecar::proxy::isOriginAllowed;

namespace {
using List = std::vector<std::string>;
}  // namespace

TEST_CASE("origin: an entry without a port matches its scheme and host on any port") {
  const List allowed = {"http://localhost"};
  CHECK(isOriginAllowed("http://localhost", allowed));
  CHECK(isOriginAllowed("http://localhost:3000", allowed));
  CHECK(isOriginAllowed("http://localhost:65535", allowed));
  CHECK_FALSE(isOriginAllowed("https://localhost", allowed));
  CHECK_FALSE(isOriginAllowed("http://localhost.evil.com", allowed));
  CHECK_FALSE(isOriginAllowed("http://evil.com", allowed));
  CHECK_FALSE(isOriginAllowed("http://127.0.0.1", allowed));
}

TEST_CASE("origin: an entry with a port matches only that port") {
  const List allowed = {"https://app.example.com:8443"};
  CHECK(isOriginAllowed("https://app.example.com:8443", allowed));
  CHECK_FALSE(isOriginAllowed("https://app.example.com:8444", allowed));
  CHECK_FALSE(isOriginAllowed("https://app.example.com", allowed));
  CHECK_FALSE(isOriginAllowed("http://app.example.com:8443", allowed));
}

TEST_CASE("origin: a missing port means the scheme's default port") {
  CHECK(isOriginAllowed("http://a.test", {"http://a.test:80"}));
  CHECK(isOriginAllowed("https://a.test", {"https://a.test:443"}));
  CHECK(isOriginAllowed("http://a.test:80", {"http://a.test:80"}));
  CHECK_FALSE(isOriginAllowed("https://a.test", {"https://a.test:80"}));
  CHECK_FALSE(isOriginAllowed("http://a.test", {"http://a.test:8080"}));
  // A scheme without a known default only matches an explicit port.
  CHECK_FALSE(isOriginAllowed("chrome-extension://abc", {"chrome-extension://abc:80"}));
  CHECK(isOriginAllowed("chrome-extension://abc", {"chrome-extension://abc"}));
}

TEST_CASE("origin: scheme and host compare case-insensitively") {
  CHECK(isOriginAllowed("HTTP://LocalHost:3000", {"http://localhost"}));
  CHECK(isOriginAllowed("http://localhost", {"HTTP://LOCALHOST"}));
  CHECK(isOriginAllowed("https://App.Example.COM:8443", {"https://app.example.com:8443"}));
}

TEST_CASE("origin: bracketed IPv6 hosts compare as addresses") {
  CHECK(isOriginAllowed("http://[::1]:8080", {"http://[::1]"}));
  CHECK(isOriginAllowed("http://[0:0:0:0:0:0:0:1]", {"http://[::1]"}));
  CHECK(isOriginAllowed("http://[FE80::1]:9000", {"http://[fe80::1]:9000"}));
  CHECK_FALSE(isOriginAllowed("http://[::2]", {"http://[::1]"}));
  CHECK_FALSE(isOriginAllowed("http://[::1]:9001", {"http://[::1]:9000"}));
  CHECK_FALSE(isOriginAllowed("http://[::1", {"http://[::1]"}));
  CHECK_FALSE(isOriginAllowed("http://[::1]x", {"http://[::1]"}));
  CHECK_FALSE(isOriginAllowed("http://[zz::1]", {"http://[zz::1]"}));
  CHECK_FALSE(isOriginAllowed("http://::1", {"http://[::1]"}));
}

TEST_CASE("origin: the opaque origin null matches only *") {
  CHECK(isOriginAllowed("null", {"*"}));
  CHECK_FALSE(isOriginAllowed("null", {"http://localhost", "null"}));
  CHECK_FALSE(isOriginAllowed("null", {}));
}

TEST_CASE("origin: * allows anything") {
  CHECK(isOriginAllowed("https://anything.example:1234", {"http://localhost", "*"}));
  CHECK(isOriginAllowed("not even an origin", {"*"}));
}

TEST_CASE("origin: malformed origins are not allowed") {
  const List allowed = {"http://localhost", "https://a.test:8443"};
  for (const char* origin : {
           "", "localhost", "http://", "http:///", "://localhost", "http:/localhost",
           "http://localhost/", "http://localhost/path", "http://localhost?q", "http://localhost#f",
           "http://user@localhost", "http://user:pw@localhost", "http://localhost:",
           "http://localhost:0", "http://localhost:65536", "http://localhost:123456",
           "http://localhost:-1", "http://localhost:8a", "http://localhost: 80",
           " http://localhost", "http://localhost ", "http://local host", "1http://localhost",
           "ht tp://localhost", "http://localhost:80:80", "https://a.test:8443/",
           "http://loc\xC3\xA9lhost",
       }) {
    CAPTURE(origin);
    CHECK_FALSE(isOriginAllowed(origin, allowed));
  }
}

TEST_CASE("origin: malformed entries never match") {
  CHECK_FALSE(isOriginAllowed("http://localhost", {"localhost"}));
  CHECK_FALSE(isOriginAllowed("http://localhost", {"http://localhost/"}));
  CHECK_FALSE(isOriginAllowed("http://localhost:80", {"http://localhost:0"}));
  CHECK_FALSE(isOriginAllowed("http://localhost", {""}));
  CHECK(isOriginAllowed("http://localhost", {"garbage", "http://localhost"}));
}

TEST_CASE("origin: an empty list allows nothing") {
  CHECK_FALSE(isOriginAllowed("http://localhost", {}));
}

TEST_CASE("origin: the default loopback list") {
  const List defaults = {"http://localhost", "http://127.0.0.1", "http://[::1]",
                         "https://localhost", "https://127.0.0.1", "https://[::1]"};
  CHECK(isOriginAllowed("http://localhost:6274", defaults));
  CHECK(isOriginAllowed("http://127.0.0.1:5173", defaults));
  CHECK(isOriginAllowed("https://[::1]:8443", defaults));
  CHECK_FALSE(isOriginAllowed("http://127.0.0.2", defaults));
  CHECK_FALSE(isOriginAllowed("http://192.168.1.10:6274", defaults));
  CHECK_FALSE(isOriginAllowed("ws://localhost", defaults));
}
