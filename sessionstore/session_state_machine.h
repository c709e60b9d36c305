#pragma once
// The session state machine as a pure function, shared by every store so
// that memory and Redis (whose Lua script mirrors this table) agree.
//
//   INITIALIZING --InitializeResult--> INITIALIZED --initialized--> ACTIVE
//        |                                  |                         |
//        +------------------- DELETE -------+-------------------------+--> CLOSED
//
// Idle expiry is not a transition: it deletes the record, whatever its state.

#include "sessionstore/session.h"

namespace sidecar::sessionstore {

constexpr bool isLegalTransition(SessionState from, SessionState to) noexcept {
  switch (from) {
    case SessionState::kInitializing:
      return to == SessionState::kInitialized || to == SessionState::kClosed;
    case SessionState::kInitialized:
      return to == SessionState::kActive || to == SessionState::kClosed;
    case SessionState::kActive:
      return to == SessionState::kClosed;
    case SessionState::kClosed:
      return false;
  }
  return false;
}

}  // namespace sidecar::sessionstore
