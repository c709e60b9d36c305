#include "sessionstore/session.h"

namespace sidecar::sessionstore {

const char* sessionStateName(SessionState state) noexcept {
  switch (state) {
    case SessionState::kInitializing: return "INITIALIZING";
    case SessionState::kInitialized: return "INITIALIZED";
    case SessionState::kActive: return "ACTIVE";
    case SessionState::kClosed: return "CLOSED";
  }
  return "UNKNOWN";
}

std::optional<SessionState> parseSessionState(std::string_view name) noexcept {
  if (name == "INITIALIZING") return SessionState::kInitializing;
  if (name == "INITIALIZED") return SessionState::kInitialized;
  if (name == "ACTIVE") return SessionState::kActive;
  if (name == "CLOSED") return SessionState::kClosed;
  return std::nullopt;
}

const char* directionName(Direction direction) noexcept {
  return direction == Direction::kClientToServer ? "client_to_server" : "server_to_client";
}

}  // namespace sidecar::sessionstore
