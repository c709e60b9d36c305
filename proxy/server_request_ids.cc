#include "proxy/server_request_ids.h"

#include <charconv>

#include <fmt/format.h>

namespace sidecar::proxy {
namespace {

constexpr std::string_view kPrefix = "\"mcp-sidecar.";

}  // namespace

std::optional<RoutedId> parseRoutedId(std::string_view id_raw) {
  if (id_raw.size() <= kPrefix.size() + 3 || !id_raw.starts_with(kPrefix) ||
      id_raw.back() != '"') {
    return std::nullopt;
  }
  const std::string_view body = id_raw.substr(kPrefix.size(), id_raw.size() - kPrefix.size() - 1);
  const size_t dot = body.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= body.size()) return std::nullopt;
  RoutedId out;
  out.node = std::string(body.substr(0, dot));
  for (const char c : out.node) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!hex) return std::nullopt;
  }
  const std::string_view number = body.substr(dot + 1);
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), out.number);
  if (ec != std::errc{} || end != number.data() + number.size()) return std::nullopt;
  return out;
}

std::string routeServerRequests(ParsedBody& body, std::string_view payload,
                                const std::string& session_id, ServerRequestIds& ids) {
  bool changed = false;
  for (auto& message : body.messages) {
    if (message.kind != MessageKind::kRequest) continue;
    const std::string routed = ids.assign(session_id, message.id_raw);
    message.raw = withId(message, routed);
    message.id_raw = routed;
    changed = true;
  }
  if (!changed) return std::string(payload);
  if (!body.is_batch) return body.messages.front().raw;
  std::string out = "[";
  for (size_t i = 0; i < body.messages.size(); ++i) {
    if (i > 0) out += ',';
    out += body.messages[i].raw;
  }
  out += ']';
  return out;
}

std::string ServerRequestIds::assign(const std::string& session_id, std::string id_raw) {
  const uint64_t number = ++next_;
  if (entries_.size() >= capacity_ && !order_.empty()) {
    entries_.erase(order_.front());
    order_.pop_front();
  }
  order_.push_back(number);
  entries_.emplace(number, Entry{{session_id, std::move(id_raw)}, std::prev(order_.end())});
  return fmt::format("{}{}.{}\"", kPrefix, node_id_, number);
}

std::optional<OriginalRequest> ServerRequestIds::take(uint64_t number) {
  auto it = entries_.find(number);
  if (it == entries_.end()) return std::nullopt;
  OriginalRequest out = std::move(it->second.request);
  order_.erase(it->second.pos);
  entries_.erase(it);
  return out;
}

}  // namespace sidecar::proxy
