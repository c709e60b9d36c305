#pragma once
// AdminHttpClient: the CLI's HTTP client for the daemon's admin listener
// (GET and DELETE, bodies copied out). One keep-alive evhttp_connection to a
// numeric address, so nothing ever waits on DNS. Owned by AdminApiBackend on
// the CLI's event_base and destroyed before it.
//
// Each request is an Exchange owned here, in exchanges_, whose address is
// the evhttp callback argument; it is retired on the next loop turn, never
// inside its own callback. The completion runs on a loop turn after the
// call (connection failures included) unless its CallHandle is gone.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/c_handles.h"
#include "common/call_handle.h"
#include "common/deferred_queue.h"
#include "common/result.h"

namespace sidecar::cmd {

struct HttpReply {
  int status = 0;
  std::string body;
};

class AdminHttpClient {
 public:
  using Callback = std::function<void(Result<HttpReply>)>;

  // host: a numeric IPv4/IPv6 literal (IPv6 without brackets).
  AdminHttpClient(event_base& base, const std::string& host, uint16_t port,
                  std::chrono::seconds timeout);
  ~AdminHttpClient();
  AdminHttpClient(const AdminHttpClient&) = delete;
  AdminHttpClient& operator=(const AdminHttpClient&) = delete;

  // path: already percent-encoded, with its query. Any answered HTTP status
  // is a reply; only transport failures (refused, reset, timeout) are errors
  // (kUnavailable / kTimeout).
  CallHandle request(evhttp_cmd_type method, const std::string& path, Callback done);

  // "host:port" as an operator would type it, for messages.
  const std::string& address() const noexcept { return address_; }

 private:
  struct Exchange;
  static void onDoneCb(evhttp_request* req, void* arg) noexcept;
  static void onErrorCb(evhttp_request_error error, void* arg) noexcept;
  void complete(Exchange& exchange, evhttp_request* req);
  Error transportError(const Exchange& exchange) const;
  void finishLater(uint64_t id, Result<HttpReply> outcome);

  std::string address_;
  uint64_t next_id_ = 0;
  // Declared before conn_ so that they outlive it: freeing the connection
  // may still touch requests whose argument is an Exchange.
  DeferredQueue deferred_;
  std::map<uint64_t, std::unique_ptr<Exchange>> exchanges_;
  EvHttpConnectionPtr conn_;
};

}  // namespace sidecar::cmd
