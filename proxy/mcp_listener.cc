#include "proxy/mcp_listener.h"
#include "common/timeval.h"
#include "proxy/tcp_nodelay.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace sidecar::proxy {

Result<uint16_t> bindHttp(evhttp& http, const config::HostPort& where,
                          evhttp_bound_socket** socket_out) {
  errno = 0;
  evhttp_bound_socket* socket = evhttp_bind_socket_with_handle(&http, where.host.c_str(), where.port);
  if (socket == nullptr) {
    // errno is bind()'s or listen()'s (e.g. "Address already in use").
    const int error = errno;
    return makeError(ErrorCode::kUnavailable,
                     fmt::format("cannot listen on {}:{}: {}", where.host, where.port,
                                 error != 0 ? std::strerror(error) : "unknown error"));
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  uint16_t port = where.port;
  if (getsockname(evhttp_bound_socket_get_fd(socket), reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    if (addr.ss_family == AF_INET) {
      port = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    } else if (addr.ss_family == AF_INET6) {
      port = ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
    }
  }
  if (socket_out) *socket_out = socket;
  return port;
}

McpListener::McpListener(event_base& base, DeferredQueue& deferred, const ExchangeDeps& deps,
                         std::string fingerprint_key)
    : base_(base),
      deferred_(deferred),
      deps_(deps),
      parser_(deps.cfg, std::move(fingerprint_key)),
      stream_ids_(deps.request_ids.nodeId()),
      http_(evhttp_new(&base)) {
  if (!http_) std::abort();
  const auto& limits = deps_.cfg.limits;
  // evhttp answers its own limits with HTML before any handler runs, so its
  // ceilings sit above ours and the handler enforces the configured values
  // with JSON-RPC errors.
  evhttp_set_max_body_size(http_.get(), static_cast<ev_ssize_t>(limits.max_body_bytes * 2 + 65536));
  evhttp_set_max_headers_size(http_.get(), static_cast<ev_ssize_t>(limits.max_header_bytes * 4 + 8192));
  const timeval tv = toTimeval(limits.request_timeout.count());
  evhttp_set_timeout_tv(http_.get(), &tv);
  evhttp_set_allowed_methods(http_.get(), EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_DELETE |
                                              EVHTTP_REQ_PUT | EVHTTP_REQ_PATCH |
                                              EVHTTP_REQ_OPTIONS | EVHTTP_REQ_HEAD);
  evhttp_set_default_content_type(http_.get(), nullptr);
  evhttp_set_gencb(http_.get(), &McpListener::onRequestCb, this);
}

McpListener::~McpListener() = default;

Status McpListener::bind() {
  auto port = bindHttp(*http_, deps_.cfg.listen, &socket_);
  if (!port.ok()) return port.error();
  bound_port_ = port.value();
  // Accepted sockets inherit TCP_NODELAY from the listening socket, so this
  // one call covers every client connection. evhttp offers no per-connection
  // hook that sees the accepted fd (evhttp_set_bevcb runs before evhttp
  // attaches it), and doing it per request would cost a system call each.
  if (auto nodelay = setTcpNoDelay(evhttp_bound_socket_get_fd(socket_)); !nodelay.ok()) {
    deps_.log.warn("listener", "tcp_nodelay_failed", {{"error", nodelay.error().message}});
  }
  deps_.log.info("listener", "listening",
                 {{"addr", fmt::format("{}:{}", deps_.cfg.listen.host, bound_port_)},
                  {"mcp_path", deps_.cfg.mcp_path},
                  {"upstream", deps_.cfg.upstream.url}});
  return Ok{};
}

void McpListener::beginDrain() {
  if (draining_) return;
  draining_ = true;
  if (socket_ != nullptr) {
    evhttp_del_accept_socket(http_.get(), socket_);
    socket_ = nullptr;
  }
  deps_.log.info("listener", "draining", {{"in_flight", exchanges_.size()}});
  // Exchanges are erased on a later turn, so the map is stable here.
  for (auto& [raw, exchange] : exchanges_) exchange->drain();
}

void McpListener::onRequestCb(evhttp_request* req, void* arg) noexcept {
  static_cast<McpListener*>(arg)->onRequest(req);
}

void McpListener::onRequest(evhttp_request* req) {
  std::string ctx = fmt::format("req-{}", ++next_request_);
  if (draining_) {
    deps_.replier.send(req, ctx, local_errors::draining({}));
    return;
  }
  auto parsed = parser_.parse(req, ctx);
  if (auto* error = std::get_if<LocalError>(&parsed)) {
    deps_.replier.send(req, ctx, *error);
    return;
  }
  auto& request = std::get<InboundRequest>(parsed);
  switch (request.method) {
    case EVHTTP_REQ_POST: deps_.metrics.requests_post.inc(); break;
    case EVHTTP_REQ_GET: deps_.metrics.requests_get.inc(); break;
    default: deps_.metrics.requests_delete.inc(); break;
  }
  if (deps_.log.enabled(LogLevel::kDebug)) {
    deps_.log.debug(ctx, "request",
                    {{"method", request.isPost() ? "POST" : request.isDelete() ? "DELETE" : "GET"},
                     {"session", request.session_id},
                     {"messages", request.body.messages.size()},
                     {"first_method",
                      request.body.messages.empty() ? std::string() : request.body.messages[0].method}});
  }
  auto exchange = std::make_unique<ProxyExchange>(
      deps_, req, std::move(request), stream_ids_.next(),
      [this](ProxyExchange& done) { onExchangeFinished(done); });
  ProxyExchange* raw = exchange.get();
  exchanges_.emplace(raw, std::move(exchange));
  raw->start();
}

void McpListener::onExchangeFinished(ProxyExchange& exchange) {
  // Destroyed on the next turn: we are inside one of its callbacks.
  ProxyExchange* raw = &exchange;
  deferred_.post([this, raw] { exchanges_.erase(raw); });
}

}  // namespace sidecar::proxy
