#include <catch2/catch.hpp>

#include "proxy/jsonrpc_parser.h"
#include "proxy/server_request_ids.h"

using namespace sidecar::proxy;

TEST_CASE("copies' request ids become distinct routed ids that lead back") {
  ServerRequestIds node_a("0000aaaa0000aaaa");
  ServerRequestIds node_b("0000bbbb0000bbbb");
  // Both copies count from 0: the client must still see two ids.
  const std::string a = node_a.assign("s1", "0");
  const std::string b = node_b.assign("s1", "0");
  CHECK(a != b);
  auto routed_a = parseRoutedId(a);
  REQUIRE(routed_a.has_value());
  CHECK(routed_a->node == "0000aaaa0000aaaa");
  auto original = node_a.take(routed_a->number);
  REQUIRE(original.has_value());
  CHECK(original->session_id == "s1");
  CHECK(original->id_raw == "0");
  // Answered once: a second answer finds nothing.
  CHECK_FALSE(node_a.take(routed_a->number).has_value());
}

TEST_CASE("the oldest routed ids are forgotten beyond capacity") {
  ServerRequestIds ids("0123456789abcdef", 2);
  const auto first = parseRoutedId(ids.assign("s", "1"));
  (void)ids.assign("s", "2");
  const auto third = parseRoutedId(ids.assign("s", "3"));
  CHECK(ids.size() == 2);
  CHECK_FALSE(ids.take(first->number).has_value());
  CHECK(ids.take(third->number)->id_raw == "3");
}

TEST_CASE("ids that are not routed ids are left alone") {
  for (const char* id : {"0", "\"abc\"", "\"mcp-sidecar.\"", "\"mcp-sidecar.xyz.1\"",
                         "\"mcp-sidecar.abc.\"", "\"mcp-sidecar.abc.1x\"", "null"}) {
    INFO(id);
    CHECK_FALSE(parseRoutedId(id).has_value());
  }
}

TEST_CASE("server requests in a payload get routed ids; the rest is untouched") {
  ServerRequestIds ids("00000000000000ff");
  JsonRpcParser parser;
  const std::string notification = R"({"jsonrpc":"2.0","method":"notifications/progress","params":{"id":5}})";
  auto plain = parser.parse(notification);
  REQUIRE(plain.ok());
  CHECK(routeServerRequests(plain.value(), notification, "s", ids) == notification);

  const std::string request =
      R"({"jsonrpc":"2.0","params":{"id":0,"message":"x"},"id":0,"method":"elicitation/create"})";
  auto parsed = parser.parse(request);
  REQUIRE(parsed.ok());
  const std::string routed = routeServerRequests(parsed.value(), request, "s", ids);
  // Only the top-level id changes, not the one inside params.
  CHECK(routed ==
        R"({"jsonrpc":"2.0","params":{"id":0,"message":"x"},"id":"mcp-sidecar.00000000000000ff.1","method":"elicitation/create"})");
  auto reparsed = parser.parse(routed);
  REQUIRE(reparsed.ok());
  CHECK(reparsed.value().messages[0].id_raw == R"("mcp-sidecar.00000000000000ff.1")");

  const std::string batch = R"([{"jsonrpc":"2.0","id":7,"method":"ping"}, {"jsonrpc":"2.0","method":"n"}])";
  auto parsed_batch = parser.parse(batch);
  REQUIRE(parsed_batch.ok());
  CHECK(routeServerRequests(parsed_batch.value(), batch, "s", ids) ==
        R"([{"jsonrpc":"2.0","id":"mcp-sidecar.00000000000000ff.2","method":"ping"},{"jsonrpc":"2.0","method":"n"}])");
}

TEST_CASE("a response gets its original id back") {
  JsonRpcParser parser;
  auto parsed = parser.parse(R"({"jsonrpc":"2.0","id" : "mcp-sidecar.ab.3","result":{"id":1}})");
  REQUIRE(parsed.ok());
  CHECK(withId(parsed.value().messages[0], "3") == R"({"jsonrpc":"2.0","id" : 3,"result":{"id":1}})");
}
