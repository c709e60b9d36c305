#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "proxy/jsonrpc_parser.h"

using namespace std::string_view_literals;
using sidecar::ErrorCode;
using sidecar::proxy::jsonRpcErrorBody;
using sidecar::proxy::JsonRpcMessage;
using sidecar::proxy::JsonRpcParser;
using sidecar::proxy::MessageKind;
using sidecar::proxy::messageKindName;
using sidecar::proxy::ParsedBody;

namespace {

ParsedBody parseOk(JsonRpcParser& parser, std::string_view body) {
  auto result = parser.parse(body);
  INFO("body: " << body.substr(0, 200));
  if (!result.ok()) FAIL("unexpected error: " << result.error().message);
  return std::move(result).value();
}

JsonRpcMessage parseOne(std::string_view body) {
  JsonRpcParser parser;
  ParsedBody parsed = parseOk(parser, body);
  REQUIRE_FALSE(parsed.is_batch);
  REQUIRE(parsed.messages.size() == 1);
  return parsed.messages[0];
}

// Returns the error message, failing the test if the body parsed.
std::string parseErr(std::string_view body, JsonRpcParser* reuse = nullptr) {
  JsonRpcParser local;
  JsonRpcParser& parser = reuse ? *reuse : local;
  auto result = parser.parse(body);
  INFO("body: " << body.substr(0, 200));
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::kInvalidArgument);
  return result.error().message;
}

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string nested(size_t levels, std::string_view open, std::string_view close,
                   std::string_view core = "1") {
  std::string out;
  for (size_t i = 0; i < levels; ++i) out += open;
  out += core;
  for (size_t i = 0; i < levels; ++i) out += close;
  return out;
}

}  // namespace

TEST_CASE("jsonrpc: a request") {
  const std::string body =
      R"({"jsonrpc":"2.0","id":7,"method":"tools/list","params":{"cursor":"c1"}})";
  const auto m = parseOne(body);
  CHECK(m.kind == MessageKind::kRequest);
  CHECK(m.method == "tools/list");
  CHECK(m.id_raw == "7");
  CHECK(m.raw == body);
  CHECK(m.params_raw.empty());  // only kept for initialize
  CHECK(m.protocol_version.empty());
}

TEST_CASE("jsonrpc: a notification has no id") {
  const auto m = parseOne(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  CHECK(m.kind == MessageKind::kNotification);
  CHECK(m.method == "notifications/initialized");
  CHECK(m.id_raw.empty());
}

TEST_CASE("jsonrpc: result and error responses") {
  const auto result = parseOne(R"({"jsonrpc":"2.0","id":"abc","result":{"tools":[]}})");
  CHECK(result.kind == MessageKind::kResultResponse);
  CHECK(result.id_raw == R"("abc")");
  CHECK(result.method.empty());

  const auto error = parseOne(
      R"({"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"Method not found"}})");
  CHECK(error.kind == MessageKind::kErrorResponse);
  CHECK(error.id_raw == "3");

  const auto null_id = parseOne(
      R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}})");
  CHECK(null_id.kind == MessageKind::kErrorResponse);
  CHECK(null_id.id_raw == "null");

  // Member order does not matter, and result may be any JSON value.
  CHECK(parseOne(R"({"result":null,"id":1,"jsonrpc":"2.0"})").kind == MessageKind::kResultResponse);
  CHECK(parseOne(R"({"result":[1,2],"id":1,"jsonrpc":"2.0"})").kind ==
        MessageKind::kResultResponse);
}

TEST_CASE("jsonrpc: ids are echoed exactly as written") {
  for (std::string_view id : {"1.0"sv, "-0"sv, "1e3"sv, "-1.5E-7"sv, "0"sv,
                              "123456789012345678901234567890"sv, R"("x\"y")"sv,
                              R"("\u00e9\n")"sv, R"("")"sv, R"(" spaced ")"sv,
                              "\"caf\xC3\xA9\""sv, "null"sv}) {
    CAPTURE(id);
    const std::string body = R"({"jsonrpc":"2.0", "id" :  )" + std::string(id) +
                             " \n, \"method\":\"ping\"}";
    const auto m = parseOne(body);
    CHECK(m.id_raw == id);
    CHECK(m.kind == MessageKind::kRequest);
  }
}

TEST_CASE("jsonrpc: raw is the exact message text without surrounding whitespace") {
  const std::string message = "{ \"jsonrpc\" : \"2.0\" ,\n \"method\" : \"a\" }";
  CHECK(parseOne(" \r\n\t" + message + " \n\t\r ").raw == message);
}

