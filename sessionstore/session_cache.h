#pragma once
// SessionCache: session records this node has recently seen confirmed by
// Redis, bounded (LRU, store.cache.max_entries) and aged (store.cache.ttl:
// how long a record may be trusted without Redis confirming it again).
// RedisSessionStore refreshes it on every successful read or write of a
// record and consults it only when Redis cannot answer — never instead of
// Redis, so a node never serves a session that was closed elsewhere while
// Redis could have told it so. Plain value: no loop, no callbacks.

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/clock.h"
#include "config/config.h"
#include "sessionstore/session.h"

namespace sidecar::sessionstore {

class SessionCache {
 public:
  SessionCache(const config::CacheConfig& config, const Clock& clock);

  void put(const SessionRecord& record);
  void erase(const std::string& id);
  // The record if present and confirmed within the TTL (an older one is
  // evicted here); marks it most recently used.
  std::optional<SessionRecord> get(const std::string& id);
  size_t size() const noexcept { return index_.size(); }

 private:
  struct Entry {
    SessionRecord record;
    int64_t confirmed_mono_ms = 0;
  };
  using Lru = std::list<Entry>;  // most recently used first

  config::CacheConfig config_;
  const Clock& clock_;
  Lru lru_;
  std::unordered_map<std::string, Lru::iterator> index_;
};

}  // namespace sidecar::sessionstore
