#include "sessionstore/memory_pubsub.h"

#include <iterator>
#include <utility>

namespace sidecar::sessionstore {

Subscription MemoryPubSub::watch(const std::string& id, std::function<void()> wake) {
  ListenerList<>& watchers = watchers_[id];
  watchers.prune();
  return watchers.add(std::move(wake));
}

void MemoryPubSub::wake(const std::string& id) {
  if (watchers_.contains(id)) pending_wakes_.add(id);
}

void MemoryPubSub::wakeNow(const std::string& id) {
  auto it = watchers_.find(id);
  if (it == watchers_.end()) return;
  auto snapshot = it->second.snapshot();
  // Before notifying: a handler may watch again, and must find the entry.
  if (snapshot.empty()) watchers_.erase(it);
  snapshot.notify();
}

Subscription MemoryPubSub::subscribe(std::function<void(std::string_view)> on_message) {
  bus_.prune();
  return bus_.add(std::move(on_message));
}

void MemoryPubSub::publish(std::string message) {
  // The listeners subscribed now, not at delivery: pub/sub semantics.
  auto snapshot = bus_.snapshot();
  if (snapshot.empty()) return;
  queue_.post([snapshot = std::move(snapshot), message = std::move(message)] {
    snapshot.notify(message);
  });
}

void MemoryPubSub::prune() {
  for (auto it = watchers_.begin(); it != watchers_.end();) {
    it = it->second.prune() == 0 ? watchers_.erase(it) : std::next(it);
  }
  bus_.prune();
}

}  // namespace sidecar::sessionstore
