#pragma once
// UpstreamCall: one request the sidecar itself sends to the upstream (the
// synthetic messages of a rehydration, the DELETE that releases a copy), with
// the whole answer collected and parsed. Not for client traffic: bodies are
// bounded and nothing streams. When `expect_id` is set, the call completes as
// soon as the response with that JSON-RPC id arrives, even if the upstream
// keeps its SSE stream open. Destroying the call cancels it; the completion
// always runs on a later loop turn than start(), never inside it.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/c_handles.h"
#include "common/deferred_queue.h"
#include "common/result.h"
#include "proxy/header_forwarding.h"
#include "proxy/jsonrpc_parser.h"
#include "proxy/sse_parser.h"
#include "proxy/upstream_pool.h"

namespace sidecar::proxy {

struct UpstreamReply {
  int status = 0;
  std::string session_id;  // the answer's Mcp-Session-Id, if any
  std::vector<JsonRpcMessage> messages;
};

class UpstreamCall {
 public:
  using Done = std::function<void(Result<UpstreamReply>)>;

  UpstreamCall(UpstreamPool& pool, DeferredQueue& deferred, evhttp_cmd_type method,
               HeaderList headers, std::string body, std::string expect_id, Done done);
  UpstreamCall(const UpstreamCall&) = delete;
  UpstreamCall& operator=(const UpstreamCall&) = delete;
  ~UpstreamCall();

  void start();

 private:
  static void onDoneCb(evhttp_request* req, void* arg) noexcept;
  static void onChunkCb(evhttp_request* req, void* arg) noexcept;
  static void onErrorCb(evhttp_request_error error, void* arg) noexcept;
  void onChunk(evhttp_request* req);
  void onDone(evhttp_request* req);
  void complete(Result<UpstreamReply> result, bool connection_reusable);
  bool absorb(std::string_view payload);

  UpstreamPool& pool_;
  DeferredQueue& deferred_;
  evhttp_cmd_type method_;
  HeaderList headers_;
  std::string body_;
  std::string expect_id_;
  Done done_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

  EvHttpConnectionPtr conn_;
  evhttp_request* req_ = nullptr;
  bool timed_out_ = false;
  bool sse_ = false;
  bool finished_ = false;
  UpstreamReply reply_;
  std::string json_body_;
  SseParser sse_parser_;
  JsonRpcParser json_;
};

}  // namespace sidecar::proxy
