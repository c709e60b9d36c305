#define CATCH_CONFIG_ENABLE_PAIR_STRINGMAKER  // readable HeaderList in failure messages
#include <catch2/catch.hpp>

#include <strings.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "proxy/header_forwarding.h"
#include "proxy/header_policy.h"

using sidecar::proxy::connectionOptionNames;
using sidecar::proxy::findHeader;
using sidecar::proxy::forwardRequestHeaders;
using sidecar::proxy::forwardResponseHeaders;
using sidecar::proxy::HeaderList;
using sidecar::proxy::RequestForwarding;
using sidecar::proxy::shouldForwardHeader;

namespace {

// An evkeyvalq that frees its fields.
struct Headers {
  evkeyvalq q{};
  Headers() {
    q.tqh_first = nullptr;
    q.tqh_last = &q.tqh_first;
  }
  explicit Headers(const HeaderList& fields) : Headers() {
    for (const auto& [name, value] : fields) evhttp_add_header(&q, name.c_str(), value.c_str());
  }
  Headers(const Headers&) = delete;
  Headers& operator=(const Headers&) = delete;
  ~Headers() { evhttp_clear_headers(&q); }

  HeaderList list() const {
    HeaderList out;
    for (const evkeyval* kv = q.tqh_first; kv != nullptr; kv = kv->next.tqe_next) {
      out.emplace_back(kv->key, kv->value);
    }
    return out;
  }
};

HeaderList forwardRequest(const HeaderList& in, const RequestForwarding& how) {
  Headers from(in);
  Headers to;
  forwardRequestHeaders(from.q, to.q, how);
  return to.list();
}

HeaderList forwardResponse(const HeaderList& in) {
  Headers from(in);
  Headers to;
  forwardResponseHeaders(from.q, to.q);
  return to.list();
}

// The options of every Connection field (RFC 9110 7.6.1). The code the one-walk version
// replaced read only the first field; the reference keeps its shape otherwise.
std::vector<std::string> allConnectionOptions(const HeaderList& in) {
  std::vector<std::string> options;
  for (const auto& [name, value] : in) {
    if (strcasecmp(name.c_str(), "Connection") != 0) continue;
    for (auto& option : connectionOptionNames(value)) options.push_back(std::move(option));
  }
  return options;
}

// The straightforward forwarding (option list, lookups, string concatenation) that the
// one-walk version replaced; the two must agree on every input.
HeaderList referenceRequest(const HeaderList& in, const RequestForwarding& how) {
  Headers from(in);
  const auto options = allConnectionOptions(in);
  HeaderList out;
  for (const auto& [name, value] : in) {
    if (!shouldForwardHeader(name, options)) continue;
    bool skip = false;
    for (const char* s :
         {"Host", "Content-Length", "Expect", "X-Forwarded-For", "X-Forwarded-Proto"}) {
      skip = skip || strcasecmp(name.c_str(), s) == 0;
    }
    if (!skip) out.emplace_back(name, value);
  }
  const std::string host =
      how.host_override.empty() ? std::string(findHeader(from.q, "Host")) : how.host_override;
  if (!host.empty()) out.emplace_back("Host", host);
  std::string forwarded_for(findHeader(from.q, "X-Forwarded-For"));
  if (!how.client_address.empty()) {
    if (!forwarded_for.empty()) forwarded_for += ", ";
    forwarded_for += how.client_address;
  }
  if (!forwarded_for.empty()) out.emplace_back("X-Forwarded-For", forwarded_for);
  const std::string_view proto = findHeader(from.q, "X-Forwarded-Proto");
  out.emplace_back("X-Forwarded-Proto", proto.empty() ? "http" : std::string(proto));
  return out;
}

HeaderList referenceResponse(const HeaderList& in) {
  const auto options = allConnectionOptions(in);
  HeaderList out;
  for (const auto& [name, value] : in) {
    if (shouldForwardHeader(name, options)) out.emplace_back(name, value);
  }
  return out;
}

const RequestForwarding kFrom1234{"10.0.0.9", ""};

}  // namespace

