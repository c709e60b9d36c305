#include <catch2/catch.hpp>

#include "proxy/request_admission.h"

using namespace sidecar::proxy;
using sidecar::sessionstore::SessionRecord;
using sidecar::sessionstore::SessionState;

namespace {

InboundRequest post(std::string method, std::string session_id = {}, std::string fingerprint = {}) {
  InboundRequest r;
  r.method = EVHTTP_REQ_POST;
  r.session_id = std::move(session_id);
  r.credential_fingerprint = std::move(fingerprint);
  JsonRpcMessage m;
  m.kind = method.rfind("notifications/", 0) == 0 ? MessageKind::kNotification : MessageKind::kRequest;
  m.method = std::move(method);
  m.id_raw = m.kind == MessageKind::kRequest ? "7" : "";
  r.first_id_raw = m.id_raw;
  r.body.messages.push_back(m);
  return r;
}

SessionRecord record(SessionState state, std::string fingerprint = {}) {
  SessionRecord rec;
  rec.id = "s-1";
  rec.state = state;
  rec.credential_fingerprint = std::move(fingerprint);
  return rec;
}

}  // namespace

TEST_CASE("initialize without a session id creates a session on success") {
  const Admission a = admitRequest(post("initialize"), std::nullopt, false);
  CHECK(a.forward);
  CHECK(a.log == EventLog::kNewSession);
  CHECK(a.effect == SessionEffect::kCreate);
}

TEST_CASE("sessionless traffic is forwarded into the sessionless log") {
  const Admission a = admitRequest(post("tools/list"), std::nullopt, false);
  CHECK(a.forward);
  CHECK(a.log == EventLog::kSessionless);
  CHECK(a.effect == SessionEffect::kNone);
}

TEST_CASE("an id the store does not know is forwarded for the upstream to judge") {
  const Admission a = admitRequest(post("tools/list", "s-unknown"), std::nullopt, false);
  CHECK(a.forward);
  CHECK(a.log == EventLog::kSessionless);
}

TEST_CASE("with a shared store an unknown id is answered 404, never forwarded") {
  const Admission a = admitRequest(post("tools/list", "s-unknown"), std::nullopt, true);
  CHECK_FALSE(a.forward);
  CHECK(a.rejection.http_status == 404);
  CHECK(a.rejection.reason == "session_unknown");
}

TEST_CASE("a closed session is answered 404 with the request's id, never forwarded") {
  const Admission a = admitRequest(post("tools/list", "s-1"), record(SessionState::kClosed), false);
  CHECK_FALSE(a.forward);
  CHECK(a.rejection.http_status == 404);
  CHECK(a.rejection.id_raw == "7");
  CHECK(a.rejection.reason == "session_closed");
}

TEST_CASE("another credential gets the same 404 as an unknown session") {
  const Admission a =
      admitRequest(post("tools/list", "s-1", "fp-b"), record(SessionState::kActive, "fp-a"), false);
  CHECK_FALSE(a.forward);
  CHECK(a.rejection.http_status == 404);
  CHECK(a.rejection.message == "Session not found");
  CHECK(a.rejection.reason == "credential_mismatch");
}

TEST_CASE("notifications/initialized activates only an INITIALIZED session") {
  CHECK(admitRequest(post("notifications/initialized", "s-1"), record(SessionState::kInitialized), false)
            .effect == SessionEffect::kActivate);
  CHECK(admitRequest(post("notifications/initialized", "s-1"), record(SessionState::kActive), false)
            .effect == SessionEffect::kNone);
}

TEST_CASE("DELETE of a live session closes it on success") {
  InboundRequest del;
  del.method = EVHTTP_REQ_DELETE;
  del.session_id = "s-1";
  const Admission a = admitRequest(del, record(SessionState::kActive), false);
  CHECK(a.forward);
  CHECK(a.log == EventLog::kSession);
  CHECK(a.effect == SessionEffect::kClose);
}

TEST_CASE("ordinary requests on a live session go to its log") {
  const Admission a = admitRequest(post("tools/call", "s-1"), record(SessionState::kActive), false);
  CHECK(a.forward);
  CHECK(a.log == EventLog::kSession);
  CHECK(a.effect == SessionEffect::kNone);
}
