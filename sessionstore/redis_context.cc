#include "sessionstore/redis_context.h"

#include <cstdlib>

#include <hiredis/async.h>

namespace sidecar::sessionstore {
namespace {

// hiredis' own libevent adapter (adapters/libevent.h) with one change: the
// read event is persistent. The adapter's is not, so libevent drops it from
// epoll before every reply's callback and hiredis adds it back inside it —
// an epoll_ctl per reply even with the epoll changelist (libevent re-arms
// a delete-then-add, because the fd may have been reused). Persistent, it
// stays registered, and hiredis' addRead on it is a no-op.
struct LoopEvents {
  redisAsyncContext* ac;
  event* read;
  event* write;
};

void onReadable(evutil_socket_t, short, void* arg) noexcept {
  redisAsyncHandleRead(static_cast<LoopEvents*>(arg)->ac);
}
void onWritable(evutil_socket_t, short, void* arg) noexcept {
  redisAsyncHandleWrite(static_cast<LoopEvents*>(arg)->ac);
}
void addRead(void* events) { event_add(static_cast<LoopEvents*>(events)->read, nullptr); }
void delRead(void* events) { event_del(static_cast<LoopEvents*>(events)->read); }
void addWrite(void* events) { event_add(static_cast<LoopEvents*>(events)->write, nullptr); }
void delWrite(void* events) { event_del(static_cast<LoopEvents*>(events)->write); }
void cleanup(void* events) {
  auto* e = static_cast<LoopEvents*>(events);
  event_free(e->read);
  event_free(e->write);
  delete e;
}

void attachToLoop(redisAsyncContext* ac, event_base& base) {
  // Owned by the context from here on: hiredis calls cleanup() when it frees it.
  auto* e = new LoopEvents{ac, nullptr, nullptr};
  e->read = event_new(&base, ac->c.fd, EV_READ | EV_PERSIST, &onReadable, e);
  e->write = event_new(&base, ac->c.fd, EV_WRITE, &onWritable, e);
  if (e->read == nullptr || e->write == nullptr) std::abort();  // out of memory
  ac->ev.addRead = &addRead;
  ac->ev.delRead = &delRead;
  ac->ev.addWrite = &addWrite;
  ac->ev.delWrite = &delWrite;
  ac->ev.cleanup = &cleanup;
  ac->ev.data = e;
  // As the adapter does: read for replies, write to learn that the connect completed.
  event_add(e->read, nullptr);
  event_add(e->write, nullptr);
}

}  // namespace

RedisContext::RedisContext(event_base& base, std::function<void(std::string_view reason)> on_lost)
    : base_(base),
      on_lost_(std::move(on_lost)),
      flush_event_(event_new(&base, -1, 0, &RedisContext::onFlush, this)) {
  if (!flush_event_) std::abort();  // out of memory at start-up: nothing sensible to do
}

void RedisContext::Free::operator()(redisAsyncContext* ac) const noexcept { redisAsyncFree(ac); }

bool RedisContext::open(const std::string& host, uint16_t port, std::string& reason) {
  close();
  redisAsyncContext* raw = redisAsyncConnect(host.c_str(), port);
  if (raw == nullptr) {
    reason = "out_of_memory";
    return false;
  }
  std::unique_ptr<redisAsyncContext, Free> context(raw);
  if (raw->err != 0) {
    // Refused at once (loopback often is). No callbacks are registered yet,
    // so freeing it here calls nothing.
    reason = raw->errstr;
    return false;
  }
  raw->data = this;
  attachToLoop(raw, base_);
  redisAsyncSetConnectCallback(raw, &RedisContext::onConnectCb);
  redisAsyncSetDisconnectCallback(raw, &RedisContext::onDisconnectCb);
  ac_ = std::move(context);
  return true;
}

void RedisContext::close() noexcept {
  // reset() clears ac_ before freeing, so the disconnect callback that
  // freeing may run sees the context is no longer ours and stays quiet.
  ac_.reset();
}

bool RedisContext::command(const RedisArgv& argv, RedisReplyFn* fn, void* privdata) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  ptrs.reserve(argv.size());
  lens.reserve(argv.size());
  for (const auto& arg : argv) {
    ptrs.push_back(arg.data());
    lens.push_back(arg.size());
  }
  if (redisAsyncCommandArgv(ac_.get(), fn, privdata, static_cast<int>(argv.size()), ptrs.data(),
                            lens.data()) != REDIS_OK) {
    return false;
  }
  if (!flush_pending_) {
    flush_pending_ = true;
    event_active(flush_event_.get(), EV_WRITE, 1);
  }
  return true;
}

void RedisContext::onFlush(evutil_socket_t, short, void* arg) noexcept {
  static_cast<RedisContext*>(arg)->flush();
}

void RedisContext::flush() {
  flush_pending_ = false;
  // Until connected, hiredis' write event completes the connect; while
  // closing, nothing more is written.
  constexpr int kNotWritable = REDIS_DISCONNECTING | REDIS_FREEING;
  if (!ac_ || (ac_->c.flags & REDIS_CONNECTED) == 0 || (ac_->c.flags & kNotWritable) != 0) return;
  // On a write error hiredis disconnects, which reports through onEnded as
  // when its own write event fails.
  redisAsyncHandleWrite(ac_.get());
}

void RedisContext::onConnectCb(const redisAsyncContext* ac, int status) noexcept {
  // Success is the owner's business (it waits for its handshake's replies).
  if (status != REDIS_OK) static_cast<RedisContext*>(ac->data)->onEnded(ac, "connect_failed");
}

void RedisContext::onDisconnectCb(const redisAsyncContext* ac, int) noexcept {
  static_cast<RedisContext*>(ac->data)->onEnded(ac, "closed");
}

void RedisContext::onEnded(const redisAsyncContext* ac, const char* fallback) {
  // Our own close() cleared ac_ before freeing: nothing to report.
  if (ac_.get() != ac) return;
  (void)ac_.release();  // hiredis frees it when this callback returns
  // ac->errstr is filled in only after a connect callback; the inner context has it now.
  on_lost_(ac->c.err != 0 ? ac->c.errstr : fallback);
}

}  // namespace sidecar::sessionstore
