#pragma once
// ListenerList: the standing registrations behind a Subscription (a watch
// on a session, a bus listener). The list keeps each listener's shared
// CancelState and handler; the Subscription returned to the registrant holds
// the same CancelState. A cancelled listener is never called, and is
// forgotten lazily by prune(). Owned by whoever hands out the Subscriptions
// (the stores' watches and bus, the proxy's ClusterBus); no event loop, no
// callbacks of its own.
//
// Delivery goes through a Snapshot (the listeners live when it was taken),
// so handlers may add or cancel registrations, this list's included, while
// a notification runs: new ones wait for the next notification, cancelled
// ones are skipped at the moment they would be called.

#include <cstddef>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "common/subscription.h"

namespace sidecar {

template <class... Args>
class ListenerList {
 public:
  using Handler = std::function<void(Args...)>;

 private:
  struct Listener {
    std::shared_ptr<CancelState> state;
    Handler handler;
  };
  using Listeners = std::vector<std::shared_ptr<const Listener>>;

 public:
  class Snapshot {
   public:
    Snapshot() = default;
    explicit Snapshot(Listeners listeners) : listeners_(std::move(listeners)) {}
    // Calls, in registration order, every listener still live at its turn.
    void notify(Args... args) const {
      for (const auto& listener : listeners_) {
        if (!listener->state->cancelled) listener->handler(args...);
      }
    }
    bool empty() const noexcept { return listeners_.empty(); }

   private:
    Listeners listeners_;
  };

  Subscription add(Handler handler) {
    auto state = std::make_shared<CancelState>();
    listeners_.push_back(std::make_shared<const Listener>(Listener{state, std::move(handler)}));
    return Subscription(std::move(state));
  }

  // The live listeners, with the cancelled ones forgotten first.
  Snapshot snapshot() {
    prune();
    return Snapshot(listeners_);
  }

  // Forgets cancelled listeners; answers how many live ones remain.
  size_t prune() {
    std::erase_if(listeners_, [](const auto& listener) { return listener->state->cancelled; });
    return listeners_.size();
  }

  // Registrations held, cancelled ones not yet pruned included.
  size_t size() const noexcept { return listeners_.size(); }

 private:
  Listeners listeners_;
};

}  // namespace sidecar
