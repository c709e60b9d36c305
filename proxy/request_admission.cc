#include "proxy/request_admission.h"

namespace sidecar::proxy {

using sessionstore::SessionState;

Admission admitRequest(const InboundRequest& request,
                       const std::optional<sessionstore::SessionRecord>& record,
                       bool authoritative) {
  Admission admission;
  if (request.session_id.empty()) {
    if (request.isInitialize()) {
      admission.log = EventLog::kNewSession;
      admission.effect = SessionEffect::kCreate;
    }
    return admission;
  }
  if (!record) {
    if (authoritative) {
      // Unknown, expired or never issued: the spec's signal to re-initialize.
      admission.forward = false;
      admission.rejection = local_errors::sessionNotFound(request.first_id_raw, "session_unknown");
      return admission;
    }
    // Not ours to judge: the upstream may hold sessions a private store
    // never saw (created before this process). It decides.
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
