#pragma once
// AdminServer: the operator's HTTP listener (admin.listen), separate from
// client traffic. /healthz (alive), /readyz (ready for traffic), /metrics
// (Prometheus text), and read access to the session store: /sessions,
// /sessions/ID, /sessions/ID/events, /sessionless/events; DELETE
// /sessions/ID closes a session. Store answers arrive asynchronously; the
// pending calls are owned here and dropped with the server.

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

#include "common/c_handles.h"
#include "common/call_handle.h"
#include "common/logger.h"
#include "common/metrics.h"
#include "common/result.h"
#include "config/config.h"
#include "sessionstore/session_store.h"

namespace sidecar::proxy {

struct Readiness {
  bool ready = false;
  std::string json;  // the /readyz body: every input of the decision
};

class AdminServer {
 public:
  using ReadinessFn = std::function<Readiness()>;

  AdminServer(event_base& base, const config::Config& cfg, sessionstore::SessionStore& store,
              MetricsRegistry& metrics, Logger& log, ReadinessFn readiness);
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  Status bind();
  uint16_t boundPort() const noexcept { return bound_port_; }

 private:
  static void onRequestCb(evhttp_request* req, void* arg) noexcept;
  void onRequest(evhttp_request* req);
  void handleSessions(evhttp_request* req, std::string_view rest);
  void handleEvents(evhttp_request* req, const std::string& session_id, bool sessionless);
  void reply(evhttp_request* req, int status, std::string_view content_type, std::string_view body);
  void replyError(evhttp_request* req, int status, std::string_view message);

  const config::Config& cfg_;
  sessionstore::SessionStore& store_;
  MetricsRegistry& metrics_;
  Logger& log_;
  ReadinessFn readiness_;
  EvHttpPtr http_;
  uint16_t bound_port_ = 0;
  uint64_t next_call_ = 0;
  std::unordered_map<uint64_t, CallHandle> pending_;
};

}  // namespace sidecar::proxy
