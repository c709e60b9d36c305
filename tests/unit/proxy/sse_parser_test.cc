#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/sse_parser.h"

using namespace std::string_view_literals;
using sidecar::ErrorCode;
using sidecar::proxy::serializeSseEvent;
using sidecar::proxy::SseEvent;
using sidecar::proxy::SseParser;

namespace Catch {
template <>
struct StringMaker<SseEvent> {
  static std::string convert(const SseEvent& e) {
    std::string out = "{";
    if (e.has_id) out += "id=" + ::Catch::Detail::stringify(e.id) + " ";
    if (!e.event.empty()) out += "event=" + ::Catch::Detail::stringify(e.event) + " ";
    if (e.retry_ms) out += "retry=" + std::to_string(*e.retry_ms) + " ";
    return out + "data=" + ::Catch::Detail::stringify(e.data) + "}";
  }
};
}  // namespace Catch

namespace {

SseEvent ev(std::string data, std::optional<std::string> id = std::nullopt,
            std::string event = {}, std::optional<uint32_t> retry = std::nullopt) {
  SseEvent e;
  e.data = std::move(data);
  if (id) {
    e.id = *id;
    e.has_id = true;
  }
  e.event = std::move(event);
  e.retry_ms = retry;
  return e;
}

std::vector<SseEvent> parseChunks(const std::vector<std::string_view>& chunks,
                                  size_t max = SseParser::kDefaultMaxEventBytes) {
  SseParser parser(max);
  std::vector<SseEvent> out;
  for (std::string_view chunk : chunks) parser.feed(chunk, out);
  REQUIRE_FALSE(parser.failed());
  return out;
}

std::vector<SseEvent> parseAll(std::string_view text) { return parseChunks({text}); }

std::string withEnding(std::string_view lf_text, std::string_view ending) {
  std::string out;
  for (char c : lf_text) {
    if (c == '\n') {
      out += ending;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Written with LF; every test also runs it with CR and CRLF endings.
constexpr std::string_view kSample =
    ": welcome, this block is only a comment\n"
    "\n"
    "id: prime-1\n"
    "data:\n"
    "\n"
    "event: message\n"
    "id: 7\n"
    "data: {\"jsonrpc\":\"2.0\",\"method\":\"ping\"}\n"
    "\n"
    "data: line one\n"
    "data:line two\n"
    "data:  indented\n"
    "data\n"
    ": a comment between data lines\n"
    "data: last:with:colons\n"
    "\n"
    "retry: 2500\n"
    "\n"
    "unknown: field only\n"
    "\n"
    "retry: 12x\n"
    "data: after a bad retry\n"
    "\n"
    "id\n"
    "event\n"
    "\n"
    "\n"
    "\n"
    "id: \xC3\xA9t\xC3\xA9\n"
    "event: notify\n"
    "retry: 0\n"
    "data: caf\xC3\xA9\n"
    "\n"
    "data: never terminated\n";

std::vector<SseEvent> sampleEvents() {
  return {
      ev("", "prime-1"),
      ev(R"({"jsonrpc":"2.0","method":"ping"})", "7", "message"),
      ev("line one\nline two\n indented\n\nlast:with:colons"),
      ev("", std::nullopt, "", 2500),
      ev("after a bad retry"),
      ev("", ""),
      ev("caf\xC3\xA9", "\xC3\xA9t\xC3\xA9", "notify", 0),
  };
}

const std::vector<std::string_view> kEndings = {"\n", "\r", "\r\n"};

}  // namespace

TEST_CASE("sse: sample stream parses the same with LF, CR and CRLF endings") {
  for (std::string_view ending : kEndings) {
    CAPTURE(ending);
    CHECK(parseAll(withEnding(kSample, ending)) == sampleEvents());
  }
}

TEST_CASE("sse: split at every byte boundary gives identical events") {
  for (std::string_view ending : kEndings) {
    const std::string text = withEnding(kSample, ending);
    for (size_t split = 0; split <= text.size(); ++split) {
      CAPTURE(ending, split);
      const std::string_view all = text;
      REQUIRE(parseChunks({all.substr(0, split), all.substr(split)}) == sampleEvents());
    }
  }
}

TEST_CASE("sse: byte-by-byte feeding gives identical events") {
  for (std::string_view ending : kEndings) {
    CAPTURE(ending);
    const std::string text = withEnding(kSample, ending);
    std::vector<std::string_view> bytes;
    for (size_t i = 0; i < text.size(); ++i) bytes.push_back(std::string_view(text).substr(i, 1));
    CHECK(parseChunks(bytes) == sampleEvents());
  }
}

TEST_CASE("sse: irregular chunk sizes and empty chunks give identical events") {
  for (std::string_view ending : kEndings) {
    const std::string text = withEnding(kSample, ending);
    uint32_t seed = 12345;
    for (int round = 0; round < 50; ++round) {
      std::vector<std::string_view> chunks;
      for (size_t pos = 0; pos < text.size();) {
        seed = seed * 1103515245u + 12345u;
        const size_t len = (seed >> 16) % 9;  // 0..8: includes empty chunks
        chunks.push_back(std::string_view(text).substr(pos, len));
        pos += len;
      }
      CAPTURE(ending, round);
      REQUIRE(parseChunks(chunks) == sampleEvents());
    }
  }
}

TEST_CASE("sse: a leading BOM is stripped, even when split across feeds") {
  for (std::string_view ending : kEndings) {
    const std::string text = "\xEF\xBB\xBF" + withEnding(kSample, ending);
    for (size_t split = 0; split <= 4; ++split) {
      CAPTURE(ending, split);
      const std::string_view all = text;
      CHECK(parseChunks({all.substr(0, split), all.substr(split)}) == sampleEvents());
    }
    std::vector<std::string_view> bytes;
    for (size_t i = 0; i < text.size(); ++i) bytes.push_back(std::string_view(text).substr(i, 1));
    CHECK(parseChunks(bytes) == sampleEvents());
  }
}

TEST_CASE("sse: only one BOM, only at stream start, and a partial BOM is kept as text") {
  // A second BOM belongs to the field name, which is then unknown.
  CHECK(parseAll("\xEF\xBB\xBF\xEF\xBB\xBF" "data: x\n\n").empty());
  // A BOM later in the stream is not stripped either, even at the start of a later feed.
  CHECK(parseAll("data: a\n\n\xEF\xBB\xBF" "data: b\n\n") == std::vector<SseEvent>{ev("a")});
  CHECK(parseChunks({"data: a\n\n", "\xEF\xBB\xBF" "data: b\n\n"}) ==
        std::vector<SseEvent>{ev("a")});
  CHECK(parseChunks({"\xEF\xBB\xBF", "\xEF\xBB\xBF" "data: b\n\n"}).empty());
  // The bytes of a BOM prefix that turned out not to be one are not dropped: they make the
  // field name "\xEF\xBB" "data", which is unknown, so nothing is emitted.
  CHECK(parseChunks({"\xEF\xBB", "data: x\n\n"}).empty());
  CHECK(parseChunks({"\xEF", "\xBB", "data: x\n\n"}).empty());
  // An empty first feed does not end the BOM window.
  CHECK(parseChunks({"", "\xEF\xBB\xBF", "data: x\n\n"}) == std::vector<SseEvent>{ev("x")});
}

TEST_CASE("sse: CR and LF split across feeds") {
  SECTION("CR then LF in the next feed is one line ending") {
    CHECK(parseChunks({"data: a\r", "\ndata: b\r", "\n\r", "\n"}) ==
          std::vector<SseEvent>{ev("a\nb")});
  }
  SECTION("CR CR dispatches at once, without waiting for more bytes") {
    SseParser parser;
    std::vector<SseEvent> out;
    parser.feed("data: a\r", out);
    CHECK(out.empty());
    parser.feed("\r", out);
    CHECK(out == std::vector<SseEvent>{ev("a")});
    // A following LF completes the CRLF of the blank line; it does not start another line.
    parser.feed("\ndata: b\n\n", out);
    CHECK(out == std::vector<SseEvent>{ev("a"), ev("b")});
  }
  SECTION("LF CR is two line endings") {
    CHECK(parseAll("data: a\n\r") == std::vector<SseEvent>{ev("a")});
  }
  SECTION("mixed endings in one stream") {
    CHECK(parseAll("data: a\r\ndata: b\rdata: c\n\r\nid: 1\r\r") ==
          std::vector<SseEvent>{ev("a\nb\nc"), ev("", "1")});
  }
}

TEST_CASE("sse: priming events and field-only blocks are emitted") {
  CHECK(parseAll("id: 0\ndata: \n\n") == std::vector<SseEvent>{ev("", "0")});
  CHECK(parseAll("id: abc\n\n") == std::vector<SseEvent>{ev("", "abc")});
  CHECK(parseAll("data\n\n") == std::vector<SseEvent>{ev("")});
  CHECK(parseAll("data:\ndata:\n\n") == std::vector<SseEvent>{ev("\n")});
  CHECK(parseAll("event: ping\n\n") == std::vector<SseEvent>{ev("", std::nullopt, "ping")});
}

TEST_CASE("sse: comment-only and empty blocks emit nothing") {
  CHECK(parseAll(": ping\n\n").empty());
  CHECK(parseAll(":\n\n").empty());
  CHECK(parseAll(": a\n: b\r\n:c\r\r").empty());
  CHECK(parseAll("\n\n\r\n\r").empty());
  CHECK(parseAll("").empty());
  // Unknown fields and ignored values set nothing.
  CHECK(parseAll("foo: bar\nData: x\nretry: -1\nretry:\nretry: 1 \nid: a\0b\n\n"sv).empty());
}

TEST_CASE("sse: field parsing details") {
  SECTION("exactly one leading space is stripped") {
    CHECK(parseAll("data:x\n\n")[0].data == "x");
    CHECK(parseAll("data: x\n\n")[0].data == "x");
    CHECK(parseAll("data:  x \n\n")[0].data == " x ");
    CHECK(parseAll("data:\tx\n\n")[0].data == "\tx");
    CHECK(parseAll("id:  7\n\n")[0].id == " 7");
  }
  SECTION("only the first colon separates name and value") {
    CHECK(parseAll("data: a: b :c\n\n")[0].data == "a: b :c");
    CHECK(parseAll("data::\n\n")[0].data == ":");
  }
  SECTION("a field with no colon has an empty value") {
    const auto events = parseAll("id\n\n");
    REQUIRE(events.size() == 1);
    CHECK(events[0].has_id);
    CHECK(events[0].id.empty());
  }
  SECTION("field names are case-sensitive") {
    CHECK(parseAll("DATA: x\nId: 1\n\n").empty());
  }
  SECTION("the last id and event of a block win; data accumulates") {
    CHECK(parseAll("id: 1\nevent: a\ndata: x\nid: 2\nevent: b\ndata: y\n\n") ==
          std::vector<SseEvent>{ev("x\ny", "2", "b")});
  }
  SECTION("an id containing NUL is ignored, keeping an earlier valid id") {
    CHECK(parseAll("id: ok\nid: a\0b\ndata: x\n\n"sv) == std::vector<SseEvent>{ev("x", "ok")});
  }
  SECTION("data may contain NUL") {
    CHECK(parseAll("data: a\0b\n\n"sv)[0].data == "a\0b"sv);
  }
}

TEST_CASE("sse: id belongs to its own block") {
  CHECK(parseAll("id: 1\ndata: a\n\ndata: b\n\n") ==
        std::vector<SseEvent>{ev("a", "1"), ev("b")});
}

TEST_CASE("sse: retry accepts ASCII digits only") {
  CHECK(parseAll("retry: 1500\n\n")[0].retry_ms == 1500u);
  CHECK(parseAll("retry:0\n\n")[0].retry_ms == 0u);
  CHECK(parseAll("retry: 4294967295\n\n")[0].retry_ms == 4294967295u);
  for (std::string_view bad : {"retry: 4294967296\n", "retry: 99999999999999999999\n",
                               "retry: -5\n", "retry: +5\n", "retry: 1.5\n", "retry:  15\n",
                               "retry: 15 \n", "retry: 0x10\n", "retry:\n", "retry\n"}) {
    CAPTURE(bad);
    const auto events = parseAll(std::string(bad) + "data: x\n\n");
    REQUIRE(events.size() == 1);
    CHECK_FALSE(events[0].retry_ms.has_value());
  }
  // A valid retry survives a later invalid one in the same block.
  CHECK(parseAll("retry: 10\nretry: x\n\n")[0].retry_ms == 10u);
}

TEST_CASE("sse: an unfinished event at the end of the stream is not emitted") {
  CHECK(parseAll("data: a\n\ndata: b\n").size() == 1);
  CHECK(parseAll("data: a").empty());
}

TEST_CASE("sse: events larger than the bound fail the parser without crashing") {
  SECTION("a single line over the bound fails before its line ends") {
    SseParser parser(64);
    std::vector<SseEvent> out;
    parser.feed("data: ok\n\n", out);
    parser.feed(std::string(100, 'x'), out);
    CHECK(parser.failed());
    const auto status = parser.status();
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == ErrorCode::kResourceExhausted);
    CHECK(status.error().message.find("64") != std::string::npos);
    CHECK(out == std::vector<SseEvent>{ev("ok")});
    // Stays failed: later input is ignored.
    parser.feed("\n\ndata: later\n\n", out);
    CHECK(out.size() == 1);
    CHECK(parser.failed());
  }
  SECTION("many small data lines add up") {
    SseParser parser(64);
    std::vector<SseEvent> out;
    for (int i = 0; i < 10; ++i) parser.feed("data: 0123456789\n", out);
    CHECK(parser.failed());
    CHECK(out.empty());
  }
  SECTION("the bound is inclusive") {
    const std::string at_limit = "data: " + std::string(58, 'x') + "\n\n";  // line is 64 bytes
    const std::string over = "data: " + std::string(59, 'x') + "\n\n";
    SseParser ok_parser(64);
    std::vector<SseEvent> out;
    ok_parser.feed(at_limit, out);
    CHECK_FALSE(ok_parser.failed());
    CHECK(out.size() == 1);
    SseParser bad_parser(64);
    bad_parser.feed(over, out);
    CHECK(bad_parser.failed());
    CHECK(out.size() == 1);
  }
  SECTION("the bound is per event, not per stream") {
    SseParser parser(64);
    std::vector<SseEvent> out;
    for (int i = 0; i < 100; ++i) parser.feed("data: " + std::string(50, 'y') + "\n\n", out);
    CHECK_FALSE(parser.failed());
    CHECK(out.size() == 100);
  }
  SECTION("comments are never buffered, so a long one does not count") {
    SseParser parser(64);
    std::vector<SseEvent> out;
    parser.feed(":" + std::string(1 << 20, 'c'), out);
    parser.feed("\ndata: after\n\n", out);
    CHECK_FALSE(parser.failed());
    CHECK(out == std::vector<SseEvent>{ev("after")});
  }
  SECTION("reset clears the failure and starts a new stream") {
    SseParser parser(16);
    std::vector<SseEvent> out;
    parser.feed(std::string(32, 'x'), out);
    REQUIRE(parser.failed());
    parser.reset();
    CHECK_FALSE(parser.failed());
    CHECK(parser.status().ok());
    parser.feed("\xEF\xBB\xBF" "data: y\n\n", out);
    CHECK(out == std::vector<SseEvent>{ev("y")});
  }
}

TEST_CASE("sse: the default bound admits large events split into many chunks") {
  CHECK(SseParser::kDefaultMaxEventBytes == 16u * 1024 * 1024);
  const std::string payload(3 * 1024 * 1024, 'p');
  const std::string text = "id: big\ndata: " + payload + "\ndata: tail\n\n";
  SseParser parser;
  std::vector<SseEvent> out;
  for (size_t pos = 0; pos < text.size(); pos += 4093) {
    parser.feed(std::string_view(text).substr(pos, 4093), out);
  }
  REQUIRE_FALSE(parser.failed());
  REQUIRE(out.size() == 1);
  CHECK(out[0].data == payload + "\ntail");
  CHECK(out[0].id == "big");
}

TEST_CASE("sse: serialize writes canonical text") {
  CHECK(serializeSseEvent(ev("a\nb", "42", "message", 1000)) ==
        "id: 42\nevent: message\nretry: 1000\ndata: a\ndata: b\n\n");
  CHECK(serializeSseEvent(ev("", "p")) == "id: p\ndata:\n\n");
  CHECK(serializeSseEvent(ev("", "")) == "id:\ndata:\n\n");
  CHECK(serializeSseEvent(ev("x")) == "data: x\n\n");
  CHECK(serializeSseEvent(ev(" x")) == "data:  x\n\n");
  CHECK(serializeSseEvent(ev("a\n\nb\n")) == "data: a\ndata:\ndata: b\ndata:\n\n");
  SseEvent no_id = ev("x");
  no_id.id = "ignored without has_id";
  CHECK(serializeSseEvent(no_id) == "data: x\n\n");
}

TEST_CASE("sse: serialize cannot be tricked into writing extra lines") {
  CHECK(serializeSseEvent(ev("a\r\nb\rc")) == "data: a\ndata: b\ndata: c\n\n");
  CHECK(serializeSseEvent(ev("x", std::string("1\r\ndata: evil\0", 14))) ==
        "id: 1data: evil\ndata: x\n\n");
  CHECK(serializeSseEvent(ev("x", std::nullopt, "a\nb")) == "event: ab\ndata: x\n\n");
}

TEST_CASE("sse: serialize then parse round-trips") {
  std::vector<SseEvent> events = sampleEvents();
  for (std::string_view data : {""sv, "\n"sv, "\n\n"sv, "x\n"sv, " lead"sv, "trail "sv, ":colon"sv,
                                "a\0b"sv}) {
    events.push_back(ev(std::string(data)));
  }
  events.push_back(ev("multi\nline\n\npayload", "id with spaces ", "custom-type", 42));
  events.push_back(ev("", " leading-space-id"));

  std::string stream;
  for (const auto& e : events) {
    const std::string text = serializeSseEvent(e);
    CAPTURE(text);
    CHECK(parseAll(text) == std::vector<SseEvent>{e});
    stream += text;
  }
  CHECK(parseAll(stream) == events);
  // Canonical text is a fixed point.
  for (const auto& e : parseAll(withEnding(kSample, "\r\n"))) {
    const std::string once = serializeSseEvent(e);
    CHECK(serializeSseEvent(parseAll(once).at(0)) == once);
  }
}