TEST_CASE("forwarding: hop-by-hop fields go, near-miss names stay, order is kept") {
  const HeaderList in = {
      {"Host", "example.test"},     {"Te-Foo", "1"},          {"TE", "trailers"},
      {"Keep-Alive-Extra", "2"},    {"Keep-Alive", "timeout=5"}, {"Upgrade", "websocket"},
      {"Upgrade-Insecure-Requests", "1"}, {"Proxy-Connection", "keep-alive"},
      {"Proxy-Connection-X", "3"},  {"Trailer", "Expires"},   {"Trailers", "4"},
      {"Transfer-Encoding", "chunked"}, {"Transfer-Encodinx", "5"},
      {"Proxy-Authorization", "Basic x"},
      {"Proxy-Foo", "6"},           {"Content-Length", "10"}, {"Expect", "100-continue"},
      {"Content-Type", "application/json"}, {"mcp-session-id", "abc"},
  };
  CHECK(forwardRequest(in, kFrom1234) == HeaderList{
      {"Te-Foo", "1"}, {"Keep-Alive-Extra", "2"}, {"Upgrade-Insecure-Requests", "1"},
      {"Proxy-Connection-X", "3"}, {"Trailers", "4"}, {"Transfer-Encodinx", "5"},
      {"Proxy-Foo", "6"}, {"Content-Type", "application/json"}, {"mcp-session-id", "abc"},
      {"Host", "example.test"}, {"X-Forwarded-For", "10.0.0.9"}, {"X-Forwarded-Proto", "http"},
  });
  // Responses keep Content-Length and Host: only requests rewrite those.
  CHECK(forwardResponse(in) == HeaderList{
      {"Host", "example.test"}, {"Te-Foo", "1"}, {"Keep-Alive-Extra", "2"},
      {"Upgrade-Insecure-Requests", "1"}, {"Proxy-Connection-X", "3"}, {"Trailers", "4"},
      {"Transfer-Encodinx", "5"}, {"Proxy-Foo", "6"}, {"Content-Length", "10"},
      {"Expect", "100-continue"}, {"Content-Type", "application/json"}, {"mcp-session-id", "abc"},
  });
}

TEST_CASE("forwarding: a Connection header's options go, in any case, wherever they stand") {
  const HeaderList in = {
      {"X-Trace-Hop", "before"}, {"X-Trace", "keep"}, {"cOnNeCtIoN", " Keep-Alive,\tx-TRACE-hop ,"},
      {"X-TRACE-HOP", "after"},  {"X-Trace-Hop-2", "keep"}, {"Content-Type", "text/plain"},
  };
  const HeaderList kept = {
      {"X-Trace", "keep"}, {"X-Trace-Hop-2", "keep"}, {"Content-Type", "text/plain"}};
  HeaderList request = kept;
  request.insert(request.end(), {{"X-Forwarded-For", "10.0.0.9"}, {"X-Forwarded-Proto", "http"}});
  CHECK(forwardRequest(in, kFrom1234) == request);
  CHECK(forwardResponse(in) == kept);
}

TEST_CASE("forwarding: every Connection field's options go, not only the first's") {
  const HeaderList in = {{"Connection", "keep-alive"}, {"X-Custom", "1"},
                         {"connection", "X-Custom"},  {"X-Kept", "2"}};
  CHECK(forwardResponse(in) == HeaderList{{"X-Kept", "2"}});
}

TEST_CASE("forwarding: Connection naming a rewritten field does not stop the rewrite") {
  const HeaderList in = {{"Connection", "Host, X-Forwarded-For, X-Forwarded-Proto"},
                         {"Host", "h.test"},
                         {"X-Forwarded-For", "1.1.1.1"},
                         {"X-Forwarded-Proto", "https"}};
  CHECK(forwardRequest(in, kFrom1234) == HeaderList{{"Host", "h.test"},
                                                    {"X-Forwarded-For", "1.1.1.1, 10.0.0.9"},
                                                    {"X-Forwarded-Proto", "https"}});
}

