#pragma once
// LocalReplier: the single place where a LocalError becomes an HTTP response
// (status, JSON-RPC error body, extra headers), is counted and is logged.

#include <string_view>

#include <event2/http.h>

#include "common/logger.h"
#include "common/metrics.h"
#include "proxy/local_error.h"

namespace sidecar::proxy {

class LocalReplier {
 public:
  LocalReplier(Logger& log, MetricsRegistry& metrics) : log_(log), metrics_(metrics) {}

  // Completes `req` (it must not have been answered yet).
  void send(evhttp_request* req, std::string_view ctx, const LocalError& error);

 private:
  Logger& log_;
  MetricsRegistry& metrics_;
};

}  // namespace sidecar::proxy
