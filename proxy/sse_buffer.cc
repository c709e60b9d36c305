#include "proxy/sse_buffer.h"

#include <string_view>

namespace sidecar::proxy {

void feedSse(SseParser& parser, evbuffer* data, std::vector<SseEvent>& out) {
  const int n_extents = evbuffer_peek(data, -1, nullptr, nullptr, 0);
  if (n_extents <= 0) return;
  std::vector<evbuffer_iovec> extents(static_cast<size_t>(n_extents));
  evbuffer_peek(data, -1, nullptr, extents.data(), n_extents);
  for (const auto& extent : extents) {
    parser.feed(std::string_view(static_cast<const char*>(extent.iov_base), extent.iov_len), out);
  }
}

}  // namespace sidecar::proxy