TEST_CASE("jsonrpc: escaped member names and strings are unescaped for classification") {
  const auto m = parseOne(R"({"json\u0072pc":"2\u002e0","m\u0065thod":"a\/b\u00e9"})");
  CHECK(m.kind == MessageKind::kNotification);
  CHECK(m.method == "a/b\xC3\xA9");
}

TEST_CASE("jsonrpc: initialize keeps raw params and the protocol version") {
  const std::string params =
      R"({"protocolVersion":"2025-03-26","capabilities":{"roots":{"listChanged":true}},)"
      R"("clientInfo":{"name":"c","version":"1"}})";
  const auto m =
      parseOne(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":)" + params + "}");
  CHECK(m.kind == MessageKind::kRequest);
  CHECK(m.params_raw == params);
  CHECK(m.protocol_version == "2025-03-26");

  SECTION("params before method, with whitespace") {
    const std::string spaced =
        R"({ "protocolVersion" : "2025-06-18" , "x" : [1, {"protocolVersion":"no"}] })";
    const auto late = parseOne(R"({ "params" : )" + spaced +
                               R"(  , "method":"initialize","id":1,"jsonrpc":"2.0"})");
    CHECK(late.params_raw == spaced);
    CHECK(late.protocol_version == "2025-06-18");
  }
  SECTION("only a direct string member counts") {
    const auto deep = parseOne(
        R"({"jsonrpc":"2.0","id":1,"method":"initialize",)"
        R"("params":{"clientInfo":{"protocolVersion":"x"}}})");
    CHECK(deep.protocol_version.empty());
    const auto number = parseOne(
        R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":2025}})");
    CHECK(number.protocol_version.empty());
    CHECK(number.params_raw == R"({"protocolVersion":2025})");
  }
  SECTION("other methods keep neither") {
    const auto other = parseOne(
        R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"protocolVersion":"x"}})");
    CHECK(other.params_raw.empty());
    CHECK(other.protocol_version.empty());
  }
  SECTION("escaped protocol version is unescaped") {
    const auto esc = parseOne(
        R"({"jsonrpc":"2.0","id":1,"method":"initialize",)"
        R"("params":{"protocolVersion":"2025\u002d03-26"}})");
    CHECK(esc.protocol_version == "2025-03-26");
  }
}

TEST_CASE("jsonrpc: an initialize result carries its protocol version") {
  const auto m = parseOne(
      R"({"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-03-26","capabilities":{},)"
      R"("serverInfo":{"name":"s","version":"1"}}})");
  CHECK(m.kind == MessageKind::kResultResponse);
  CHECK(m.protocol_version == "2025-03-26");
  CHECK(parseOne(R"({"jsonrpc":"2.0","id":0,"result":{"tools":[]}})").protocol_version.empty());
  // Error responses never carry one.
  CHECK(parseOne(R"({"jsonrpc":"2.0","id":0,)"
                 R"("error":{"code":1,"message":"m","protocolVersion":"x"}})")
            .protocol_version.empty());
}

TEST_CASE("jsonrpc: a batch classifies each element and keeps its exact text") {
  const std::string e0 =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26"}})";
  const std::string e1 = R"({ "jsonrpc" : "2.0", "method" : "notifications/progress" })";
  const std::string e2 = R"({"jsonrpc":"2.0","id":"r","result":{"a":[1,2,{"b":null}]}})";
  const std::string e3 = R"({"jsonrpc":"2.0","id":4,"error":{"code":-1,"message":"x"}})";
  const std::string body = " [ " + e0 + " ,\n" + e1 + "," + e2 + "  ,  " + e3 + "\n] ";
  JsonRpcParser parser;
  const ParsedBody parsed = parseOk(parser, body);
  CHECK(parsed.is_batch);
  REQUIRE(parsed.messages.size() == 4);
  CHECK(parsed.messages[0].kind == MessageKind::kRequest);
  CHECK(parsed.messages[0].protocol_version == "2025-03-26");
  CHECK(parsed.messages[0].params_raw == R"({"protocolVersion":"2025-03-26"})");
  CHECK(parsed.messages[1].kind == MessageKind::kNotification);
  CHECK(parsed.messages[2].kind == MessageKind::kResultResponse);
  CHECK(parsed.messages[2].id_raw == R"("r")");
  CHECK(parsed.messages[3].kind == MessageKind::kErrorResponse);
  CHECK(parsed.messages[0].raw == e0);
  CHECK(parsed.messages[1].raw == e1);
  CHECK(parsed.messages[2].raw == e2);
  CHECK(parsed.messages[3].raw == e3);

  const ParsedBody single = parseOk(parser, "[" + e1 + "]");
  CHECK(single.is_batch);
  REQUIRE(single.messages.size() == 1);
  CHECK(single.messages[0].raw == e1);
}

