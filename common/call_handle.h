#pragma once
// CallHandle: returned by every asynchronous call. Destroying it (or calling
// cancel()) guarantees the completion callback will not run, so a requester
// that goes away never receives a call on a dangling pointer. The callee
// keeps only the shared CancelState, never a pointer to the requester.

#include <memory>
#include <utility>

namespace sidecar {

struct CancelState {
  bool cancelled = false;
};

class [[nodiscard]] CallHandle {
 public:
  CallHandle() = default;
  explicit CallHandle(std::shared_ptr<CancelState> state) : state_(std::move(state)) {}
  CallHandle(CallHandle&&) noexcept = default;
  CallHandle& operator=(CallHandle&& other) noexcept {
    if (this != &other) {
      cancel();
      state_ = std::move(other.state_);
    }
    return *this;
  }
  CallHandle(const CallHandle&) = delete;
  CallHandle& operator=(const CallHandle&) = delete;
  ~CallHandle() { cancel(); }

  void cancel() noexcept {
    if (state_) state_->cancelled = true;
    state_.reset();
  }
  bool active() const noexcept { return state_ && !state_->cancelled; }

 private:
  std::shared_ptr<CancelState> state_;
};

// Wraps a completion so that it runs only while its CallHandle lives.
template <class Fn>
auto guardCompletion(const std::shared_ptr<CancelState>& state, Fn fn) {
  return [state, fn = std::move(fn)](auto&&... args) mutable {
    if (!state->cancelled) fn(std::forward<decltype(args)>(args)...);
  };
}

}  // namespace sidecar
