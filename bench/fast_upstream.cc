// bench_upstream: a fast, sessionful MCP Streamable HTTP server for
// benchmarks, one libevent (evhttp) thread, loopback only.
//
//   POST initialize                 -> new random hex session id, InitializeResult (JSON)
//   POST notifications/initialized  -> 202 (known session required)
//   POST tools/call                 -> JSON result, or with --sse a short SSE stream:
//                                      priming event (id, empty data), one
//                                      notifications/progress, the response, end
//   POST anything else with an id   -> JSON result {} ; without an id -> 202
//   POST without a known session    -> 404 + JSON-RPC error
//   DELETE                          -> 200 and the session is forgotten (404 if unknown)
//   GET                             -> 405 (no standalone stream); with --get-streams
//                                      and a known session: a text/event-stream
//                                      that sends one priming event (id, empty
//                                      data) and then stays open silently until
//                                      the client goes away (bench/memory.sh)
//
// Request bodies are read with a string scan (mcp_text_scan.h), not a JSON
// parser: this server only has to be cheap and correct for bench_load's
// traffic, so that the proxy in front of it dominates the profile.
//
// usage: bench_upstream --port P [--sse] [--get-streams] [--path /mcp]

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <unordered_set>

#include "bench/mcp_text_scan.h"
#include "common/c_handles.h"

namespace sidecar::bench {
namespace {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// FastUpstream: owns the evhttp server and the session table. Its address is
// the evhttp callback argument: neither copyable nor movable.
class FastUpstream {
 public:
  FastUpstream(event_base& base, bool sse, bool get_streams, std::string path)
      : http_(evhttp_new(&base)), sse_(sse), get_streams_(get_streams), path_(std::move(path)), rng_(std::random_device{}()) {
    if (!http_) std::abort();
    evhttp_set_timeout(http_.get(), 120);
    evhttp_set_max_body_size(http_.get(), 4 * 1024 * 1024);
    evhttp_set_allowed_methods(http_.get(), EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_DELETE);
    evhttp_set_default_content_type(http_.get(), nullptr);
    evhttp_set_gencb(http_.get(), &FastUpstream::onRequestCb, this);
    body_.reserve(4096);
    reply_.reset(evbuffer_new());
  }
  FastUpstream(const FastUpstream&) = delete;
  FastUpstream& operator=(const FastUpstream&) = delete;

  bool bind(uint16_t port) { return evhttp_bind_socket(http_.get(), "127.0.0.1", port) == 0; }
  unsigned long long served() const noexcept { return served_; }

 private:
  static void onRequestCb(evhttp_request* req, void* arg) noexcept {
    static_cast<FastUpstream*>(arg)->onRequest(req);
  }

  void onRequest(evhttp_request* req) {
    ++served_;
    const char* uri_path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
    if (uri_path == nullptr || path_ != uri_path) {
      evhttp_send_reply(req, 404, "Not Found", nullptr);
      return;
    }
    evkeyvalq* in = evhttp_request_get_input_headers(req);
    const char* sid = evhttp_find_header(in, "Mcp-Session-Id");
    const std::string_view session = sid ? sid : "";
    switch (evhttp_request_get_command(req)) {
      case EVHTTP_REQ_POST: onPost(req, session); return;
      case EVHTTP_REQ_DELETE:
        if (auto it = sessions_.find(session); it != sessions_.end()) {
          sessions_.erase(it);
          evhttp_send_reply(req, 200, "OK", nullptr);
        } else {
          sendJson(req, 404, "Not Found", R"({"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Session not found"}})");
        }
        return;
      case EVHTTP_REQ_GET:
        if (get_streams_) {
          onGet(req, session);
          return;
        }
        [[fallthrough]];
      default:
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "POST, DELETE");
        evhttp_send_reply(req, 405, "Method Not Allowed", nullptr);
        return;
    }
  }

  void onPost(evhttp_request* req, std::string_view session) {
    evbuffer* input = evhttp_request_get_input_buffer(req);
    const size_t n = evbuffer_get_length(input);
    body_.resize(n);
    evbuffer_copyout(input, body_.data(), n);
    const std::string_view method = stringMember(body_, "method");
    const std::string_view id = scalarMember(body_, "id");

    if (method == "initialize") {
      const std::string minted = mintSessionId();
      sessions_.insert(minted);
      std::string_view version = stringMember(body_, "protocolVersion");
      if (version.empty()) version = "2025-06-18";
      std::string json = R"({"jsonrpc":"2.0","id":)";
      json.append(id.empty() ? "null" : id).append(R"(,"result":{"protocolVersion":")");
      json.append(version).append(R"(","capabilities":{"tools":{}},)");
      json.append(R"("serverInfo":{"name":"bench-upstream","version":"1.0.0"}}})");
      evhttp_add_header(evhttp_request_get_output_headers(req), "Mcp-Session-Id", minted.c_str());
      sendJson(req, 200, "OK", json);
      return;
    }
    if (session.empty() || sessions_.find(session) == sessions_.end()) {
      std::string json = R"({"jsonrpc":"2.0","id":)";
      json.append(id.empty() ? "null" : id);
      json.append(R"(,"error":{"code":-32001,"message":"Session not found"}})");
      sendJson(req, 404, "Not Found", json);
      return;
    }
    if (id.empty() || method.empty()) {  // notification or response
      evhttp_send_reply(req, 202, "Accepted", nullptr);
      return;
    }
    if (method == "tools/call") {
      std::string result = R"({"jsonrpc":"2.0","id":)";
      result.append(id).append(R"(,"result":{"content":[{"type":"text","text":"hello"}],"isError":false}})");
      if (sse_) {
        sendSse(req, id, result);
      } else {
        sendJson(req, 200, "OK", result);
      }
      return;
    }
    std::string json = R"({"jsonrpc":"2.0","id":)";
    json.append(id).append(R"(,"result":{}})");
    sendJson(req, 200, "OK", json);
  }

