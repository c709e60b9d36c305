#pragma once
// RedisServer: a real redis-server for one test, on a free loopback port,
// with its own temp dir. Started by fork/exec (never a shell), waited for
// until it answers PING, and killed by its own PID in the destructor; the
// child also dies with the test process (PR_SET_PDEATHSIG), so a crashed
// test leaves no server behind. Tests stop, freeze and restart it to play
// the failure modes of docs/failure-modes-redis.md.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sidecar::sessionstore::test {

struct RedisServerOptions {
  bool aof = false;              // --appendonly yes --appendfsync always: every ack is on disk
  std::optional<uint16_t> port;  // default: a free one from the kernel
  std::vector<std::string> extra_args;  // e.g. {"--requirepass", "..."}
};

inline RedisServerOptions aofServer() {
  RedisServerOptions o;
  o.aof = true;
  return o;
}
inline RedisServerOptions serverOnPort(uint16_t port) {
  RedisServerOptions o;
  o.port = port;
  return o;
}
inline RedisServerOptions serverWithArgs(std::vector<std::string> args) {
  RedisServerOptions o;
  o.extra_args = std::move(args);
  return o;
}

class RedisServer {
 public:
  explicit RedisServer(RedisServerOptions options = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  uint16_t port() const noexcept { return port_; }
  const std::string& dir() const noexcept { return dir_; }
  bool running() const noexcept { return pid_ > 0; }

  // Starts (again) on the same port and dir; true once it answers PING.
  bool start();
  void kill();    // SIGKILL and reap: a crash, nothing flushed beyond AOF
  void pause();   // SIGSTOP: the socket stays open, nothing answers
  void resume();  // SIGCONT

  // A port nothing listens on right now (bound to port 0, then closed).
  static uint16_t freePort();

 private:
  bool waitForPing(int timeout_ms) const;
  std::string password() const;

  RedisServerOptions options_;
  uint16_t port_ = 0;
  std::string dir_;
  pid_t pid_ = -1;
};

}  // namespace sidecar::sessionstore::test
