#include "bench/load_connection.h"

#include <fcntl.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>

namespace sidecar::bench {

uint64_t monotonicNs() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000ULL + uint64_t(ts.tv_nsec);
}

LoadConnection::LoadConnection(event_base& base, const sockaddr_in& target,
                               ConnectionListener& listener, uint32_t timeout_ms)
    : base_(base),
      target_(target),
      listener_(listener),
      timeout_{static_cast<time_t>(timeout_ms / 1000),
               static_cast<suseconds_t>((timeout_ms % 1000) * 1000)},
      timer_(evtimer_new(&base, &LoadConnection::onTimeoutCb, this)),
      fail_ev_(evtimer_new(&base, &LoadConnection::onDeferredFailureCb, this)) {
  if (!timer_ || !fail_ev_) std::abort();
  in_.reserve(16 * 1024);
}

LoadConnection::~LoadConnection() { close(); }

bool LoadConnection::open() {
  close();
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return false;
  const int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  const int rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&target_), sizeof(target_));
  if (rc != 0 && errno != EINPROGRESS) return false;
  connecting_ = rc != 0;
  read_ev_.reset(event_new(&base_, fd.get(), EV_READ | EV_PERSIST, &LoadConnection::onReadableCb, this));
  write_ev_.reset(event_new(&base_, fd.get(), EV_WRITE, &LoadConnection::onWritableCb, this));
  if (!read_ev_ || !write_ev_) std::abort();
  fd_ = std::move(fd);
  event_add(read_ev_.get(), nullptr);
  ++connects_;
  return true;
}

void LoadConnection::close() noexcept {
  read_ev_.reset();
  write_ev_.reset();
  fd_.reset();
  connecting_ = false;
  in_.clear();
}

void LoadConnection::send(std::string_view request) {
  busy_ = true;
  out_.assign(request);
  out_pos_ = 0;
  parser_.reset();
  started_ns_ = monotonicNs();
  event_add(timer_.get(), &timeout_);
  if (!fd_.valid() && !open()) {
    // Report on the next loop turn: completions are never synchronous.
    pending_failure_ = "connect_failed";
    const timeval now{0, 0};
    event_add(fail_ev_.get(), &now);
    return;
  }
  if (connecting_) {
    event_add(write_ev_.get(), nullptr);
    return;
  }
  flush();
}

void LoadConnection::flush() {
  while (out_pos_ < out_.size()) {
    const ssize_t n = ::send(fd_.get(), out_.data() + out_pos_, out_.size() - out_pos_, MSG_NOSIGNAL);
    if (n > 0) {
      out_pos_ += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      event_add(write_ev_.get(), nullptr);
      return;
    }
    // A keep-alive connection the server closed while idle: the request was
    // not read, so defer the failure; the owner resends on a new connection.
    pending_failure_ = "write_failed";
    const timeval now{0, 0};
    event_add(fail_ev_.get(), &now);
    return;
  }
}

void LoadConnection::onWritable() {
  if (connecting_) {
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      fail("connect_failed");
      return;
    }
    connecting_ = false;
  }
  flush();
}

void LoadConnection::onReadable() {
  char buf[64 * 1024];
  for (int rounds = 0; rounds < 16; ++rounds) {
    const ssize_t n = ::recv(fd_.get(), buf, sizeof(buf), 0);
    if (n > 0) {
      if (!busy_) {
        fail("unexpected_bytes");
        return;
      }
      in_.append(buf, static_cast<size_t>(n));
      size_t used = 0;
      const auto outcome = parser_.feed(in_, &used);
      in_.erase(0, used);
      if (outcome == HttpResponseParser::Outcome::kMalformed) {
        fail("malformed_response");
        return;
      }
      if (outcome == HttpResponseParser::Outcome::kComplete) {
        complete();
        return;
      }
      if (static_cast<size_t>(n) < sizeof(buf)) return;  // drained the socket
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    // EOF or error.
    if (!busy_) {
      close();  // the server closed an idle keep-alive connection
      return;
    }
    if (n == 0 && parser_.onEof() == HttpResponseParser::Outcome::kComplete) {
      close();
      complete();
      return;
    }
    fail(n == 0 ? "closed_mid_response" : "read_failed");
    return;
  }
}

void LoadConnection::complete() {
  event_del(timer_.get());
  busy_ = false;
  if (!parser_.keepAlive()) close();
  listener_.onResponse(*this, parser_);
}

void LoadConnection::fail(const char* why) {
  event_del(timer_.get());
  event_del(fail_ev_.get());
  close();
  const bool was_busy = busy_;
  busy_ = false;
  if (was_busy) listener_.onFailure(*this, why);
}

void LoadConnection::onTimeout() { fail("timeout"); }

void LoadConnection::onReadableCb(evutil_socket_t, short, void* arg) noexcept {
  static_cast<LoadConnection*>(arg)->onReadable();
}
void LoadConnection::onWritableCb(evutil_socket_t, short, void* arg) noexcept {
  static_cast<LoadConnection*>(arg)->onWritable();
}
void LoadConnection::onTimeoutCb(evutil_socket_t, short, void* arg) noexcept {
  static_cast<LoadConnection*>(arg)->onTimeout();
}
void LoadConnection::onDeferredFailureCb(evutil_socket_t, short, void* arg) noexcept {
  auto* self = static_cast<LoadConnection*>(arg);
  self->fail(self->pending_failure_);
}

}  // namespace sidecar::bench
