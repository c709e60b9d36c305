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

void SessionCache::vouch(const std::string& id, uint64_t epoch) {
  auto it = index_.find(id);
  if (it == index_.end() || epoch == 0 || closed_.contains(id)) return;
  it->second->vouched_epoch = epoch;
  it->second->vouched_mono_ms = clock_.monotonicMs();
  it->second->confirmed_mono_ms = it->second->vouched_mono_ms;
}

void SessionCache::unvouch(const std::string& id) {
  if (auto it = index_.find(id); it != index_.end()) it->second->vouched_epoch = 0;
}

void SessionCache::closed(const std::string& id) {
  erase(id);
  if (!config_.enabled || config_.max_entries == 0 || !closed_.insert(id).second) return;
  closed_order_.push_back(id);
  while (closed_order_.size() > config_.max_entries) {
    closed_.erase(closed_order_.front());
    closed_order_.pop_front();
  }
}

std::optional<SessionRecord> SessionCache::vouched(const std::string& id, uint64_t epoch,
                                                   std::chrono::milliseconds max_age) {
  auto it = index_.find(id);
  if (it == index_.end() || epoch == 0) return std::nullopt;
  const Entry& entry = *it->second;
  if (entry.vouched_epoch != epoch || entry.record.state != SessionState::kActive ||
      clock_.monotonicMs() - entry.vouched_mono_ms >= max_age.count()) {
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->record;
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
