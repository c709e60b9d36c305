#include "proxy/upstream_session_map.h"

namespace sidecar::proxy {

std::optional<std::string> UpstreamSessionMap::lookup(const std::string& client_id, int64_t now_ms) {
  auto it = index_.find(client_id);
  if (it == index_.end()) return std::nullopt;
  it->second->last_used_ms = now_ms;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->copy.upstream_session_id;
}

std::vector<UpstreamSessionCopy> UpstreamSessionMap::insert(const std::string& client_id,
                                                            std::string upstream_id,
                                                            int64_t now_ms,
                                                            HeaderList credentials) {
  std::vector<UpstreamSessionCopy> evicted;
  if (auto it = index_.find(client_id); it != index_.end()) {
    if (it->second->copy.upstream_session_id != upstream_id) evicted.push_back(it->second->copy);
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.push_front(Entry{{client_id, std::move(upstream_id), std::move(credentials)}, now_ms});
  index_[client_id] = lru_.begin();
  while (index_.size() > max_entries_) {
    evicted.push_back(lru_.back().copy);
    index_.erase(lru_.back().copy.client_session_id);
    lru_.pop_back();
  }
  return evicted;
}

const UpstreamSessionCopy* UpstreamSessionMap::peek(const std::string& client_id) const {
  auto it = index_.find(client_id);
  return it == index_.end() ? nullptr : &it->second->copy;
}

std::optional<UpstreamSessionCopy> UpstreamSessionMap::erase(const std::string& client_id) {
  auto it = index_.find(client_id);
  if (it == index_.end()) return std::nullopt;
  UpstreamSessionCopy copy = std::move(it->second->copy);
  lru_.erase(it->second);
  index_.erase(it);
  return copy;
}

std::vector<UpstreamSessionCopy> UpstreamSessionMap::expireIdle(int64_t now_ms) {
  std::vector<UpstreamSessionCopy> expired;
  while (!lru_.empty() && now_ms - lru_.back().last_used_ms >= idle_ttl_ms_) {
    expired.push_back(lru_.back().copy);
    index_.erase(lru_.back().copy.client_session_id);
    lru_.pop_back();
  }
  return expired;
}

}  // namespace sidecar::proxy
