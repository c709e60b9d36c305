#include "sessionstore/redis_codec.h"

#include <charconv>
#include <utility>

#include "sessionstore/hex_digest.h"

namespace sidecar::sessionstore {
namespace {

template <class Int>
std::optional<Int> parseInt(std::string_view text) {
  Int value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Error malformed(std::string_view what) {
  std::string message = "malformed redis reply: ";
  message.append(what);
  return makeError(ErrorCode::kInternal, std::move(message));
}

bool isText(const RedisReply& r) {
  return r.type == RedisReply::Type::kString || r.type == RedisReply::Type::kStatus;
}

Result<EventRecord> decodeEntry(const RedisReply& entry) {
  if (!entry.isArray() || entry.elements.size() != 2 || !isText(entry.elements[0]) ||
      !entry.elements[1].isArray() || entry.elements[1].elements.size() % 2 != 0) {
    return malformed("stream entry");
  }
  EventRecord event;
  const auto seq = seqFromStreamId(entry.elements[0].str);
  if (!seq) return malformed("stream entry id");
  event.seq = *seq;
  const auto& fields = entry.elements[1].elements;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string_view name = fields[i].str;
    const std::string& value = fields[i + 1].str;
    if (name == "dir") {
      event.direction = value == "s" ? Direction::kServerToClient : Direction::kClientToServer;
    } else if (name == "stream") {
      event.stream_id = value;
    } else if (name == "sseq") {
      event.stream_seq = parseInt<uint64_t>(value).value_or(0);
    } else if (name == "ueid") {
      event.upstream_event_id = value;
    } else if (name == "ts") {
      event.unix_ms = parseInt<int64_t>(value).value_or(0);
    } else if (name == "msg") {
      event.message = value;
    } else if (name == "syn") {
      event.synthetic = value == "1";
    }  // unknown fields: written by a newer version, ignored
  }
  return event;
}

}  // namespace

std::string blobRef(std::string_view bytes) {
  return bytes.empty() ? std::string() : sha256Hex(bytes);
}

std::vector<std::string> encodeCreateArgs(const SessionRecord& record,
                                          std::string client_params_ref,
                                          std::string server_result_ref) {
  return {sessionStateName(record.state),
          record.protocol_version,
          record.client_params,
          std::move(client_params_ref),
          record.server_result,
          std::move(server_result_ref),
          record.credential_fingerprint,
          std::to_string(record.created_unix_ms)};
}

void encodeEventArgs(const EventRecord& event, std::vector<std::string>& args) {
  args.push_back(event.direction == Direction::kServerToClient ? "s" : "c");
  args.push_back(event.stream_id);
  args.push_back(std::to_string(event.stream_seq));
  args.push_back(event.upstream_event_id);
  args.push_back(std::to_string(event.unix_ms));
  args.push_back(event.message);
  args.push_back(event.synthetic ? "1" : "0");
}

Result<std::optional<SessionRecord>> decodeRecordReply(const RedisReply& reply,
                                                       std::string_view expected_id,
                                                       uint64_t* missing_blobs) {
  if (missing_blobs) *missing_blobs = 0;
  if (reply.isNil()) return std::optional<SessionRecord>();
  if (!reply.isArray() || reply.elements.size() < 2 || reply.elements.size() > 3 ||
      !reply.elements[0].isArray() || reply.elements[0].elements.size() % 2 != 0) {
    return malformed("session record");
  }
  const auto event_count = reply.elements[1].asInteger();
  if (!event_count || *event_count < 0) return malformed("event count");
  if (reply.elements.size() == 3) {
    const auto missing = reply.elements[2].asInteger();
    if (!missing || *missing < 0) return malformed("missing blob count");
    if (missing_blobs) *missing_blobs = static_cast<uint64_t>(*missing);
  }

  SessionRecord record;
  bool have_state = false;
  const auto& fields = reply.elements[0].elements;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string_view name = fields[i].str;
    const std::string& value = fields[i + 1].str;
    if (name == "id") {
      record.id = value;
    } else if (name == "state") {
      const auto state = parseSessionState(value);
      if (!state) return malformed("session state");
      record.state = *state;
      have_state = true;
    } else if (name == "protocol_version") {
      record.protocol_version = value;
    } else if (name == "client_params") {
      record.client_params = value;
    } else if (name == "server_result") {
      record.server_result = value;
    } else if (name == "fingerprint") {
      record.credential_fingerprint = value;
    } else if (name == "created_ms") {
      record.created_unix_ms = parseInt<int64_t>(value).value_or(0);
    } else if (name == "last_seen_ms") {
      record.last_seen_unix_ms = parseInt<int64_t>(value).value_or(0);
    }  // seq, w:<writer>: bookkeeping, not part of the record
  }
  // Another id behind the same hash tag (see redis_keys.h): not ours.
  if (record.id != expected_id) return std::optional<SessionRecord>();
  if (!have_state) return malformed("session without state");
  record.event_count = static_cast<uint64_t>(*event_count);
  return std::optional<SessionRecord>(std::move(record));
}

Result<EventPage> decodeEventPage(const RedisReply& reply, uint64_t after_seq) {
  EventPage page;
  page.next_after_seq = after_seq;
  if (reply.isNil()) return page;  // XRANGE ... COUNT 0 answers a null array
  if (!reply.isArray()) return malformed("event range");
  page.events.reserve(reply.elements.size());
  for (const auto& entry : reply.elements) {
    auto event = decodeEntry(entry);
    if (!event.ok()) return event.error();
    page.events.push_back(std::move(event).value());
  }
  if (!page.events.empty()) page.next_after_seq = page.events.back().seq;
  return page;
}

Result<std::optional<uint64_t>> decodeOptionalSeq(const RedisReply& reply) {
  if (reply.isNil()) return std::optional<uint64_t>();
  const auto seq = isText(reply) ? parseInt<uint64_t>(reply.str) : std::nullopt;
  if (!seq) return malformed("stream start");
  return std::optional<uint64_t>(*seq);
}

Result<std::optional<std::string>> decodeOptionalText(const RedisReply& reply) {
  if (reply.isNil()) return std::optional<std::string>();
  if (!isText(reply)) return malformed("string value");
  return std::optional<std::string>(reply.str);
}

Error errorFromReply(const RedisReply& reply) {
  const std::string_view code = reply.errorCode();
  if (code == "NOTFOUND") return makeError(ErrorCode::kNotFound, reply.str);
  if (code == "CONFLICT") return makeError(ErrorCode::kConflict, reply.str);
  std::string message = "redis: ";
  message.append(reply.str);
  return makeError(ErrorCode::kInternal, std::move(message));
}

std::optional<uint64_t> seqFromStreamId(std::string_view id) {
  const size_t dash = id.find('-');
  if (dash == std::string_view::npos || id.substr(dash + 1) != "0") return std::nullopt;
  return parseInt<uint64_t>(id.substr(0, dash));
}

}  // namespace sidecar::sessionstore
