#pragma once
// MemoryPubSub: session watches and the bus for the in-memory store, whose
// only node is this process. wake(id) tells the session's watchers on a
// later loop turn, coalesced to one wake per session per turn; publish()
// loops every message back to the bus listeners live when it was published,
// each on a later turn, in publish order.
//
// Owned by MemorySessionStore, next to the DeferredQueue it posts to (the
// store's own, so wakes and answers keep call order). Cancelled
// registrations are never called and are forgotten lazily: on the session's
// next wake, the next watch or publish, or prune().

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/deferred_queue.h"
#include "common/subscription.h"
#include "common/listener_list.h"
#include "sessionstore/per_turn_set.h"

namespace sidecar::sessionstore {

class MemoryPubSub {
 public:
  explicit MemoryPubSub(DeferredQueue& queue)
      : queue_(queue), pending_wakes_(queue, [this](const std::string& id) { wakeNow(id); }) {}
  // Tasks on the queue capture `this`.
  MemoryPubSub(const MemoryPubSub&) = delete;
  MemoryPubSub& operator=(const MemoryPubSub&) = delete;

  Subscription watch(const std::string& id, std::function<void()> wake);
  // Events of `id` were appended.
  void wake(const std::string& id);

  Subscription subscribe(std::function<void(std::string_view)> on_message);
  void publish(std::string message);

  // Forgets cancelled registrations and sessions nobody watches any more.
  void prune();
  size_t watchedSessions() const noexcept { return watchers_.size(); }

 private:
  void wakeNow(const std::string& id);

  DeferredQueue& queue_;
  std::unordered_map<std::string, ListenerList<>> watchers_;
  PerTurnSet pending_wakes_;
  ListenerList<std::string_view> bus_;
};

}  // namespace sidecar::sessionstore