TEST_CASE("jsonrpc: malformed JSON is a parse error") {
  const std::string_view cases[] = {
      "", "   \n", "{", "}", "[", "]", R"({"jsonrpc":"2.0","method":"a")",
      R"({"jsonrpc" "2.0"})", R"({"jsonrpc":"2.0",})", R"({"jsonrpc":"2.0" "method":"a"})",
      R"({,"jsonrpc":"2.0"})", R"([{"jsonrpc":"2.0","method":"a"},])", R"({jsonrpc:"2.0"})",
      R"({'jsonrpc':'2.0'})", R"({"jsonrpc":"2.0","method":"a","x":tru})",
      R"({"jsonrpc":"2.0","method":"a","x":nul})", R"({"jsonrpc":"2.0","method":"a","x":fals})",
      R"({"jsonrpc":"2.0","method":"a","x":truex})", R"({"jsonrpc":"2.0","method":"a","x":01})",
      R"({"jsonrpc":"2.0","method":"a","x":1.})", R"({"jsonrpc":"2.0","method":"a","x":-})",
      R"({"jsonrpc":"2.0","method":"a","x":.5})", R"({"jsonrpc":"2.0","method":"a","x":1e})",
      R"({"jsonrpc":"2.0","method":"a","x":+1})", R"({"jsonrpc":"2.0","method":"a","x":NaN})",
      R"({"jsonrpc":"2.0","method":"a","x":0x10})", R"({"jsonrpc":"2.0","method":"a","x":"\x"})",
      R"({"jsonrpc":"2.0","method":"a","x":"\u12"})", R"({"jsonrpc":"2.0","method":"a","\q":1})",
      R"({"jsonrpc":"2.0","method":"a","x":[1 2]})", R"({"jsonrpc":"2.0","method":"a","x":{"y"}})",
      "{\"jsonrpc\":\"2.0\",\"method\":\"a\",\"x\":\"tab\there\"}",
      "{\"jsonrpc\":\"2.0\",\"method\":\"a\",\"x\":\"\xff\"}",
      // Errors hidden in places a lazy parser would skip.
      R"({"jsonrpc":"2.0","id":1,"method":"a","params":{"x":[1,2,{"y":tru}]}})",
      R"({"jsonrpc":"2.0","id":1,"result":{"content":[{"text":"\z"}]}})",
      R"({"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"m","data":[01]}})",
      R"({"jsonrpc":"2.0","id":1.2.3,"method":"a"})", R"({"jsonrpc":"2.0","id":"\y","method":"a"})",
      R"({"jsonrpc":"2.0","method":"\y"})", R"({"jsonrpc":"2.\0","method":"a"})",
      R"({"jsonrpc":"2.0","method":"a","params":[nulll]})",
      // Trailing garbage.
      R"({"jsonrpc":"2.0","method":"a"} x)", R"({"jsonrpc":"2.0","method":"a"}})",
      R"({"jsonrpc":"2.0","method":"a"}{"jsonrpc":"2.0","method":"b"})",
      R"({"jsonrpc":"2.0","method":"a"},)", R"([{"jsonrpc":"2.0","method":"a"}] x)",
      R"([{"jsonrpc":"2.0","method":"a"}]])", "7 8", R"("a" "b")", R"("a"x)", "nullx",
      // Bad root scalars.
      "tru", "01", R"("abc)", R"("\x")", "-", "NaN",
  };
  for (std::string_view body : cases) {
    CAPTURE(body);
    const std::string message = parseErr(body);
    CHECK(startsWith(message, "parse error"));
  }
}

TEST_CASE("jsonrpc: a syntax error wins over an earlier semantic one") {
  CHECK(startsWith(parseErr(R"([1, {"jsonrpc":"2.0","method":"a","x":tru}])"), "parse error"));
  CHECK(startsWith(parseErr(R"({"jsonrpc":"1.0","method":"a","x":[01]})"), "parse error"));
  CHECK(startsWith(parseErr(R"([{"id":{}}, {"jsonrpc":"2.0"}] garbage)"), "parse error"));
}

