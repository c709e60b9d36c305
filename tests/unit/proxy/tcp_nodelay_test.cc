#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <utility>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "common/c_handles.h"
#include "proxy/tcp_nodelay.h"
#include "proxy/upstream_pool.h"

using sidecar::proxy::makeUpstreamRequest;
using sidecar::proxy::setTcpNoDelay;

namespace {

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(Fd&& other) noexcept : fd(std::exchange(other.fd, -1)) {}
  Fd& operator=(Fd&&) = delete;
  ~Fd() { if (fd >= 0) ::close(fd); }
};

int noDelay(int fd) {
  int value = -1;
  socklen_t len = sizeof(value);
  REQUIRE(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, &len) == 0);
  return value;
}

void setNoDelay(int fd, int value) {
  REQUIRE(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, sizeof(value)) == 0);
}

// A loopback listening socket on a kernel-chosen port.
Fd listenLoopback(sockaddr_in& addr) {
  Fd listener(::socket(AF_INET, SOCK_STREAM, 0));
  REQUIRE(listener.fd >= 0);
  addr = sockaddr_in{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener.fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  REQUIRE(::listen(listener.fd, 4) == 0);
  socklen_t len = sizeof(addr);
  REQUIRE(getsockname(listener.fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  return listener;
}

Fd connectTo(const sockaddr_in& addr) {
  Fd client(::socket(AF_INET, SOCK_STREAM, 0));
  REQUIRE(client.fd >= 0);
  REQUIRE(::connect(client.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0);
  return client;
}

}  // namespace

TEST_CASE("tcp_nodelay: sets the option on a connected loopback socket") {
  sockaddr_in addr{};
  Fd listener = listenLoopback(addr);
  Fd client = connectTo(addr);
  Fd accepted(::accept(listener.fd, nullptr, nullptr));
  REQUIRE(accepted.fd >= 0);
  CHECK(noDelay(client.fd) == 0);
  CHECK(noDelay(accepted.fd) == 0);
  REQUIRE(setTcpNoDelay(client.fd).ok());
  CHECK(noDelay(client.fd) != 0);
  CHECK(noDelay(accepted.fd) == 0);
}

TEST_CASE("tcp_nodelay: accepted sockets inherit it from the listening socket") {
  // McpListener sets it once on its listening socket and relies on this.
  sockaddr_in addr{};
  Fd listener = listenLoopback(addr);
  REQUIRE(setTcpNoDelay(listener.fd).ok());
  Fd client = connectTo(addr);
  Fd accepted(::accept(listener.fd, nullptr, nullptr));
  REQUIRE(accepted.fd >= 0);
  CHECK(noDelay(accepted.fd) != 0);
}

TEST_CASE("tcp_nodelay: a bad descriptor is an error, not a crash") {
  const auto status = setTcpNoDelay(-1);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message.find("TCP_NODELAY") != std::string::npos);
}

TEST_CASE("tcp_nodelay: upstream requests set it on a new socket only") {
  sockaddr_in addr{};
  Fd listener = listenLoopback(addr);
  sidecar::EventBasePtr base(event_base_new());
  REQUIRE(base);
  char host[INET_ADDRSTRLEN] = {};
  REQUIRE(inet_ntop(AF_INET, &addr.sin_addr, host, sizeof(host)) != nullptr);
  sidecar::EvHttpConnectionPtr conn(
      evhttp_connection_base_new(base.get(), nullptr, host, ntohs(addr.sin_port)));
  REQUIRE(conn);
  bufferevent* bev = evhttp_connection_get_bufferevent(conn.get());
  REQUIRE(bufferevent_getfd(bev) < 0);

  // evhttp opens the socket inside the call; the connect itself completes later.
  REQUIRE(makeUpstreamRequest(conn.get(), evhttp_request_new(nullptr, nullptr), EVHTTP_REQ_GET,
                              "/mcp") == 0);
  const evutil_socket_t fd = bufferevent_getfd(bev);
  REQUIRE(fd >= 0);
  CHECK(noDelay(fd) != 0);

  // A request on a connection that has its socket makes no system call: switch the option
  // off behind evhttp's back and see that it stays off.
  setNoDelay(fd, 0);
  REQUIRE(makeUpstreamRequest(conn.get(), evhttp_request_new(nullptr, nullptr), EVHTTP_REQ_GET,
                              "/mcp") == 0);
  CHECK(bufferevent_getfd(bev) == fd);
  CHECK(noDelay(fd) == 0);
  conn.reset();  // frees both queued requests without running their callbacks
}
