#pragma once
// Subscription: the handle of a standing registration (a watch on a session's
// event log, a bus listener). Destroying it (or calling cancel()) guarantees
// the handler will not run again; the registrar keeps only the shared
// CancelState and forgets the registration lazily. Same contract as
// CallHandle, for calls that answer many times.

#include "common/call_handle.h"

namespace sidecar {

using Subscription = CallHandle;

}  // namespace sidecar
