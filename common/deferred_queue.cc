#include "common/deferred_queue.h"

#include <cstdlib>

namespace sidecar {

DeferredQueue::DeferredQueue(event_base& base)
    : event_(event_new(&base, -1, 0, &DeferredQueue::onActivated, this)) {
  if (!event_) std::abort();  // out of memory at start-up: nothing sensible to do
}

void DeferredQueue::post(std::function<void()> task) {
  const bool was_empty = pending_.empty();
  pending_.push_back(std::move(task));
  if (was_empty) arm();
}

void DeferredQueue::arm() {
  // A zero timeout (not event_active) so the tasks run on the next loop
  // iteration, after I/O has been polled: a task that re-posts itself can
  // never starve the sockets.
  static const timeval kNow{0, 0};
  event_add(event_.get(), &kNow);
}

void DeferredQueue::onActivated(evutil_socket_t, short, void* arg) noexcept {
  static_cast<DeferredQueue*>(arg)->runPending();
}

void DeferredQueue::runPending() {
  // Tasks posted while running go to the next turn, so a task that re-posts
  // itself cannot starve the loop.
  std::vector<std::function<void()>> batch;
  batch.swap(pending_);
  for (auto& task : batch) task();
  if (!pending_.empty()) arm();
}

}  // namespace sidecar
