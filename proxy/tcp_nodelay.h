#pragma once
// Nagle's algorithm off on one TCP socket. The sidecar relays SSE as a series
// of small writes; with Nagle on, a write made while an earlier segment is
// still unacknowledged waits for the peer's delayed ACK (tens of ms). Callers
// make the call once per socket, never per request: it is a system call.

#include <event2/util.h>

#include "common/result.h"

namespace sidecar::proxy {

// Sets TCP_NODELAY on `fd`. On Linux a listening socket passes the option on
// to every socket it accepts.
Status setTcpNoDelay(evutil_socket_t fd);

}  // namespace sidecar::proxy
