#pragma once
// LoadConnection: one keep-alive HTTP/1.1 client connection of the load
// generator, one request at a time. It writes a request with plain
// non-blocking syscalls (no bufferevent: the generator shares two cores with
// the system under test and must stay cheap), reads the response through
// HttpResponseParser, and reports completion or failure to its Listener.
//
// Owned by the LoadGenerator. Its address is the argument of its libevent
// callbacks, so it is neither copyable nor movable. Listener callbacks fire
// from the event loop, never from inside send(); the listener may call
// send() again from them. A connection the server closes, or one that fails,
// is reopened by the next send().

#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "bench/http_response_parser.h"
#include "bench/unique_fd.h"
#include "common/c_handles.h"

namespace sidecar::bench {

class LoadConnection;

class ConnectionListener {
 public:
  virtual ~ConnectionListener() = default;
  virtual void onResponse(LoadConnection& conn, const HttpResponseParser& response) = 0;
  virtual void onFailure(LoadConnection& conn, const char* why) = 0;
};

class LoadConnection {
 public:
  LoadConnection(event_base& base, const sockaddr_in& target, ConnectionListener& listener,
                 uint32_t timeout_ms);
  LoadConnection(const LoadConnection&) = delete;
  LoadConnection& operator=(const LoadConnection&) = delete;
  ~LoadConnection();

  // Sends one request (complete bytes), opening the socket first if needed.
  // Every outcome, even a failed connect, is reported from the loop later.
  void send(std::string_view request);

  bool busy() const noexcept { return busy_; }
  uint64_t startedNs() const noexcept { return started_ns_; }
  uint64_t reconnects() const noexcept { return connects_ > 0 ? connects_ - 1 : 0; }

  // The tag lets the owner remember what this connection is doing.
  int tag = -1;

 private:
  bool open();
  void close() noexcept;
  void flush();
  void fail(const char* why);
  void onReadable();
  void onWritable();
  void onTimeout();
  void complete();

  static void onReadableCb(evutil_socket_t, short, void* arg) noexcept;
  static void onWritableCb(evutil_socket_t, short, void* arg) noexcept;
  static void onTimeoutCb(evutil_socket_t, short, void* arg) noexcept;
  static void onDeferredFailureCb(evutil_socket_t, short, void* arg) noexcept;

  event_base& base_;
  sockaddr_in target_;
  ConnectionListener& listener_;
  timeval timeout_;

  UniqueFd fd_;          // declared before the events: they are freed first
  EventPtr read_ev_;
  EventPtr write_ev_;
  EventPtr timer_;       // per-request deadline; reused
  EventPtr fail_ev_;     // defers failures reported from send() to the loop

  std::string out_;      // request bytes not yet written
  size_t out_pos_ = 0;
  std::string in_;       // response bytes not yet consumed by the parser
  HttpResponseParser parser_;
  bool busy_ = false;
  bool connecting_ = false;
  const char* pending_failure_ = nullptr;
  uint64_t started_ns_ = 0;
  uint64_t connects_ = 0;
};

uint64_t monotonicNs() noexcept;

}  // namespace sidecar::bench