TEST_CASE("forwarding: Host, X-Forwarded-For and X-Forwarded-Proto take the first field") {
  SECTION("nothing from the client") {
    CHECK(forwardRequest({}, kFrom1234) ==
          HeaderList{{"X-Forwarded-For", "10.0.0.9"}, {"X-Forwarded-Proto", "http"}});
    CHECK(forwardRequest({}, {}) == HeaderList{{"X-Forwarded-Proto", "http"}});
  }
  SECTION("first of repeated fields, any case") {
    const HeaderList in = {{"host", "first.test"},   {"HOST", "second.test"},
                           {"x-forwarded-for", "1.1.1.1"}, {"X-Forwarded-For", "2.2.2.2"},
                           {"X-FORWARDED-PROTO", "https"}, {"x-forwarded-proto", "http"}};
    CHECK(forwardRequest(in, kFrom1234) == HeaderList{{"Host", "first.test"},
                                                      {"X-Forwarded-For", "1.1.1.1, 10.0.0.9"},
                                                      {"X-Forwarded-Proto", "https"}});
    CHECK(forwardRequest(in, {"", "override.test:8080"}) ==
          HeaderList{{"Host", "override.test:8080"},
                     {"X-Forwarded-For", "1.1.1.1"},
                     {"X-Forwarded-Proto", "https"}});
  }
  SECTION("empty values count as absent") {
    const HeaderList in = {{"Host", ""}, {"X-Forwarded-For", ""}, {"X-Forwarded-Proto", ""}};
    CHECK(forwardRequest(in, kFrom1234) ==
          HeaderList{{"X-Forwarded-For", "10.0.0.9"}, {"X-Forwarded-Proto", "http"}});
  }
  SECTION("a chain longer than any inline buffer") {
    const std::string chain(2000, '7');
    CHECK(forwardRequest({{"X-Forwarded-For", chain}}, kFrom1234) ==
          HeaderList{{"X-Forwarded-For", chain + ", 10.0.0.9"}, {"X-Forwarded-Proto", "http"}});
  }
}

TEST_CASE("forwarding: agrees with the straightforward version on generated header sets") {
  // Names that share a length, a first letter or a prefix with the fields the fast path
  // recognises, each in several cases.
  const std::vector<std::string> names = {
      "Host", "Hosx", "Expect", "Expecx", "Content-Length", "Content-Lengtx", "Content-Type",
      "X-Forwarded-For", "X-Forwarded-Fox", "X-Forwarded-Proto", "X-Forwarded-Protx",
      "Connection", "Connectiox", "Connections", "Keep-Alive", "Keep-Alivx", "Keep-Alive-Extra",
      "TE", "Te-Foo", "T", "Trailer", "Trailers", "Upgrade", "Upgradx", "Proxy-Connection",
      "Proxy-Authenticate", "Proxy-Authorization", "Transfer-Encoding", "Transfer-Encodinx",
      "X-Custom", "X-Custom-Hop", "Mcp-Session-Id", "Accept"};
  const std::vector<std::string> connection_values = {
      "close", "keep-alive", "X-Custom", " x-custom-hop ,, Mcp-Session-Id", "Upgrade, te",
      "host", "X-Forwarded-For, CONTENT-TYPE", ""};
  uint32_t seed = 12345;
  const auto next = [&seed](uint32_t bound) {
    seed = seed * 1664525u + 1013904223u;
    return (seed >> 8) % bound;
  };
  const auto anyCase = [&](std::string s) {
    for (char& c : s) {
      const uint32_t r = next(3);
      if (r == 0 && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (r == 1 && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return s;
  };
  for (int round = 0; round < 2000; ++round) {
    HeaderList in;
    const uint32_t count = next(10);
    for (uint32_t i = 0; i < count; ++i) {
      std::string name = anyCase(names[next(static_cast<uint32_t>(names.size()))]);
      const bool connection = strcasecmp(name.c_str(), "Connection") == 0;
      std::string value =
          connection ? connection_values[next(static_cast<uint32_t>(connection_values.size()))]
                     : (next(5) == 0 ? "" : "v" + std::to_string(i));
      in.emplace_back(std::move(name), std::move(value));
    }
    const RequestForwarding how{next(2) ? "10.0.0.9" : "", next(3) == 0 ? "over.test" : ""};
    CAPTURE(round, in);
    CHECK(forwardRequest(in, how) == referenceRequest(in, how));
    CHECK(forwardResponse(in) == referenceResponse(in));
  }
}
