#pragma once
// RedisContext: the single owner of one hiredis 0.14 async context on the
// event loop, shared by RedisConnection and RedisSubscriber. hiredis frees a
// context by itself after a failed connect and after a disconnect; this
// class gives up ownership at exactly those moments and frees it itself
// otherwise, so every context is freed exactly once.
//
// `on_lost(reason)` runs (inside a hiredis callback) when a connect fails or
// an open context is lost — never for close() or destruction. Owned by the
// connection object that issues the commands; neither copyable nor movable
// (its address is the context's data pointer).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <event2/event.h>

#include "common/c_handles.h"

struct redisAsyncContext;

namespace sidecar::sessionstore {

using RedisArgv = std::vector<std::string>;
// hiredis' reply callback: (context, redisReply* or NULL, privdata).
using RedisReplyFn = void(redisAsyncContext*, void*, void*);

class RedisContext {
 public:
  RedisContext(event_base& base, std::function<void(std::string_view reason)> on_lost);
  ~RedisContext() { close(); }
  RedisContext(const RedisContext&) = delete;
  RedisContext& operator=(const RedisContext&) = delete;

  // Starts connecting to a numeric address (never blocks on DNS). False,
  // with the reason, when refused at once; then on_lost is not called.
  bool open(const std::string& host, uint16_t port, std::string& reason);
  // Frees the context: every pending callback runs with a NULL reply now,
  // or right after the hiredis callback we are inside returns.
  void close() noexcept;
  bool isOpen() const noexcept { return ac_ != nullptr; }
  redisAsyncContext* get() const noexcept { return ac_.get(); }

  // Queues one command (binary-safe); false when the context is closing and
  // `fn` will not be called. Once connected, the commands queued during one
  // pass of the loop are written together at its end (see flush()).
  bool command(const RedisArgv& argv, RedisReplyFn* fn, void* privdata);

 private:
  struct Free {
    void operator()(redisAsyncContext* ac) const noexcept;
  };

  // hiredis' libevent adapter writes only when the socket reports writable:
  // per command an epoll_ctl to watch for it, a loop turn, and one to stop —
  // 4-5 system calls where one write() will do. So the commands of a pass
  // are written at its end (an event_active, run in the same pass after
  // the callbacks that queued them); the adapter's ADD and DEL of the write
  // event then cancel out in libevent's epoll changelist. A write that does
  // not finish leaves the write event armed, as hiredis always does.
  static void onFlush(evutil_socket_t, short, void* arg) noexcept;
  void flush();
  static void onConnectCb(const redisAsyncContext* ac, int status) noexcept;
  static void onDisconnectCb(const redisAsyncContext* ac, int status) noexcept;
  // hiredis frees `ac` once the current callback returns.
  void onEnded(const redisAsyncContext* ac, const char* fallback);

  event_base& base_;
  std::function<void(std::string_view)> on_lost_;
  EventPtr flush_event_;
  bool flush_pending_ = false;
  // Last: its disconnect callback may run while it is freed.
  std::unique_ptr<redisAsyncContext, Free> ac_;
};

}  // namespace sidecar::sessionstore
