#pragma once
// SessionCache: session records this node has recently seen confirmed by
// Redis, bounded (LRU, store.cache.max_entries) and aged (store.cache.ttl:
// how long a record may stand in for Redis without Redis confirming it
// again). RedisSessionStore refreshes it on every successful read or write
// of a record, and uses it in two ways:
//   - get(): the fallback while Redis cannot answer;
//   - vouched(): instead of Redis, for admitting requests, but only for a
//     record one of this node's own writes proved live and refreshed
//     (vouch()) while the store's closed-session feed was up (the epoch),
//     so a session closed anywhere since is known here (closed()).
// Plain value: no loop, no callbacks.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "common/clock.h"
#include "config/config.h"
#include "sessionstore/session.h"

namespace sidecar::sessionstore {

class SessionCache {
 public:
  SessionCache(const config::CacheConfig& config, const Clock& clock);

  // Keeps an existing entry's vouch: vouched() checks the state anyway.
  void put(const SessionRecord& record);
  void erase(const std::string& id);
  // A write of this node proved the session live with its TTL refreshed,
  // sent while the closed-session feed was up in `epoch` (nonzero). Ignored
  // for sessions not cached, or closed since.
  void vouch(const std::string& id, uint64_t epoch);
  // A change of the record is in flight: not vouched until it is answered.
  void unvouch(const std::string& id);
  // The session was closed, here or elsewhere: forgotten, and vouches for
  // it still in flight are refused from now on.
  void closed(const std::string& id);
  // The record if ACTIVE and vouched for in `epoch` (nonzero: the feed has
  // been up since) within `max_age`; marks it most recently used.
  std::optional<SessionRecord> vouched(const std::string& id, uint64_t epoch,
                                       std::chrono::milliseconds max_age);
  // The record if present and confirmed within the TTL (an older one is
  // evicted here); marks it most recently used.
  std::optional<SessionRecord> get(const std::string& id);
  size_t size() const noexcept { return index_.size(); }

 private:
  struct Entry {
    SessionRecord record;
    int64_t confirmed_mono_ms = 0;
    uint64_t vouched_epoch = 0;  // 0: not vouched
    int64_t vouched_mono_ms = 0;
  };
  using Lru = std::list<Entry>;  // most recently used first

  config::CacheConfig config_;
  const Clock& clock_;
  Lru lru_;
  std::unordered_map<std::string, Lru::iterator> index_;
  // Closed ids, oldest first; as many as the cache holds entries. Session ids
  // are never reused, so a closed id never needs to be forgotten early.
  std::deque<std::string> closed_order_;
  std::unordered_set<std::string> closed_;
};

}  // namespace sidecar::sessionstore