TEST_CASE("jsonrpc: valid JSON that is not JSON-RPC 2.0 is an invalid request") {
  const std::string_view cases[] = {
      "7", "-1.5", R"("str")", "null", "true", "false", "{}", "[]", "[1]", "[[]]", "[null]",
      R"([{"jsonrpc":"2.0","method":"a"}, 5])",
      R"([{"jsonrpc":"2.0","method":"a"}, [{"jsonrpc":"2.0","method":"b"}]])",
      R"([{"jsonrpc":"2.0","method":"a"}, {"jsonrpc":"2.0"}])",
      R"({"method":"a","id":1})",                        // missing jsonrpc
      R"({"jsonrpc":"1.0","method":"a"})",               // wrong version
      R"({"jsonrpc":"2.0 ","method":"a"})",              // wrong version
      R"({"jsonrpc":2.0,"method":"a"})",                 // version not a string
      R"({"jsonrpc":null,"method":"a"})",                // version not a string
      R"({"jsonrpc":"2.0","id":1})",                     // neither method nor result/error
      R"({"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":"m"}})",
      R"({"jsonrpc":"2.0","id":1,"method":"a","result":1})",
      R"({"jsonrpc":"2.0","id":1,"method":"a","error":{}})",
      R"({"jsonrpc":"2.0","id":{},"method":"a"})",       // id types
      R"({"jsonrpc":"2.0","id":[1],"method":"a"})",
      R"({"jsonrpc":"2.0","id":true,"method":"a"})",
      R"({"jsonrpc":"2.0","id":false,"result":1})",
      R"({"jsonrpc":"2.0","id":{"a":1},"error":{"code":1,"message":"m"}})",
      R"({"jsonrpc":"2.0","id":1,"method":5})",          // method types
      R"({"jsonrpc":"2.0","id":1,"method":null})",
      R"({"jsonrpc":"2.0","id":1,"method":["a"]})",
      R"({"jsonrpc":"2.0","id":1,"method":"a","params":5})",  // params types
      R"({"jsonrpc":"2.0","id":1,"method":"a","params":"x"})",
      R"({"jsonrpc":"2.0","id":1,"method":"a","params":null})",
      R"({"jsonrpc":"2.0","result":{}})",                // response without id
      R"({"jsonrpc":"2.0","error":{"code":1,"message":"m"}})",
      R"({"jsonrpc":"2.0","id":1,"error":"boom"})",      // error not an object
      R"({"jsonrpc":"2.0","id":1,"method":"a","method":"b"})",  // duplicates
      R"({"jsonrpc":"2.0","jsonrpc":"2.0","method":"a"})",
      R"({"jsonrpc":"2.0","id":1,"id":2,"method":"a"})",
      R"({"jsonrpc":"2.0","id":1,"result":1,"result":2})",
      R"({"jsonrpc":"2.0","method":"a","params":{},"params":[]})",
  };
  for (std::string_view body : cases) {
    CAPTURE(body);
    const std::string message = parseErr(body);
    CHECK(startsWith(message, "invalid request"));
  }
  CHECK(parseErr("[]") == "invalid request: empty batch");
  CHECK(parseErr(R"([{"jsonrpc":"2.0","method":"a"}, 5])") ==
        "invalid request: batch element 1: not an object");
  CHECK(parseErr(R"({"jsonrpc":"2.0","id":1,"method":"a","method":"b"})") ==
        R"(invalid request: duplicate "method" member)");
}

TEST_CASE("jsonrpc: large bodies") {
  JsonRpcParser parser;
  const std::string text(8 * 1024 * 1024, 'z');
  std::string numbers;
  for (int i = 0; i < 100000; ++i) numbers += (i ? "," : "") + std::to_string(i);
  const std::string body =
      R"({"jsonrpc":"2.0","id":99,"result":{"content":[{"type":"text","text":")" + text +
      R"("}],"numbers":[)" + numbers + "]}}";
  const ParsedBody parsed = parseOk(parser, body);
  REQUIRE(parsed.messages.size() == 1);
  CHECK(parsed.messages[0].kind == MessageKind::kResultResponse);
  CHECK(parsed.messages[0].raw.size() == body.size());
  CHECK(parsed.messages[0].id_raw == "99");

  // The parser stays usable after a body big enough to make it drop its buffers.
  const auto small = parseOk(parser, R"({"jsonrpc":"2.0","method":"x"})");
  CHECK(small.messages.at(0).method == "x");

  // A large batch.
  std::string batch = "[";
  for (int i = 0; i < 5000; ++i) {
    batch += (i ? "," : "") + std::string(R"({"jsonrpc":"2.0","id":)") + std::to_string(i) +
             R"(,"method":"tools/call","params":{"name":"echo","arguments":{"m":"hi"}}})";
  }
  batch += "]";
  const auto many = parseOk(parser, batch);
  REQUIRE(many.messages.size() == 5000);
  CHECK(many.messages[4999].id_raw == "4999");
}

