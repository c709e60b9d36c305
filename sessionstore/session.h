#pragma once
// The session model: what the sidecar records about one MCP session and
// about each JSON-RPC message that travelled in it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sidecar::sessionstore {

// INITIALIZING: the upstream minted a session id for an initialize request.
// INITIALIZED:  the InitializeResult was delivered to the client.
// ACTIVE:       the client's notifications/initialized was accepted.
// CLOSED:       DELETE was answered 2xx (or the session was otherwise ended);
//               the record stays visible until its TTL.
enum class SessionState { kInitializing, kInitialized, kActive, kClosed };

const char* sessionStateName(SessionState state) noexcept;
std::optional<SessionState> parseSessionState(std::string_view name) noexcept;

struct SessionRecord {
  std::string id;  // the session id the client sees
  SessionState state = SessionState::kInitializing;
  std::string protocol_version;        // negotiated (from the InitializeResult)
  std::string client_params;           // raw JSON of the client's initialize params
  std::string server_result;           // raw JSON of the server's InitializeResult
  std::string credential_fingerprint;  // hex HMAC-SHA256 of Authorization; "" when absent
  int64_t created_unix_ms = 0;
  int64_t last_seen_unix_ms = 0;
  uint64_t event_count = 0;  // filled in by the store on reads
};

enum class Direction { kClientToServer, kServerToClient };
const char* directionName(Direction direction) noexcept;

// One JSON-RPC message as it travelled. `seq` is assigned by the store:
// 1, 2, 3, ... in append order within a session (or within the sessionless log).
struct EventRecord {
  uint64_t seq = 0;
  Direction direction = Direction::kClientToServer;
  std::string stream_id;       // the HTTP exchange (POST, GET or DELETE) it travelled on
  uint64_t stream_seq = 0;     // 1-based position within that stream
  std::string upstream_event_id;  // the upstream's SSE `id:`, if any
  int64_t unix_ms = 0;
  std::string message;         // raw JSON text of the message
  bool synthetic = false;      // produced by the sidecar (rehydration), never seen by the client
};

}  // namespace sidecar::sessionstore
