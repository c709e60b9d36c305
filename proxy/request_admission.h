#pragma once
// Admission: the pure decision of what to do with a parsed request, given
// what the store knows about the session it names. No I/O, no event loop.

#include <optional>

#include "proxy/inbound_request.h"
#include "proxy/local_error.h"
#include "sessionstore/session.h"

namespace sidecar::proxy {

// Which log the exchange's messages go to.
enum class EventLog {
  kSession,        // the named, known session
  kNewSession,     // the session the upstream will mint for this initialize
  kSessionless,    // no session (2026-07-28, sessionless servers, unknown ids)
};

// The state change the upstream's successful answer implies.
enum class SessionEffect {
  kNone,
  kCreate,    // initialize: record the session the response names
  kActivate,  // notifications/initialized accepted: INITIALIZED -> ACTIVE
  kClose,     // DELETE answered 2xx: -> CLOSED
};

struct Admission {
  bool forward = true;
  LocalError rejection;  // meaningful when !forward
  EventLog log = EventLog::kSessionless;
  SessionEffect effect = SessionEffect::kNone;
};

// `authoritative`: the store knows every live session of the deployment
// (SessionStore::authoritative()), so an id it does not know is dead.
Admission admitRequest(const InboundRequest& request,
                       const std::optional<sessionstore::SessionRecord>& record,
                       bool authoritative);

}  // namespace sidecar::proxy
