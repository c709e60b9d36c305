#include "cmd/session_format.h"

#include <ctime>

#include <fmt/format.h>

#include "cmd/text_table.h"
#include "common/logger.h"
#include "proxy/session_json.h"

namespace sidecar::cmd {
namespace {

using sessionstore::Direction;
using sessionstore::EventRecord;
using sessionstore::SessionRecord;

// Fixed widths for the streamed event table: a seq of 6 digits, a full
// timestamp, the longer direction name and a stream id as StreamIdSource
// makes them (16 hex digits, '-', a counter).
const std::vector<size_t> kEventWidths = {6, 24, 14, 20, 10};

std::string orDash(const std::string& text) { return text.empty() ? "-" : cellText(text); }

const char* directionArrow(Direction direction) noexcept {
  return direction == Direction::kClientToServer ? "client->server" : "server->client";
}

}  // namespace

std::string formatUtcMs(int64_t unix_ms) {
  if (unix_ms == 0) return "-";
  // Floor division, so a (theoretical) pre-1970 time still prints sanely.
  int64_t seconds = unix_ms / 1000;
  int64_t millis = unix_ms % 1000;
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  const auto as_time = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (gmtime_r(&as_time, &tm) == nullptr) return fmt::format("{}ms", unix_ms);
  char date[32];
  if (std::strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
    return fmt::format("{}ms", unix_ms);
  }
  return fmt::format("{}.{:03}Z", date, millis);
}

std::string sessionTable(const std::vector<SessionRecord>& records) {
  std::vector<TableRow> rows;
  rows.reserve(records.size() + 1);
  rows.push_back({"ID", "STATE", "PROTOCOL", "CREATED", "LAST SEEN", "EVENTS"});
  for (const auto& r : records) {
    rows.push_back({cellText(r.id), sessionstore::sessionStateName(r.state),
                    orDash(r.protocol_version), formatUtcMs(r.created_unix_ms),
                    formatUtcMs(r.last_seen_unix_ms), std::to_string(r.event_count)});
  }
  return formatTable(rows);
}

std::string sessionDetail(const SessionRecord& r) {
  // Labels padded to one width; the raw JSON values are printed whole.
  std::string out;
  auto line = [&out](std::string_view label, std::string_view value) {
    out += fmt::format("{:<18}{}\n", fmt::format("{}:", label), value);
  };
  line("id", cellText(r.id));
  line("state", sessionstore::sessionStateName(r.state));
  line("protocol version", orDash(r.protocol_version));
  line("created", formatUtcMs(r.created_unix_ms));
  line("last seen", formatUtcMs(r.last_seen_unix_ms));
  line("events", std::to_string(r.event_count));
  line("credential", r.credential_fingerprint.empty() ? "none" : r.credential_fingerprint);
  line("client params", r.client_params.empty() ? "null" : r.client_params);
  line("server result", r.server_result.empty() ? "null" : r.server_result);
  return out;
}

std::string eventTableHeader() {
  return formatRow({"SEQ", "TIME", "DIRECTION", "STREAM", "STREAM SEQ", "MESSAGE"},
                   kEventWidths);
}

std::string eventTableRows(const std::vector<EventRecord>& events) {
  std::string out;
  for (const auto& e : events) {
    // A synthetic event was made by the sidecar (rehydration) and never
    // seen by the client: an auditor must be able to tell.
    std::string message = e.synthetic ? "[synthetic] " : "";
    message += e.message.empty() ? "null" : e.message;
    out += formatRow({std::to_string(e.seq), formatUtcMs(e.unix_ms), directionArrow(e.direction),
                      orDash(e.stream_id), std::to_string(e.stream_seq),
                      cellText(message, kMessageCellWidth)},
                     kEventWidths);
  }
  return out;
}

std::string eventJson(const EventRecord& e) { return proxy::eventToJson(e); }

std::string eventJsonLines(const std::vector<EventRecord>& events) {
  std::string out;
  for (const auto& e : events) {
    out += eventJson(e);
    out += '\n';
  }
  return out;
}

std::string sessionListJsonDocument(const std::vector<SessionRecord>& records) {
  std::string out = proxy::sessionListToJson(records);
  out += '\n';
  return out;
}

std::string sessionJsonDocument(const SessionRecord& record) {
  std::string out = proxy::sessionToJson(record);
  out += '\n';
  return out;
}

}  // namespace sidecar::cmd