TEST_CASE("jsonrpc: nesting is bounded and never overflows the stack") {
  const std::string prefix = R"({"jsonrpc":"2.0","id":1,"method":"a","params":)";
  JsonRpcParser parser;
  // The message object is depth 1, so params can nest 1023 levels under the default bound.
  CHECK(parseOk(parser, prefix + nested(1000, "[", "]") + "}").messages.size() == 1);
  CHECK(parseOk(parser, prefix + nested(1023, "[", "]") + "}").messages.size() == 1);
  CHECK(parseOk(parser, prefix + nested(1022, R"({"a":)", "}") + "}").messages.size() == 1);
  CHECK(startsWith(parseErr(prefix + nested(1024, "[", "]") + "}", &parser), "parse error"));
  CHECK(startsWith(parseErr(prefix + nested(1024, R"({"a":)", "}") + "}", &parser),
                   "parse error"));
  // Far beyond the bound: an error, not a crash.
  CHECK(startsWith(parseErr(prefix + nested(200000, "[", "]") + "}", &parser), "parse error"));
  CHECK(startsWith(parseErr(nested(200000, "[", "]"), &parser), "parse error"));
  CHECK(startsWith(parseErr(R"({"jsonrpc":"2.0","method":"a","x":)" + nested(5000, "[", "]") +
                                "}", &parser),
                   "parse error"));
  CHECK(startsWith(parseErr(R"({"jsonrpc":"2.0","id":1,"result":)" +
                                nested(5000, R"({"a":)", "}") + "}", &parser),
                   "parse error"));

  SECTION("a custom bound") {
    JsonRpcParser shallow(3);
    const auto fits = parseOk(shallow, R"({"jsonrpc":"2.0","method":"a","params":{"b":[1]}})");
    CHECK(fits.messages.size() == 1);
    CHECK(startsWith(parseErr(R"({"jsonrpc":"2.0","method":"a","params":{"b":[[1]]}})", &shallow),
                     "parse error"));
    // Batch elements sit one level deeper.
    CHECK(startsWith(parseErr(R"([{"jsonrpc":"2.0","method":"a","params":{"b":[1]}}])", &shallow),
                     "parse error"));
  }
}

TEST_CASE("jsonrpc: one parser is reused and results own their text") {
  JsonRpcParser parser;
  const auto first = parseOk(parser, R"({"jsonrpc":"2.0","id":"first","method":"m1"})");
  const auto bad = parser.parse("{");
  CHECK_FALSE(bad.ok());
  const auto second = parseOk(parser, R"({"jsonrpc":"2.0","id":"second","method":"m2"})");
  CHECK(first.messages[0].id_raw == R"("first")");
  CHECK(first.messages[0].method == "m1");
  CHECK(first.messages[0].raw == R"({"jsonrpc":"2.0","id":"first","method":"m1"})");
  CHECK(second.messages[0].method == "m2");
  // A body that is a prefix of the previous one must not see its leftover bytes.
  CHECK(startsWith(parseErr(R"({"jsonrpc":"2.0","id":"second")", &parser), "parse error"));
}

TEST_CASE("jsonrpc: error bodies") {
  CHECK(jsonRpcErrorBody("", -32700, "Parse error") ==
        R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}})");
  CHECK(jsonRpcErrorBody("7", -32600, "x") ==
        R"({"jsonrpc":"2.0","id":7,"error":{"code":-32600,"message":"x"}})");
  CHECK(jsonRpcErrorBody(R"("a\"b")", 1, "m") ==
        R"({"jsonrpc":"2.0","id":"a\"b","error":{"code":1,"message":"m"}})");
  CHECK(jsonRpcErrorBody("1", -32000, "say \"hi\"\\\n\x01") ==
        R"({"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"say \"hi\"\\\n\u0001"}})");

  // What we write, we parse back as an error response with the same id.
  for (std::string_view id : {""sv, "0"sv, "1.0"sv, R"("x\"y")"sv, "null"sv}) {
    CAPTURE(id);
    const auto m = parseOne(jsonRpcErrorBody(id, -32603, "bad \"thing\"\r\n\t"));
    CHECK(m.kind == MessageKind::kErrorResponse);
    CHECK(m.id_raw == (id.empty() ? "null"sv : id));
  }
}

TEST_CASE("jsonrpc: message kind names") {
  CHECK(std::string(messageKindName(MessageKind::kRequest)) == "request");
  CHECK(std::string(messageKindName(MessageKind::kNotification)) == "notification");
  CHECK(std::string(messageKindName(MessageKind::kResultResponse)) == "result");
  CHECK(std::string(messageKindName(MessageKind::kErrorResponse)) == "error");
}
