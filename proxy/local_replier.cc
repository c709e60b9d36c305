#include "proxy/local_replier.h"

#include <fmt/format.h>

#include "common/c_handles.h"
#include "proxy/jsonrpc_parser.h"

namespace sidecar::proxy {

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
  evhttp_send_reply(req, error.http_status, nullptr, buf.get());
}

}  // namespace sidecar::proxy
