#include "proxy/inbound_parser.h"

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>

#include "proxy/credential_fingerprint.h"
#include "proxy/header_forwarding.h"
#include "proxy/origin_policy.h"
#include "proxy/session_id.h"

namespace sidecar::proxy {

std::variant<InboundRequest, LocalError> InboundParser::parse(evhttp_request* req,
                                                              std::string ctx) {
  const evhttp_uri* uri = evhttp_request_get_evhttp_uri(req);
  const char* path = uri ? evhttp_uri_get_path(uri) : nullptr;
  if (path == nullptr || cfg_.mcp_path != path) return local_errors::pathNotFound();

  InboundRequest out;
  out.ctx = std::move(ctx);
  out.method = evhttp_request_get_command(req);
  if (out.method != EVHTTP_REQ_POST && out.method != EVHTTP_REQ_GET &&
      out.method != EVHTTP_REQ_DELETE) {
    return local_errors::methodNotAllowed();
  }

  const evkeyvalq& headers = *evhttp_request_get_input_headers(req);
  if (headerBytes(headers) > cfg_.limits.max_header_bytes) {
    return local_errors::headersTooLarge(cfg_.limits.max_header_bytes);
  }
  const std::string_view origin = findHeader(headers, "Origin");
  if (!origin.empty() && !isOriginAllowed(origin, cfg_.security.allowed_origins)) {
    return local_errors::originForbidden();
  }
  evbuffer* body = evhttp_request_get_input_buffer(req);
  const size_t body_len = evbuffer_get_length(body);
  if (body_len > cfg_.limits.max_body_bytes) {
    return local_errors::payloadTooLarge(cfg_.limits.max_body_bytes);
  }
  if (out.method != EVHTTP_REQ_POST && body_len > 0) {
    // MCP gives GET and DELETE no body, and forwarding one would need a
    // framing evhttp does not add for these methods: refuse it.
    return local_errors::invalidRequest("GET and DELETE requests carry no body");
  }

  out.session_id = std::string(findHeader(headers, "Mcp-Session-Id"));
  if (!out.session_id.empty() && !isValidSessionId(out.session_id)) {
    return local_errors::invalidRequest("malformed Mcp-Session-Id header");
  }
  out.credential_fingerprint =
      credentialFingerprint(fingerprint_key_, findHeader(headers, "Authorization"));
  if (out.method == EVHTTP_REQ_GET) out.last_event_id = std::string(findHeader(headers, "Last-Event-ID"));
  if (const char* query = uri ? evhttp_uri_get_query(uri) : nullptr; query && *query) {
    out.uri_query = std::string("?") + query;
  }

  if (out.method == EVHTTP_REQ_POST) {
    body_.resize(body_len);
    evbuffer_copyout(body, body_.data(), body_len);
    auto parsed = json_.parse(body_);
    if (!parsed.ok()) {
      // The parser's message starts with its category; the LocalError
      // message carries the category in the spec's words.
      std::string_view why = parsed.error().message;
      constexpr std::string_view kParse = "parse error: ";
      constexpr std::string_view kInvalid = "invalid request: ";
      if (why.starts_with(kParse)) return local_errors::parseError(std::string(why.substr(kParse.size())));
      if (why.starts_with(kInvalid)) why.remove_prefix(kInvalid.size());
      return local_errors::invalidRequest(std::string(why));
    }
    out.body = std::move(parsed.value());
    for (const auto& m : out.body.messages) {
      if (m.kind == MessageKind::kRequest) {
        out.first_id_raw = m.id_raw;
        break;
      }
    }
  }
  return out;
}

}  // namespace sidecar::proxy
