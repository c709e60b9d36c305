#include "cmd/admin_json.h"

#include <utility>

#include <simdjson.h>

#include <fmt/format.h>

namespace sidecar::cmd {
namespace {

namespace od = simdjson::ondemand;
using sessionstore::Direction;
using sessionstore::EventPage;
using sessionstore::EventRecord;
using sessionstore::SessionRecord;
using simdjson::error_code;
using simdjson::SUCCESS;

Error malformed(std::string_view what, error_code code) {
  return makeError(ErrorCode::kInternal,
                   fmt::format("the admin API answered malformed JSON ({}: {})", what,
                               simdjson::error_message(code)));
}

error_code readString(od::value value, std::string& out) {
  std::string_view text;
  if (auto e = value.get_string().get(text)) return e;
  out.assign(text);
  return SUCCESS;
}

// The exact text of any JSON value (null -> ""), so that messages and
// initialize params reach the operator byte for byte as they were stored.
error_code readRaw(od::value value, std::string& out) {
  od::json_type type;
  if (auto e = value.type().get(type)) return e;
  std::string_view raw;
  if (type == od::json_type::object) {
    od::object object;
    if (auto e = value.get_object().get(object)) return e;
    if (auto e = object.raw_json().get(raw)) return e;
  } else if (type == od::json_type::array) {
    od::array array;
    if (auto e = value.get_array().get(array)) return e;
    if (auto e = array.raw_json().get(raw)) return e;
  } else if (type == od::json_type::null) {
    out.clear();
    return SUCCESS;
  } else {
    // A scalar's token may carry the whitespace that follows it.
    raw = value.raw_json_token();
    while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' ||
                            raw.back() == '\t')) {
      raw.remove_suffix(1);
    }
  }
  out.assign(raw);
  return SUCCESS;
}

error_code readState(od::value value, sessionstore::SessionState& out) {
  std::string_view name;
  if (auto e = value.get_string().get(name)) return e;
  auto state = sessionstore::parseSessionState(name);
  if (!state) return simdjson::INCORRECT_TYPE;
  out = *state;
  return SUCCESS;
}

error_code readDirection(od::value value, Direction& out) {
  std::string_view name;
  if (auto e = value.get_string().get(name)) return e;
  if (name == sessionstore::directionName(Direction::kClientToServer)) {
    out = Direction::kClientToServer;
  } else if (name == sessionstore::directionName(Direction::kServerToClient)) {
    out = Direction::kServerToClient;
  } else {
    return simdjson::INCORRECT_TYPE;
  }
  return SUCCESS;
}

// One pass over the fields in whatever order they come.
error_code readSession(od::object object, SessionRecord& r) {
  bool has_id = false;
  for (auto member : object) {
    od::field field;
    if (auto e = std::move(member).get(field)) return e;
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return e;
    od::value v = field.value();
    error_code e = SUCCESS;
    if (key == "id") {
      e = readString(v, r.id);
      has_id = true;
    } else if (key == "state") {
      e = readState(v, r.state);
    } else if (key == "protocol_version") {
      e = readString(v, r.protocol_version);
    } else if (key == "client_params") {
      e = readRaw(v, r.client_params);
    } else if (key == "server_result") {
      e = readRaw(v, r.server_result);
    } else if (key == "credential_fingerprint") {
      e = readString(v, r.credential_fingerprint);
    } else if (key == "created_unix_ms") {
      e = v.get_int64().get(r.created_unix_ms);
    } else if (key == "last_seen_unix_ms") {
      e = v.get_int64().get(r.last_seen_unix_ms);
    } else if (key == "event_count") {
      e = v.get_uint64().get(r.event_count);
    }
    if (e) return e;
  }
  return has_id ? SUCCESS : simdjson::NO_SUCH_FIELD;
}

error_code readEvent(od::object object, EventRecord& ev) {
  for (auto member : object) {
    od::field field;
    if (auto e = std::move(member).get(field)) return e;
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return e;
    od::value v = field.value();
    error_code e = SUCCESS;
    if (key == "seq") {
      e = v.get_uint64().get(ev.seq);
    } else if (key == "direction") {
      e = readDirection(v, ev.direction);
    } else if (key == "stream_id") {
      e = readString(v, ev.stream_id);
    } else if (key == "stream_seq") {
      e = v.get_uint64().get(ev.stream_seq);
    } else if (key == "upstream_event_id") {
      e = readString(v, ev.upstream_event_id);
    } else if (key == "unix_ms") {
      e = v.get_int64().get(ev.unix_ms);
    } else if (key == "synthetic") {
      e = v.get_bool().get(ev.synthetic);
    } else if (key == "message") {
      e = readRaw(v, ev.message);
    }
    if (e) return e;
  }
  return SUCCESS;
}

}  // namespace

Result<SessionRecord> parseSessionJson(std::string_view body) {
  od::parser parser;
  const simdjson::padded_string padded(body);
  od::document doc;
  if (auto e = parser.iterate(padded).get(doc)) return malformed("session", e);
  od::object object;
  if (auto e = doc.get_object().get(object)) return malformed("session", e);
  SessionRecord record;
  if (auto e = readSession(object, record)) return malformed("session", e);
  return record;
}

Result<std::vector<SessionRecord>> parseSessionListJson(std::string_view body) {
  od::parser parser;
  const simdjson::padded_string padded(body);
  od::document doc;
  if (auto e = parser.iterate(padded).get(doc)) return malformed("session list", e);
  od::array sessions;
  if (auto e = doc["sessions"].get_array().get(sessions)) return malformed("session list", e);
  std::vector<SessionRecord> records;
  for (auto element : sessions) {
    od::object object;
    if (auto e = element.get_object().get(object)) return malformed("session list", e);
    SessionRecord record;
    if (auto e = readSession(object, record)) return malformed("session list", e);
    records.push_back(std::move(record));
  }
  return records;
}

Result<EventPage> parseEventPageJson(std::string_view body) {
  od::parser parser;
  const simdjson::padded_string padded(body);
  od::document doc;
  if (auto e = parser.iterate(padded).get(doc)) return malformed("event page", e);
  od::object top;
  if (auto e = doc.get_object().get(top)) return malformed("event page", e);
  EventPage page;
  bool has_events = false;
  for (auto member : top) {
    od::field field;
    if (auto e = std::move(member).get(field)) return malformed("event page", e);
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return malformed("event page", e);
    if (key == "next_after") {
      if (auto e = field.value().get_uint64().get(page.next_after_seq)) {
        return malformed("event page", e);
      }
    } else if (key == "events") {
      od::array events;
      if (auto e = field.value().get_array().get(events)) return malformed("event page", e);
      for (auto element : events) {
        od::object object;
        if (auto e = element.get_object().get(object)) return malformed("event", e);
        EventRecord event;
        if (auto e = readEvent(object, event)) return malformed("event", e);
        page.events.push_back(std::move(event));
      }
      has_events = true;
    }
  }
  if (!has_events) return malformed("event page", simdjson::NO_SUCH_FIELD);
  return page;
}

std::string parseErrorJson(std::string_view body) {
  od::parser parser;
  const simdjson::padded_string padded(body);
  od::document doc;
  std::string_view message;
  if (parser.iterate(padded).get(doc) != SUCCESS) return {};
  if (doc["error"].get_string().get(message) != SUCCESS) return {};
  return std::string(message);
}

}  // namespace sidecar::cmd
