#include "proxy/upstream_pool.h"
#include "common/timeval.h"
#include "proxy/tcp_nodelay.h"

#include <event2/bufferevent.h>
#include <event2/keyvalq_struct.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace sidecar::proxy {

void setConnectionTimeout(evhttp_connection* conn, config::Millis timeout) {
  const timeval tv = toTimeval(timeout.count());
  evhttp_connection_set_timeout_tv(conn, &tv);
}

int makeUpstreamRequest(evhttp_connection* conn, evhttp_request* req, evhttp_cmd_type method,
                        const char* uri) {
  bufferevent* bev = evhttp_connection_get_bufferevent(conn);
  const bool had_socket = bufferevent_getfd(bev) >= 0;
  const int rc = evhttp_make_request(conn, req, method, uri);
  if (rc != 0 || had_socket) return rc;
  // A failure here means the connect already failed; evhttp reports that.
  if (const evutil_socket_t fd = bufferevent_getfd(bev); fd >= 0) (void)setTcpNoDelay(fd);
  return rc;
}

void addDefaultHost(evkeyvalq& headers, const config::UpstreamConfig& cfg) {
  if (evhttp_find_header(&headers, "Host") != nullptr) return;
  const std::string host = cfg.host + ":" + std::to_string(cfg.port);
  evhttp_add_header(&headers, "Host", host.c_str());
}

UpstreamPool::UpstreamPool(event_base& base, DeferredQueue& deferred,
                           const config::UpstreamConfig& cfg, MetricsRegistry& metrics)
    : base_(base),
      deferred_(deferred),
      cfg_(cfg),
      idle_gauge_(metrics.gauge("sidecar_upstream_idle_connections",
                                "Idle keep-alive connections to the upstream")),
      opened_(metrics.counter("sidecar_upstream_connections_opened_total",
                              "Upstream connection objects created")) {}

EvHttpConnectionPtr UpstreamPool::connect() {
  // The host is a numeric address (the config loader guarantees it), so
  // evhttp never runs a blocking resolver on the loop.
  EvHttpConnectionPtr conn(
      evhttp_connection_base_new(&base_, nullptr, cfg_.host.c_str(), cfg_.port));
  if (!conn) std::abort();  // allocation failure; nothing sensible to do
  evhttp_connection_set_retries(conn.get(), 0);
  opened_.inc();
  return conn;
}

EvHttpConnectionPtr UpstreamPool::lease() {
  EvHttpConnectionPtr conn;
  if (!idle_.empty()) {
    conn = std::move(idle_.back());
    idle_.pop_back();
    idle_gauge_.set(static_cast<int64_t>(idle_.size()));
  } else {
    conn = connect();
  }
  setConnectionTimeout(conn.get(), cfg_.response_timeout);
  return conn;
}

void UpstreamPool::giveBack(EvHttpConnectionPtr conn) {
  if (!conn) return;
  if (idle_.size() < cfg_.max_idle_connections) {
    idle_.push_back(std::move(conn));
    idle_gauge_.set(static_cast<int64_t>(idle_.size()));
    return;
  }
  discard(std::move(conn));
}

void UpstreamPool::discard(EvHttpConnectionPtr conn) {
  if (!conn) return;
  // Freed on the next turn: the caller may be inside a callback of a request
  // that ran on this very connection.
  // Owned by the task, so a queue dropped at shutdown still frees it.
  std::shared_ptr<evhttp_connection> owned(conn.release(), &evhttp_connection_free);
  deferred_.post([owned]() mutable { owned.reset(); });
}

}  // namespace sidecar::proxy
