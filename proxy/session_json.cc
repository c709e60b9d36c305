#include "proxy/session_json.h"

#include <fmt/format.h>

#include "common/logger.h"

namespace sidecar::proxy {
namespace {

void appendString(std::string& out, std::string_view key, std::string_view value) {
  out += '"';
  out.append(key);
  out += "\":\"";
  appendJsonEscaped(out, value);
  out += '"';
}

void appendRaw(std::string& out, std::string_view key, std::string_view raw_json) {
  out += '"';
  out.append(key);
  out += "\":";
  out.append(raw_json.empty() ? std::string_view("null") : raw_json);
}

}  // namespace

std::string sessionToJson(const sessionstore::SessionRecord& r) {
  std::string out = "{";
  appendString(out, "id", r.id);
  out += ',';
  appendString(out, "state", sessionstore::sessionStateName(r.state));
  out += ',';
  appendString(out, "protocol_version", r.protocol_version);
  out += ',';
  appendRaw(out, "client_params", r.client_params);
  out += ',';
  appendRaw(out, "server_result", r.server_result);
  out += ',';
  appendString(out, "credential_fingerprint", r.credential_fingerprint);
  out += fmt::format(",\"created_unix_ms\":{},\"last_seen_unix_ms\":{},\"event_count\":{}}}",
                     r.created_unix_ms, r.last_seen_unix_ms, r.event_count);
  return out;
}

std::string sessionListToJson(const std::vector<sessionstore::SessionRecord>& records) {
  std::string out = "{\"sessions\":[";
  for (size_t i = 0; i < records.size(); ++i) {
    if (i) out += ',';
    out += sessionToJson(records[i]);
  }
  out += "]}";
  return out;
}

std::string eventToJson(const sessionstore::EventRecord& e) {
  std::string out = fmt::format("{{\"seq\":{},", e.seq);
  appendString(out, "direction", sessionstore::directionName(e.direction));
  out += ',';
  appendString(out, "stream_id", e.stream_id);
  out += fmt::format(",\"stream_seq\":{},", e.stream_seq);
  appendString(out, "upstream_event_id", e.upstream_event_id);
  out += fmt::format(",\"unix_ms\":{},\"synthetic\":{},", e.unix_ms, e.synthetic ? "true" : "false");
  appendRaw(out, "message", e.message);
  out += '}';
  return out;
}

std::string eventPageToJson(const sessionstore::EventPage& page) {
  std::string out = "{\"events\":[";
  for (size_t i = 0; i < page.events.size(); ++i) {
    if (i) out += ',';
    out += eventToJson(page.events[i]);
  }
  out += fmt::format("],\"next_after\":{}}}", page.next_after_seq);
  return out;
}

}  // namespace sidecar::proxy
