#include "sessionstore/session_cache.h"

namespace sidecar::sessionstore {

SessionCache::SessionCache(const config::CacheConfig& config, const Clock& clock)
    : config_(config), clock_(clock) {}

void SessionCache::put(const SessionRecord& record) {
  if (!config_.enabled || config_.max_entries == 0) return;
  const int64_t now = clock_.monotonicMs();
  if (auto it = index_.find(record.id); it != index_.end()) {
    it->second->record = record;
    it->second->confirmed_mono_ms = now;
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.push_front(Entry{record, now});
  index_.emplace(record.id, lru_.begin());
  while (index_.size() > config_.max_entries) {
    index_.erase(lru_.back().record.id);
    lru_.pop_back();
  }
}

void SessionCache::erase(const std::string& id) {
  auto it = index_.find(id);
  if (it == index_.end()) return;
  lru_.erase(it->second);
  index_.erase(it);
}

std::optional<SessionRecord> SessionCache::get(const std::string& id) {
  auto it = index_.find(id);
  if (it == index_.end()) return std::nullopt;
  if (clock_.monotonicMs() - it->second->confirmed_mono_ms >= config_.ttl.count()) {
    lru_.erase(it->second);
    index_.erase(it);
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->record;
}

}  // namespace sidecar::sessionstore
