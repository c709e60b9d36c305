#pragma once
// RedisScripts: runs the store's Lua scripts (redis_lua.h) by SHA-1. The
// scripts are loaded once per connection by SCRIPT LOAD in the handshake
// (loadCommands() goes to RedisConnection::setSetupCommands), and then run
// with EVALSHA, so a call sends the script's name, never its text. If the
// server answers NOSCRIPT anyway (SCRIPT FLUSH, or a failover to a server
// that never saw our handshake), the same call is resent as EVAL, which
// also caches that script, and every script is loaded again.
//
// Owned by RedisSessionStore next to the connection it sends through.
// Callbacks follow RedisConnection::send (exactly once, on a later turn).
// A NOSCRIPT resend goes out after commands pipelined behind the first
// attempt; the store never relies on order between two unanswered calls
// except for appends, which have at most one batch in flight per log.

#include <array>
#include <string>
#include <vector>

#include "common/metrics.h"
#include "sessionstore/redis_connection.h"
#include "sessionstore/redis_lua.h"

namespace sidecar::sessionstore {

class RedisScripts {
 public:
  RedisScripts(RedisConnection& connection, MetricsRegistry& metrics);
  RedisScripts(const RedisScripts&) = delete;
  RedisScripts& operator=(const RedisScripts&) = delete;

  std::vector<RedisArgv> loadCommands() const;

  // EVALSHA <sha> <#keys> keys... args...
  void run(ScriptId id, std::vector<std::string> keys, std::vector<std::string> args,
           ReplyCallback done);

  const std::string& sha(ScriptId id) const { return shas_[static_cast<size_t>(id)]; }

 private:
  RedisConnection& connection_;
  std::array<std::string, kScriptCount> shas_;
  Counter& noscript_total_;
};

}  // namespace sidecar::sessionstore
