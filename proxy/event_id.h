#pragma once
// Event ids: the `id:` of every SSE event the sidecar sends on a session's
// stream is its own, never the upstream's, so that any node can answer a
// Last-Event-ID from the shared log. An id names the stream it belongs to
// and a position in it (2025-11-25: ids unique across the session's streams
// and encoding the stream):
//
//   p.<stream id>.<stream seq>   a request's stream (POST, or its resumption):
//                                the position is the event's 1-based place in
//                                that stream's log records (0: priming)
//   g.<stream id>.<session seq>  the session's standalone (GET) stream: the
//                                position is the session log's seq
//
// Stream ids are minted by StreamIdSource (hex, '-' and digits), unique per
// deployment, so an id can never name a stream of another session that
// happens to share a number. Pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sidecar::proxy {

enum class StreamKind { kRequest, kStandalone };

struct EventId {
  StreamKind kind = StreamKind::kRequest;
  std::string stream_id;
  uint64_t position = 0;

  friend bool operator==(const EventId&, const EventId&) = default;
};

std::string formatEventId(StreamKind kind, std::string_view stream_id, uint64_t position);
// nullopt for anything formatEventId cannot have produced.
std::optional<EventId> parseEventId(std::string_view text);

// Stream ids of the upstream GET streams a node opens for itself: what they
// carry belongs on the session's standalone stream.
inline constexpr std::string_view kListenStreamPrefix = "listen-";
bool isListenStream(std::string_view stream_id) noexcept;

// Priming events (empty data) and `retry:` go only to sessions that
// negotiated 2025-11-25 or later: older clients cannot handle empty data.
bool supportsPriming(std::string_view protocol_version) noexcept;

}  // namespace sidecar::proxy
