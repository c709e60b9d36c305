#include "proxy/request_admission.h"

namespace sidecar::proxy {

using sessionstore::SessionState;

Admission admitRequest(const InboundRequest& request,
                       const std::optional<sessionstore::SessionRecord>& record) {
  Admission admission;
  if (request.session_id.empty()) {
    if (request.isInitialize()) {
      admission.log = EventLog::kNewSession;
      admission.effect = SessionEffect::kCreate;
    }
    return admission;
  }
  if (!record) {
    // Not ours to judge: the upstream may hold sessions we never saw (it was
    // started before us). It answers 404 itself if the id is unknown there.
    return admission;
  }
  if (record->state == SessionState::kClosed) {
    admission.forward = false;
    admission.rejection = local_errors::sessionNotFound(request.first_id_raw, "session_closed");
    return admission;
  }
  if (record->credential_fingerprint != request.credential_fingerprint) {
    // Indistinguishable from an unknown session, so a leaked id reveals nothing.
    admission.forward = false;
    admission.rejection =
        local_errors::sessionNotFound(request.first_id_raw, "credential_mismatch");
    return admission;
  }
  admission.log = EventLog::kSession;
  if (request.isDelete()) {
    admission.effect = SessionEffect::kClose;
  } else if (request.isInitializedNotification() && record->state == SessionState::kInitialized) {
    admission.effect = SessionEffect::kActivate;
  }
  return admission;
}

}  // namespace sidecar::proxy
