#include "proxy/event_id.h"

#include <charconv>

#include <fmt/format.h>

namespace sidecar::proxy {
namespace {

constexpr size_t kMaxStreamIdBytes = 128;

bool isStreamIdChar(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
         c == '_' || c == ':';
}

}  // namespace

std::string formatEventId(StreamKind kind, std::string_view stream_id, uint64_t position) {
  return fmt::format("{}.{}.{}", kind == StreamKind::kRequest ? 'p' : 'g', stream_id, position);
}

std::optional<EventId> parseEventId(std::string_view text) {
  if (text.size() < 5 || text[1] != '.') return std::nullopt;
  EventId id;
  if (text[0] == 'p') {
    id.kind = StreamKind::kRequest;
  } else if (text[0] == 'g') {
    id.kind = StreamKind::kStandalone;
  } else {
    return std::nullopt;
  }
  const size_t last_dot = text.rfind('.');
  if (last_dot <= 2) return std::nullopt;
  const std::string_view stream = text.substr(2, last_dot - 2);
  const std::string_view position = text.substr(last_dot + 1);
  if (stream.empty() || stream.size() > kMaxStreamIdBytes || position.empty()) return std::nullopt;
  for (const char c : stream) {
    if (!isStreamIdChar(c)) return std::nullopt;
  }
  const auto [end, ec] = std::from_chars(position.data(), position.data() + position.size(), id.position);
  if (ec != std::errc{} || end != position.data() + position.size()) return std::nullopt;
  id.stream_id = std::string(stream);
  return id;
}

bool isListenStream(std::string_view stream_id) noexcept {
  return stream_id.starts_with(kListenStreamPrefix);
}

bool supportsPriming(std::string_view protocol_version) noexcept {
  // Revisions are ISO dates, so they order as strings.
  return protocol_version.size() == 10 && protocol_version >= "2025-11-25";
}

}  // namespace sidecar::proxy
