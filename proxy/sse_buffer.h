#pragma once
// Feeds an SseParser straight from an evbuffer's extents (no copy of the
// bytes, and the buffer is left as it is: callers that relay it, or drain
// it, decide).

#include <event2/buffer.h>

#include <vector>

#include "proxy/sse_parser.h"

namespace sidecar::proxy {

void feedSse(SseParser& parser, evbuffer* data, std::vector<SseEvent>& out);

}  // namespace sidecar::proxy
