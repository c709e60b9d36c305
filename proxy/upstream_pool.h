#pragma once
// UpstreamPool: keep-alive connections to the one upstream MCP server.
// evhttp carries one request at a time per connection, so every in-flight
// request leases its own connection and gives it back when its response is
// complete. Idle connections beyond the bound are freed on a later loop turn
// (never inside a callback of the request that used them). Owned by main;
// outlives every exchange.

#include <event2/http.h>

#include <cstddef>
#include <vector>

#include "common/c_handles.h"
#include "common/deferred_queue.h"
#include "common/metrics.h"
#include "config/config.h"

namespace sidecar::proxy {

class UpstreamPool {
 public:
  UpstreamPool(event_base& base, DeferredQueue& deferred, const config::UpstreamConfig& cfg,
               MetricsRegistry& metrics);
  UpstreamPool(const UpstreamPool&) = delete;
  UpstreamPool& operator=(const UpstreamPool&) = delete;

  // A connection ready for one request, with the response timeout set.
  EvHttpConnectionPtr lease();
  // Returns a connection whose last request completed normally.
  void giveBack(EvHttpConnectionPtr conn);
  // Disposes of a connection whose request failed or was cancelled.
  void discard(EvHttpConnectionPtr conn);

  const config::UpstreamConfig& upstreamConfig() const noexcept { return cfg_; }
  size_t idleCount() const noexcept { return idle_.size(); }

 private:
  EvHttpConnectionPtr connect();

  event_base& base_;
  DeferredQueue& deferred_;
  const config::UpstreamConfig& cfg_;
  std::vector<EvHttpConnectionPtr> idle_;
  Gauge& idle_gauge_;
  Counter& opened_;
};

// Adds `Host: host:port` of the upstream unless the headers carry one:
// evhttp's client adds none, and HTTP/1.1 requires it.
void addDefaultHost(evkeyvalq& headers, const config::UpstreamConfig& cfg);

// evhttp_make_request, and when that opened a new socket (the connection had
// none: first use, or the last one was closed), TCP_NODELAY on it. evhttp
// creates the socket inside this call; an established one already has it.
int makeUpstreamRequest(evhttp_connection* conn, evhttp_request* req, evhttp_cmd_type method,
                        const char* uri);

// Sets an evhttp connection's read/write timeout from a millisecond value.
void setConnectionTimeout(evhttp_connection* conn, config::Millis timeout);

}  // namespace sidecar::proxy
