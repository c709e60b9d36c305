#pragma once
// UpstreamSessionMap: which session of the LOCAL upstream serves each client
// session on this node. A session created through this node maps to itself;
// a rehydrated one maps to the id the local upstream minted for the replayed
// initialize. Bounded by count (least recently used goes first) and by idle
// time; what falls out is returned so the caller can release the upstream
// copy (DELETE), because upstream servers rarely prune sessions themselves.
// Pure data structure: no I/O, time passed in.

#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "proxy/header_forwarding.h"

namespace sidecar::proxy {

struct UpstreamSessionCopy {
  std::string client_session_id;
  std::string upstream_session_id;
  // What a request to this copy must carry besides its session id (the
  // client's credentials), so releasing it is not refused by an upstream
  // that authenticates every request.
  HeaderList credentials;
};

class UpstreamSessionMap {
 public:
  UpstreamSessionMap(size_t max_entries, int64_t idle_ttl_ms)
      : max_entries_(max_entries), idle_ttl_ms_(idle_ttl_ms) {}

  // The upstream id for a client session, refreshing its recency.
  std::optional<std::string> lookup(const std::string& client_id, int64_t now_ms);
  // Records a mapping; returns the copies pushed out by the count bound.
  std::vector<UpstreamSessionCopy> insert(const std::string& client_id, std::string upstream_id,
                                          int64_t now_ms, HeaderList credentials = {});
  // The copy for a client session, without refreshing its recency.
  const UpstreamSessionCopy* peek(const std::string& client_id) const;
  // Forgets a mapping (the upstream lost it, or the session closed).
  std::optional<UpstreamSessionCopy> erase(const std::string& client_id);
  // Removes and returns every copy idle for the TTL or longer.
  std::vector<UpstreamSessionCopy> expireIdle(int64_t now_ms);

  size_t size() const noexcept { return index_.size(); }

 private:
  struct Entry {
    UpstreamSessionCopy copy;
    int64_t last_used_ms;
  };
  using Lru = std::list<Entry>;  // most recently used at the front

  size_t max_entries_;
  int64_t idle_ttl_ms_;
  Lru lru_;
  std::unordered_map<std::string, Lru::iterator> index_;
};

}  // namespace sidecar::proxy
