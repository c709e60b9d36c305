#include "proxy/local_replier.h"

#include <fmt/format.h>

#include "common/c_handles.h"
#include "proxy/jsonrpc_parser.h"

namespace sidecar::proxy {
namespace {

// libevent 2.1 knows no phrase for some codes we send (431 would go out as
// "Client Error").
const char* reasonPhrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return nullptr;  // evhttp's own table
  }
}

}  // namespace

void LocalReplier::send(evhttp_request* req, std::string_view ctx, const LocalError& error) {
  metrics_
      .counter("sidecar_local_replies_total", "Answers produced by the sidecar itself",
               fmt::format("status=\"{}\",reason=\"{}\"", error.http_status, error.reason))
      .inc();
  const LogLevel level = error.http_status >= 500 ? LogLevel::kWarn : LogLevel::kInfo;
  log_.log(level, ctx, "local_reply",
           {{"status", error.http_status}, {"reason", error.reason}, {"detail", error.message}});

  evkeyvalq* headers = evhttp_request_get_output_headers(req);
  evhttp_clear_headers(headers);
  evhttp_add_header(headers, "Content-Type", "application/json");
  for (const auto& [name, value] : error.headers) {
    evhttp_add_header(headers, name.c_str(), value.c_str());
  }
  const std::string body = jsonRpcErrorBody(error.id_raw, error.jsonrpc_code, error.message);
  EvBufferPtr buf(evbuffer_new());
  evbuffer_add(buf.get(), body.data(), body.size());
  evhttp_send_reply(req, error.http_status, reasonPhrase(error.http_status), buf.get());
}

}  // namespace sidecar::proxy
