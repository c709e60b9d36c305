#pragma once
// JsonRpcParser: classifies a JSON-RPC 2.0 body (a POST body or one SSE event's data) into
// messages, keeping the exact raw text the proxy forwards, persists and echoes. Pure: no I/O.
// Owns one simdjson on-demand parser and one padded copy buffer, reused across calls; one
// instance per user (not thread-safe). Results own their strings and outlive the next parse().
//
// Every byte is validated: on-demand skips values nobody reads without checking them, so the
// parser walks the whole document (a body accepted here is valid JSON end to end).
//
// Errors (ErrorCode::kInvalidArgument):
//   "parse error: ..."     malformed JSON, trailing garbage, nesting deeper than max_depth
//                          -> the caller answers JSON-RPC -32700
//   "invalid request: ..." valid JSON but not JSON-RPC 2.0 -> -32600
// A syntax error anywhere wins over a semantic one found earlier.

#include <simdjson.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sidecar::proxy {

enum class MessageKind { kRequest, kNotification, kResultResponse, kErrorResponse };

const char* messageKindName(MessageKind kind) noexcept;

struct JsonRpcMessage {
  MessageKind kind = MessageKind::kRequest;
  std::string method;            // unescaped; requests and notifications only
  std::string id_raw;            // exact JSON token of "id" (7, 1.0, "a\"b", null); "" if absent
  std::string raw;               // exact JSON text of this message (a batch element's own text)
  size_t id_offset = std::string::npos;  // where id_raw starts within raw
  std::string params_raw;        // raw "params", kept only when method == "initialize"
  std::string protocol_version;  // initialize: params.protocolVersion;
                                 // result response: result.protocolVersion if present
};

struct ParsedBody {
  bool is_batch = false;
  std::vector<JsonRpcMessage> messages;  // never empty on success
};

class JsonRpcParser {
 public:
  // Nesting bound (objects + arrays). simdjson's on-demand API does not enforce its own depth
  // limit, and the validating walk recurses once per level, so this also bounds stack use.
  static constexpr size_t kDefaultMaxDepth = 1024;

  explicit JsonRpcParser(size_t max_depth = kDefaultMaxDepth);

  JsonRpcParser(const JsonRpcParser&) = delete;
  JsonRpcParser& operator=(const JsonRpcParser&) = delete;

  // Rules beyond the brief's list, each an "invalid request": a duplicated jsonrpc/method/id/
  // params/result/error member (peers may disagree on which copy wins), "params" that is not an
  // object or array, a response without "id", an "error" that is not an object, a batch element
  // that is not an object. An "id" of null is accepted (JSON-RPC allows it).
  Result<ParsedBody> parse(std::string_view body);

 private:
  Result<ParsedBody> parseOnce(std::string_view body);

  simdjson::ondemand::parser parser_;
  std::string buffer_;  // body copy plus SIMDJSON_PADDING bytes
  size_t max_depth_;
};

// The message's raw text with its id token replaced by `id_raw` (which must
// be a JSON token); the message itself if it has no id.
std::string withId(const JsonRpcMessage& message, std::string_view id_raw);

// {"jsonrpc":"2.0","id":<id_raw, or null when empty>,"error":{"code":<code>,"message":"..."}}
// `id_raw` must be a raw JSON token as produced by JsonRpcParser; `message` is escaped here.
std::string jsonRpcErrorBody(std::string_view id_raw, int code, std::string_view message);

}  // namespace sidecar::proxy
