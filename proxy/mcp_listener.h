#pragma once
// McpListener: the client-facing HTTP server. Accepts connections on
// `listen`, runs the parse stage for each request, answers what fails it
// (through LocalReplier) and hands the rest to a ProxyExchange it owns until
// that exchange reports itself finished. Draining stops accepting and turns
// away requests that arrive on connections still open.

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "common/c_handles.h"
#include "common/deferred_queue.h"
#include "common/result.h"
#include "proxy/inbound_parser.h"
#include "proxy/proxy_exchange.h"
#include "proxy/stream_id_source.h"

namespace sidecar::proxy {

class McpListener {
 public:
  McpListener(event_base& base, DeferredQueue& deferred, const ExchangeDeps& deps,
              std::string fingerprint_key);
  McpListener(const McpListener&) = delete;
  McpListener& operator=(const McpListener&) = delete;
  ~McpListener();

  // Binds `listen`; the bound address is logged (port 0 picks one).
  Status bind();
  uint16_t boundPort() const noexcept { return bound_port_; }
  bool listening() const noexcept { return socket_ != nullptr; }

  void beginDrain();
  bool draining() const noexcept { return draining_; }
  size_t inFlight() const noexcept { return exchanges_.size(); }

 private:
  static void onRequestCb(evhttp_request* req, void* arg) noexcept;
  void onRequest(evhttp_request* req);
  void onExchangeFinished(ProxyExchange& exchange);

  event_base& base_;
  DeferredQueue& deferred_;
  ExchangeDeps deps_;
  InboundParser parser_;
  StreamIdSource stream_ids_;
  EvHttpPtr http_;
  evhttp_bound_socket* socket_ = nullptr;  // owned by http_
  uint16_t bound_port_ = 0;
  bool draining_ = false;
  uint64_t next_request_ = 0;
  std::unordered_map<ProxyExchange*, std::unique_ptr<ProxyExchange>> exchanges_;
};

// Binds an evhttp server to host:port and reports the port it got.
Result<uint16_t> bindHttp(evhttp& http, const config::HostPort& where,
                          evhttp_bound_socket** socket_out);

}  // namespace sidecar::proxy
