#pragma once
// PerTurnSet: coalesces work per key and loop turn. add(key) during a turn
// schedules `each(key)` once for that key on a later turn, however often the
// key was added (wakes of one session, touches of one session). Keys added
// while the batch runs go to the next batch. Owned next to the DeferredQueue
// it posts to, which must outlive it; the queued flush captures `this`.

#include <functional>
#include <string>
#include <unordered_set>
#include <utility>

#include "common/deferred_queue.h"

namespace sidecar::sessionstore {

class PerTurnSet {
 public:
  PerTurnSet(DeferredQueue& queue, std::function<void(const std::string& key)> each)
      : queue_(queue), each_(std::move(each)) {}
  PerTurnSet(const PerTurnSet&) = delete;
  PerTurnSet& operator=(const PerTurnSet&) = delete;

  void add(const std::string& key) {
    if (keys_.empty()) queue_.post([this] { flush(); });
    keys_.insert(key);
  }

 private:
  void flush() {
    std::unordered_set<std::string> keys;
    keys.swap(keys_);
    for (const auto& key : keys) each_(key);
  }

  DeferredQueue& queue_;
  std::function<void(const std::string&)> each_;
  std::unordered_set<std::string> keys_;
};

}  // namespace sidecar::sessionstore
