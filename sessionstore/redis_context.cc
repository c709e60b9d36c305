#include "sessionstore/redis_context.h"

#include <cstdlib>

#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>

namespace sidecar::sessionstore {

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
  if (redisLibeventAttach(raw, &base_) != REDIS_OK) std::abort();  // only fails if attached twice
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
  return redisAsyncCommandArgv(ac_.get(), fn, privdata, static_cast<int>(argv.size()),
                               ptrs.data(), lens.data()) == REDIS_OK;
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
