#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "proxy/header_policy.h"

using sidecar::proxy::connectionOptionNames;
using sidecar::proxy::isHopByHopHeader;
using sidecar::proxy::shouldForwardHeader;

TEST_CASE("headers: the hop-by-hop set, case-insensitively") {
  for (const char* name : {"Connection", "Proxy-Connection", "Keep-Alive", "TE", "Trailer",
                           "Transfer-Encoding", "Upgrade", "Proxy-Authenticate",
                           "Proxy-Authorization", "connection", "KEEP-ALIVE", "te",
                           "tRaNsFeR-eNcOdInG"}) {
    CAPTURE(name);
    CHECK(isHopByHopHeader(name));
  }
  for (const char* name : {"Authorization", "WWW-Authenticate", "Content-Type", "Content-Length",
                           "Accept", "Host", "Mcp-Session-Id", "Mcp-Protocol-Version",
                           "Last-Event-ID", "Trailers", "Connections", "Upgrade-Insecure-Requests",
                           "T", "", "Proxy"}) {
    CAPTURE(name);
    CHECK_FALSE(isHopByHopHeader(name));
  }
}

TEST_CASE("headers: connection options are trimmed, lower-cased tokens") {
  using V = std::vector<std::string>;
  CHECK(connectionOptionNames("") == V{});
  CHECK(connectionOptionNames("close") == V{"close"});
  CHECK(connectionOptionNames("Keep-Alive, X-Custom-Hop") == V{"keep-alive", "x-custom-hop"});
  CHECK(connectionOptionNames(" \tUpgrade ,, ,X-A\t, x-b ") == V{"upgrade", "x-a", "x-b"});
  CHECK(connectionOptionNames(",") == V{});
  CHECK(connectionOptionNames("  ") == V{});
}

TEST_CASE("headers: forwarding drops hop-by-hop fields and those named in Connection") {
  const auto options = connectionOptionNames("keep-alive, X-Trace-Hop");
  CHECK(shouldForwardHeader("Content-Type", options));
  CHECK(shouldForwardHeader("Authorization", options));
  CHECK(shouldForwardHeader("Mcp-Session-Id", options));
  CHECK(shouldForwardHeader("X-Trace", options));
  CHECK_FALSE(shouldForwardHeader("x-trace-hop", options));
  CHECK_FALSE(shouldForwardHeader("X-TRACE-HOP", options));
  CHECK_FALSE(shouldForwardHeader("Keep-Alive", options));
  CHECK_FALSE(shouldForwardHeader("Transfer-Encoding", {}));
  CHECK_FALSE(shouldForwardHeader("Connection", {}));
  CHECK(shouldForwardHeader("X-Trace-Hop", {}));
  // Options given by hand in any case still match.
  CHECK_FALSE(shouldForwardHeader("x-mixed", {"X-Mixed"}));
}

TEST_CASE("headers: names one letter or a suffix away from a hop-by-hop name are end-to-end") {
  // Same length and first letter as a hop-by-hop name, or a hop-by-hop name as prefix.
  for (const char* name : {"Te-Foo", "Tx", "Ta", "Trailex", "Upgradx", "Uxgrade", "Connectiox",
                           "Keep-Alivx", "Kxxp-Alive", "Proxy-Connectiox", "Transfer-Encodinx",
                           "Proxy-Authenticatx", "Proxy-Authorizatiox", "Keep-Alive-Extra",
                           "Upgrade-Foo", "Proxy-Connection-X", "Transfer-Encoding2",
                           "X-Forwarded-Proto", "Content-Encoding", "Cache-Control"}) {
    CAPTURE(name);
    CHECK_FALSE(isHopByHopHeader(name));
  }
  for (const char* name : {"tE", "Te", "TRAILER", "uPgRaDe", "CONNECTION", "keep-alive",
                           "PROXY-CONNECTION", "proxy-authenticate", "Proxy-AUTHORIZATION"}) {
    CAPTURE(name);
    CHECK(isHopByHopHeader(name));
  }
}

TEST_CASE("headers: isConnectionOption parses like connectionOptionNames") {
  using sidecar::proxy::isConnectionOption;
  CHECK(isConnectionOption("X-Trace-Hop", "keep-alive, x-trace-hop"));
  CHECK(isConnectionOption("x-a", " \tUpgrade ,, ,X-A\t, x-b "));
  CHECK(isConnectionOption("X-B", " \tUpgrade ,, ,X-A\t, x-b "));
  CHECK(isConnectionOption("upgrade", " \tUpgrade ,, ,X-A\t, x-b "));
  CHECK_FALSE(isConnectionOption("X-Trace", "keep-alive, x-trace-hop"));
  CHECK_FALSE(isConnectionOption("X-Trace-Hop-2", "keep-alive, x-trace-hop"));
  CHECK_FALSE(isConnectionOption("", ",,"));
  CHECK_FALSE(isConnectionOption("", ""));
  CHECK_FALSE(isConnectionOption("close", ""));
  CHECK_FALSE(isConnectionOption("x a", "x a b"));
  CHECK(isConnectionOption("x a b", "x a b"));
}
