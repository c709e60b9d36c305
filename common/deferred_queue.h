#pragma once
// DeferredQueue: runs closures on the next turn of the event loop. Gives
// asynchronous completions (a store never calls back from inside the call)
// and deferred destruction (an object is never freed inside its own
// callback). Owned by whoever owns the loop wiring; not copyable or movable
// because its address is the libevent callback argument.

#include <functional>
#include <vector>

#include "common/c_handles.h"

namespace sidecar {

class DeferredQueue {
 public:
  explicit DeferredQueue(event_base& base);
  DeferredQueue(const DeferredQueue&) = delete;
  DeferredQueue& operator=(const DeferredQueue&) = delete;

  void post(std::function<void()> task);
  size_t pendingCount() const noexcept { return pending_.size(); }

 private:
  static void onActivated(evutil_socket_t, short, void* arg) noexcept;
  void runPending();
  void arm();

  EventPtr event_;
  std::vector<std::function<void()>> pending_;
};

}  // namespace sidecar