  // A standalone GET stream: headers, one priming event, then silence. The
  // request stays with evhttp until the client closes the connection.
  void onGet(evhttp_request* req, std::string_view session) {
    if (session.empty() || sessions_.find(session) == sessions_.end()) {
      sendJson(req, 404, "Not Found", R"({"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Session not found"}})");
      return;
    }
    evkeyvalq* out = evhttp_request_get_output_headers(req);
    evhttp_add_header(out, "Content-Type", "text/event-stream");
    evhttp_add_header(out, "Cache-Control", "no-cache");
    evhttp_send_reply_start(req, 200, "OK");
    evbuffer_add_printf(reply_.get(), "id: g%llu-0\ndata:\n\n", ++streams_);
    evhttp_send_reply_chunk(req, reply_.get());
  }

  void sendJson(evhttp_request* req, int code, const char* reason, std::string_view json) {
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    evbuffer_add(reply_.get(), json.data(), json.size());
    evhttp_send_reply(req, code, reason, reply_.get());
  }

  void sendSse(evhttp_request* req, std::string_view id, std::string_view result) {
    evkeyvalq* out = evhttp_request_get_output_headers(req);
    evhttp_add_header(out, "Content-Type", "text/event-stream");
    evhttp_add_header(out, "Cache-Control", "no-cache");
    const unsigned long long stream = ++streams_;
    std::string_view token = scalarMember(body_, "progressToken");
    if (token.empty()) token = id;
    evhttp_send_reply_start(req, 200, "OK");
    // Three chunks, as a server writes them one after the other.
    evbuffer_add_printf(reply_.get(), "id: %llu-0\ndata:\n\n", stream);
    evhttp_send_reply_chunk(req, reply_.get());
    evbuffer_add_printf(reply_.get(),
                        "event: message\nid: %llu-1\ndata: {\"jsonrpc\":\"2.0\",\"method\":"
                        "\"notifications/progress\",\"params\":{\"progressToken\":%.*s,"
                        "\"progress\":1,\"total\":1}}\n\n",
                        stream, static_cast<int>(token.size()), token.data());
    evhttp_send_reply_chunk(req, reply_.get());
    evbuffer_add_printf(reply_.get(), "event: message\nid: %llu-2\ndata: ", stream);
    evbuffer_add(reply_.get(), result.data(), result.size());
    evbuffer_add(reply_.get(), "\n\n", 2);
    evhttp_send_reply_chunk(req, reply_.get());
    evhttp_send_reply_end(req);
  }

  std::string mintSessionId() {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id(32, '0');
    for (size_t i = 0; i < id.size(); i += 16) {
      uint64_t r = rng_();
      for (size_t j = 0; j < 16; ++j, r >>= 4) id[i + j] = kHex[r & 0xF];
    }
    return id;
  }

  EvHttpPtr http_;
  EvBufferPtr reply_;  // reused; evhttp drains it on every send
  bool sse_;
  bool get_streams_;
  std::string path_;
  std::mt19937_64 rng_;
  std::unordered_set<std::string, StringHash, std::equal_to<>> sessions_;
  std::string body_;
  unsigned long long served_ = 0;
  unsigned long long streams_ = 0;
};

void onSignal(evutil_socket_t, short, void* arg) noexcept {
  event_base_loopbreak(static_cast<event_base*>(arg));
}

}  // namespace
}  // namespace sidecar::bench

int main(int argc, char** argv) {
  using namespace sidecar;
  long port = -1;
  bool sse = false;
  bool get_streams = false;
  std::string path = "/mcp";
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--port" && i + 1 < argc) {
      port = std::strtol(argv[++i], nullptr, 10);
    } else if (a == "--path" && i + 1 < argc) {
      path = argv[++i];
    } else if (a == "--sse") {
      sse = true;
    } else if (a == "--get-streams") {
      get_streams = true;
    } else {
      std::fprintf(stderr, "usage: bench_upstream --port P [--sse] [--get-streams] [--path /mcp]\n");
      return 2;
    }
  }
  if (port < 1 || port > 65535) {
    std::fprintf(stderr, "bench_upstream: --port 1..65535 is required\n");
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  EventBasePtr base(event_base_new());
  if (!base) return 1;
  unsigned long long served = 0;
  {
    bench::FastUpstream server(*base, sse, get_streams, path);
    if (!server.bind(static_cast<uint16_t>(port))) {
      std::fprintf(stderr, "bench_upstream: cannot listen on 127.0.0.1:%ld\n", port);
      return 1;
    }
    EventPtr sigterm(evsignal_new(base.get(), SIGTERM, &bench::onSignal, base.get()));
    EventPtr sigint(evsignal_new(base.get(), SIGINT, &bench::onSignal, base.get()));
    event_add(sigterm.get(), nullptr);
    event_add(sigint.get(), nullptr);
    event_base_dispatch(base.get());
    served = server.served();
  }
  std::fprintf(stderr, "bench_upstream: served %llu requests\n", served);
  return 0;
}
