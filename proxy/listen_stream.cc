#include "proxy/listen_stream.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/keyvalq_struct.h>

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "common/timeval.h"
#include "proxy/sse_buffer.h"

namespace sidecar::proxy {
namespace {

constexpr int64_t kFirstRetryMs = 1'000;
constexpr int64_t kMaxRetryMs = 30'000;

}  // namespace

ListenStream::ListenStream(const ListenDeps& deps, std::string client_session_id,
                           std::string upstream_session_id, HeaderList credentials,
                           std::string stream_id_base, std::function<void()> on_stopped)
    : deps_(deps),
      client_session_id_(std::move(client_session_id)),
      upstream_session_id_(std::move(upstream_session_id)),
      credentials_(std::move(credentials)),
      stream_id_base_(std::move(stream_id_base)),
      on_stopped_(std::move(on_stopped)),
      retry_timer_(evtimer_new(&deps.base, &ListenStream::onRetryCb, this)) {}

ListenStream::~ListenStream() { closeRequest(); }

void ListenStream::start() { connect(); }

void ListenStream::connect() {
  if (stopped_) return;
  status_ = 0;
  sse_.reset();
  // A new stream id per connection: a stream id names one HTTP exchange.
  recorder_ = std::make_unique<ExchangeRecorder>(
      deps_.store, deps_.clock, fmt::format("{}-{}", stream_id_base_, ++connections_));
  recorder_->bindSession(client_session_id_);
  conn_ = deps_.pool.lease();
  // Silence is normal on this stream; a timeout just reconnects it.
  setConnectionTimeout(conn_.get(), deps_.upstream.stream_idle_timeout);
  evhttp_request* req = evhttp_request_new(&ListenStream::onDoneCb, this);
  evhttp_request_set_header_cb(req, &ListenStream::onHeadersCb);
  evhttp_request_set_chunked_cb(req, &ListenStream::onChunkCb);
  evhttp_request_set_error_cb(req, &ListenStream::onErrorCb);
  evkeyvalq* out = evhttp_request_get_output_headers(req);
  for (const auto& [name, value] : credentials_) evhttp_add_header(out, name.c_str(), value.c_str());
  addDefaultHost(*out, deps_.upstream);
  evhttp_add_header(out, "Mcp-Session-Id", upstream_session_id_.c_str());
  evhttp_add_header(out, "Accept", "text/event-stream");
  req_ = req;
  if (makeUpstreamRequest(conn_.get(), req, EVHTTP_REQ_GET, deps_.upstream.path.c_str()) != 0) {
    req_ = nullptr;
    deps_.pool.discard(std::move(conn_));
    retryLater();
  }
}

bool ListenStream::onHeaders(evhttp_request* up) {
  status_ = evhttp_request_get_response_code(up);
  if (status_ == 200) {
    backoff_ms_ = 0;
    deps_.log.debug("listen", "upstream_listen_stream_open",
                    {{"session", client_session_id_}, {"stream", recorder_->streamId()}});
    return true;
  }
  return false;  // evhttp fails the request; onDone decides what follows
}

void ListenStream::onChunk(evhttp_request* up) {
  evbuffer* data = evhttp_request_get_input_buffer(up);
  std::vector<SseEvent> events;
  feedSse(sse_, data, events);
  evbuffer_drain(data, evbuffer_get_length(data));
  for (const auto& event : events) {
    if (event.data.empty()) continue;
    auto parsed = deps_.json.parse(event.data);
    if (!parsed.ok()) {
      deps_.log.warn("listen", "upstream_payload_not_jsonrpc",
                     {{"session", client_session_id_}, {"error", parsed.error().message}});
      continue;
    }
    recorder_->record(sessionstore::Direction::kServerToClient,
                      routeServerRequests(parsed.value(), event.data, client_session_id_,
                                          deps_.request_ids),
                      event.id);
  }
  recorder_->flush();
}

void ListenStream::onDone() {
  req_ = nullptr;
  if (conn_) deps_.pool.discard(std::move(conn_));
  switch (status_) {
    case 405:
      stop("upstream_offers_no_get_stream");
      return;
    case 404:
    case 400:
      stop("upstream_copy_gone");
      return;
    default:
      retryLater();
  }
}

void ListenStream::retryLater() {
  if (stopped_) return;
  backoff_ms_ = backoff_ms_ == 0 ? kFirstRetryMs : std::min(backoff_ms_ * 2, kMaxRetryMs);
  const timeval tv = toTimeval(backoff_ms_);
  evtimer_add(retry_timer_.get(), &tv);
}

void ListenStream::stop(const char* why) {
  deps_.log.info("listen", "upstream_listen_stream_stopped",
                 {{"session", client_session_id_}, {"reason", why}, {"status", status_}});
  stopped_ = true;
  closeRequest();
  if (on_stopped_) on_stopped_();
}

void ListenStream::closeRequest() {
  if (retry_timer_) evtimer_del(retry_timer_.get());
  if (req_ != nullptr) evhttp_cancel_request(std::exchange(req_, nullptr));
  if (conn_) deps_.pool.discard(std::move(conn_));
}

int ListenStream::onHeadersCb(evhttp_request* up, void* arg) noexcept {
  return static_cast<ListenStream*>(arg)->onHeaders(up) ? 0 : -1;
}
void ListenStream::onChunkCb(evhttp_request* up, void* arg) noexcept {
  static_cast<ListenStream*>(arg)->onChunk(up);
}
void ListenStream::onDoneCb(evhttp_request*, void* arg) noexcept {
  static_cast<ListenStream*>(arg)->onDone();
}
void ListenStream::onErrorCb(evhttp_request_error, void*) noexcept {}
void ListenStream::onRetryCb(evutil_socket_t, short, void* arg) noexcept {
  static_cast<ListenStream*>(arg)->connect();
}

}  // namespace sidecar::proxy
