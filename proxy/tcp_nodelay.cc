#include "proxy/tcp_nodelay.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace sidecar::proxy {

Status setTcpNoDelay(evutil_socket_t fd) {
  const int on = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) != 0) {
    const int error = errno;
    return makeError(ErrorCode::kInternal,
                     fmt::format("TCP_NODELAY on fd {}: {}", fd, std::strerror(error)));
  }
  return Ok{};
}

}  // namespace sidecar::proxy
