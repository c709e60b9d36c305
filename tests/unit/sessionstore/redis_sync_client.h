#pragma once
// RedisSyncClient: a blocking hiredis client for test set-up and
// inspection only (PING, SCRIPT FLUSH, TTLs, MEMORY USAGE). Never used on an
// event loop. Owns its redisContext.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <hiredis/hiredis.h>

#include "sessionstore/redis_reply.h"

namespace sidecar::sessionstore::test {

class RedisSyncClient {
 public:
  explicit RedisSyncClient(uint16_t port, int timeout_ms = 200) {
    const timeval tv{0, timeout_ms * 1000};
    context_.reset(redisConnectWithTimeout("127.0.0.1", port, tv));
    if (ok()) redisSetTimeout(context_.get(), timeval{1, 0});
  }

  bool ok() const noexcept { return context_ && context_->err == 0; }

  // The whole reply; a kNil reply when the connection failed.
  RedisReply reply(const std::vector<std::string>& args) {
    if (!ok()) return {};
    std::vector<const char*> ptrs;
    std::vector<size_t> lens;
    for (const auto& a : args) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* raw = static_cast<redisReply*>(
        redisCommandArgv(context_.get(), static_cast<int>(args.size()), ptrs.data(), lens.data()));
    if (raw == nullptr) return {};
    RedisReply out = RedisReply::copyOf(*raw);
    freeReplyObject(raw);
    return out;
  }
  // A scalar reply as text (integers in decimal); "" otherwise.
  std::string command(const std::vector<std::string>& args) {
    RedisReply r = reply(args);
    if (r.type == RedisReply::Type::kInteger) return std::to_string(r.integer);
    return r.str;
  }

 private:
  struct Free {
    void operator()(redisContext* c) const noexcept { redisFree(c); }
  };
  std::unique_ptr<redisContext, Free> context_;
};

}  // namespace sidecar::sessionstore::test
