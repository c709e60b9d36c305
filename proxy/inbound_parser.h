#pragma once
// The parse stage: turns a complete client request into an InboundRequest,
// or into the LocalError that answers it. Enforces the configured limits
// (evhttp's own limits are set higher and would answer with HTML), the
// Origin rule and the JSON-RPC shape of POST bodies.

#include <string>
#include <variant>

#include <event2/http.h>

#include "config/config.h"
#include "proxy/inbound_request.h"
#include "proxy/jsonrpc_parser.h"
#include "proxy/local_error.h"

namespace sidecar::proxy {

class InboundParser {
 public:
  InboundParser(const config::Config& cfg, std::string fingerprint_key)
      : cfg_(cfg), fingerprint_key_(std::move(fingerprint_key)) {}

  std::variant<InboundRequest, LocalError> parse(evhttp_request* req, std::string ctx);

 private:
  const config::Config& cfg_;
  std::string fingerprint_key_;
  JsonRpcParser json_;
  std::string body_;  // reused between requests
};

}  // namespace sidecar::proxy
