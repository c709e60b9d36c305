#include "proxy/upstream_call.h"

#include <event2/keyvalq_struct.h>

#include "proxy/header_forwarding.h"
#include "proxy/sse_buffer.h"

namespace sidecar::proxy {
namespace {

// The sidecar's own calls carry a handful of small messages.
constexpr size_t kMaxReplyBytes = 4 * 1024 * 1024;

}  // namespace

UpstreamCall::UpstreamCall(UpstreamPool& pool, DeferredQueue& deferred, evhttp_cmd_type method,
                           HeaderList headers, std::string body, std::string expect_id, Done done)
    : pool_(pool),
      deferred_(deferred),
      method_(method),
      headers_(std::move(headers)),
      body_(std::move(body)),
      expect_id_(std::move(expect_id)),
      done_(std::move(done)),
      sse_parser_(kMaxReplyBytes) {}

UpstreamCall::~UpstreamCall() {
  *alive_ = false;
  if (req_ != nullptr) evhttp_cancel_request(std::exchange(req_, nullptr));
  if (conn_) pool_.discard(std::move(conn_));
}

void UpstreamCall::start() {
  conn_ = pool_.lease();
  evhttp_request* req = evhttp_request_new(&UpstreamCall::onDoneCb, this);
  evhttp_request_set_chunked_cb(req, &UpstreamCall::onChunkCb);
  evhttp_request_set_error_cb(req, &UpstreamCall::onErrorCb);
  evkeyvalq* out = evhttp_request_get_output_headers(req);
  for (const auto& [name, value] : headers_) evhttp_add_header(out, name.c_str(), value.c_str());
  addDefaultHost(*out, pool_.upstreamConfig());
  if (!body_.empty()) evbuffer_add(evhttp_request_get_output_buffer(req), body_.data(), body_.size());
  req_ = req;
  if (makeUpstreamRequest(conn_.get(), req, method_, pool_.upstreamConfig().path.c_str()) != 0) {
    req_ = nullptr;
    complete(makeError(ErrorCode::kUnavailable, "cannot send to the upstream"), false);
  }
}

void UpstreamCall::onChunk(evhttp_request* req) {
  if (finished_) return;
  if (reply_.status == 0) {
    reply_.status = evhttp_request_get_response_code(req);
    const evkeyvalq& headers = *evhttp_request_get_input_headers(req);
    reply_.session_id = std::string(findHeader(headers, "Mcp-Session-Id"));
    sse_ = findHeader(headers, "Content-Type").starts_with("text/event-stream");
  }
  evbuffer* data = evhttp_request_get_input_buffer(req);
  const size_t n = evbuffer_get_length(data);
  if (!sse_) {
    if (json_body_.size() + n > kMaxReplyBytes) {
      complete(makeError(ErrorCode::kResourceExhausted, "upstream answer too large"), false);
      return;
    }
    const size_t old = json_body_.size();
    json_body_.resize(old + n);
    evbuffer_remove(data, json_body_.data() + old, n);
    return;
  }
  std::vector<SseEvent> events;
  feedSse(sse_parser_, data, events);
  evbuffer_drain(data, n);
  for (const auto& event : events) {
    if (!event.data.empty() && absorb(event.data)) {
      // Our answer is in; the stream may stay open for other traffic that
      // this call does not want.
      complete(std::move(reply_), false);
      return;
    }
  }
}

bool UpstreamCall::absorb(std::string_view payload) {
  auto parsed = json_.parse(payload);
  if (!parsed.ok()) return false;
  bool found = false;
  for (auto& message : parsed.value().messages) {
    const bool is_response = message.kind == MessageKind::kResultResponse ||
                             message.kind == MessageKind::kErrorResponse;
    if (is_response && !expect_id_.empty() && message.id_raw == expect_id_) found = true;
    reply_.messages.push_back(std::move(message));
  }
  return found;
}

void UpstreamCall::onDone(evhttp_request* req) {
  req_ = nullptr;
  if (finished_) return;
  if (req == nullptr || evhttp_request_get_response_code(req) == 0) {
    complete(makeError(timed_out_ ? ErrorCode::kTimeout : ErrorCode::kUnavailable,
                       timed_out_ ? "upstream timed out" : "upstream unreachable"),
             false);
    return;
  }
  if (reply_.status == 0) {
    reply_.status = evhttp_request_get_response_code(req);
    reply_.session_id = std::string(findHeader(*evhttp_request_get_input_headers(req), "Mcp-Session-Id"));
  }
  if (!json_body_.empty()) absorb(json_body_);
  complete(std::move(reply_), true);
}

void UpstreamCall::complete(Result<UpstreamReply> result, bool connection_reusable) {
  finished_ = true;
  if (req_ != nullptr) evhttp_cancel_request(std::exchange(req_, nullptr));
  if (conn_) {
    if (connection_reusable) {
      pool_.giveBack(std::move(conn_));
    } else {
      pool_.discard(std::move(conn_));
    }
  }
  // Always on a later turn: the owner may destroy this call in the callback.
  deferred_.post([alive = alive_, done = std::move(done_), result = std::move(result)]() mutable {
    if (*alive) done(std::move(result));
  });
}

void UpstreamCall::onDoneCb(evhttp_request* req, void* arg) noexcept {
  static_cast<UpstreamCall*>(arg)->onDone(req);
}
void UpstreamCall::onChunkCb(evhttp_request* req, void* arg) noexcept {
  static_cast<UpstreamCall*>(arg)->onChunk(req);
}
void UpstreamCall::onErrorCb(evhttp_request_error error, void* arg) noexcept {
  if (error == EVREQ_HTTP_TIMEOUT) static_cast<UpstreamCall*>(arg)->timed_out_ = true;
}

}  // namespace sidecar::proxy
