#include "cmd/admin_http_client.h"

#include <cstdlib>
#include <utility>

#include <event2/buffer.h>
#include <event2/http.h>
#include <fmt/format.h>

namespace sidecar::cmd {

struct AdminHttpClient::Exchange {
  Exchange(AdminHttpClient& owner_in, uint64_t id_in, Callback done_in)
      : owner(owner_in), id(id_in), done(std::move(done_in)) {}
  // Its address is the evhttp callback argument.
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  AdminHttpClient& owner;
  const uint64_t id;
  Callback done;
  std::shared_ptr<CancelState> cancel = std::make_shared<CancelState>();
  bool has_error = false;
  evhttp_request_error error = EVREQ_HTTP_EOF;
  bool completed = false;  // libevent reported the outcome (exactly once is enough)
};

namespace {

std::string hostHeader(const std::string& host, uint16_t port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return ipv6 ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

}  // namespace

AdminHttpClient::AdminHttpClient(event_base& base, const std::string& host, uint16_t port,
                                 std::chrono::seconds timeout)
    : address_(hostHeader(host, port)),
      deferred_(base),
      conn_(evhttp_connection_base_new(&base, nullptr, host.c_str(), port)) {
  if (!conn_) std::abort();  // allocation failure: nothing sensible to do in a CLI either
  // An operator command fails fast and says why; it does not retry quietly.
  evhttp_connection_set_retries(conn_.get(), 0);
  evhttp_connection_set_timeout(conn_.get(), static_cast<int>(timeout.count()));
}

AdminHttpClient::~AdminHttpClient() {
  // Free the connection while every Exchange is still alive: libevent may
  // report the pending requests as it tears the connection down.
  conn_.reset();
}

CallHandle AdminHttpClient::request(evhttp_cmd_type method, const std::string& path,
                                    Callback done) {
  const uint64_t id = ++next_id_;
  auto owned = std::make_unique<Exchange>(*this, id, std::move(done));
  Exchange& exchange = *owned;
  exchanges_.emplace(id, std::move(owned));
  CallHandle handle(exchange.cancel);

  evhttp_request* req = evhttp_request_new(&AdminHttpClient::onDoneCb, &exchange);
  if (req == nullptr) std::abort();
  evhttp_request_set_error_cb(req, &AdminHttpClient::onErrorCb);
  evkeyvalq* headers = evhttp_request_get_output_headers(req);
  evhttp_add_header(headers, "Host", address_.c_str());
  evhttp_add_header(headers, "Accept", "application/json");
  if (evhttp_make_request(conn_.get(), req, method, path.c_str()) != 0 && !exchange.completed) {
    // libevent owns `req` now and may or may not have reported it; when it
    // has not, report here, still on a later loop turn.
    exchange.completed = true;
    finishLater(id, transportError(exchange));
  }
  return handle;
}

void AdminHttpClient::onDoneCb(evhttp_request* req, void* arg) noexcept {
  auto* exchange = static_cast<Exchange*>(arg);
  exchange->owner.complete(*exchange, req);
}

void AdminHttpClient::onErrorCb(evhttp_request_error error, void* arg) noexcept {
  // Runs before onDoneCb for the same request; remember why it failed.
  auto* exchange = static_cast<Exchange*>(arg);
  exchange->has_error = true;
  exchange->error = error;
}

void AdminHttpClient::complete(Exchange& exchange, evhttp_request* req) {
  if (exchange.completed) return;
  exchange.completed = true;
  // A NULL request or status 0 is how libevent reports a failed transport.
  const int status = req != nullptr ? evhttp_request_get_response_code(req) : 0;
  if (status == 0) return finishLater(exchange.id, transportError(exchange));
  // The request and its buffers are freed when this callback returns: copy
  // the body out now.
  HttpReply reply;
  reply.status = status;
  evbuffer* input = evhttp_request_get_input_buffer(req);
  const size_t length = evbuffer_get_length(input);
  reply.body.resize(length);
  if (length > 0) evbuffer_copyout(input, reply.body.data(), length);
  finishLater(exchange.id, std::move(reply));
}

void AdminHttpClient::finishLater(uint64_t id, Result<HttpReply> outcome) {
  // The requester's callback runs on a later turn, outside libevent's
  // callback, and the Exchange is freed there (never inside its own
  // callback).
  deferred_.post([this, id, outcome = std::move(outcome)]() mutable {
    auto it = exchanges_.find(id);
    if (it == exchanges_.end()) return;
    Callback done = std::move(it->second->done);
    const bool cancelled = it->second->cancel->cancelled;
    exchanges_.erase(it);
    if (!cancelled) done(std::move(outcome));
  });
}

Error AdminHttpClient::transportError(const Exchange& exchange) const {
  if (exchange.has_error && exchange.error == EVREQ_HTTP_TIMEOUT) {
    return makeError(ErrorCode::kTimeout,
                     fmt::format("the admin API at {} did not answer in time", address_));
  }
  return makeError(ErrorCode::kUnavailable,
                   fmt::format("cannot reach the admin API at {} (is mcp-sidecar running with "
                               "this configuration's admin.listen?)",
                               address_));
}

}  // namespace sidecar::cmd
