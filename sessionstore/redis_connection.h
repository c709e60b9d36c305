#pragma once
// RedisConnection: one hiredis async context on the event loop, plus what
// hiredis 0.14 lacks — reconnection, per-command deadlines and a circuit
// breaker. Owned by RedisSessionStore; must be destroyed before its
// event_base.
//
// Life of a connection: connect (numeric address only) -> handshake (AUTH,
// SELECT, the caller's setup commands such as SCRIPT LOAD, PING), pipelined
// and each under the command deadline -> ready. Any failure, a lost socket
// or a missed deadline frees the context and schedules the next attempt
// after a capped exponential backoff with full jitter.
//
// Callbacks: send()'s `done` runs exactly once, always on a later loop turn
// through an internal DeferredQueue — never inside send(), never inside a
// hiredis callback (so a caller may destroy things, or send again, from it).
// The state listener is posted the same way, in order with the replies.
// Destroying the connection drops every pending callback undelivered.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/c_handles.h"
#include "common/clock.h"
#include "common/deferred_queue.h"
#include "common/logger.h"
#include "common/metrics.h"
#include "common/result.h"
#include "config/config.h"
#include "sessionstore/redis_backoff.h"
#include "sessionstore/redis_context.h"
#include "sessionstore/redis_reply.h"

namespace sidecar::sessionstore {

using ReplyCallback = std::function<void(Result<RedisReply>)>;

// Where to connect and how to log in. `host` must be a numeric IP literal:
// hiredis resolves names with a blocking getaddrinfo() on the loop thread,
// and the config loader refuses names for exactly that reason.
struct RedisEndpoint {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  std::string username;
  std::string password;  // never logged
  int db = 0;

  static RedisEndpoint fromConfig(const config::RedisConfig& redis);
  // AUTH (user + password, or password only) when a password is set.
  std::optional<RedisArgv> authCommand() const;
};

struct RedisConnectionOptions {
  config::Millis command_timeout{2'000};
  config::Millis backoff_initial{100};
  config::Millis backoff_max{5'000};
};

class RedisConnection {
 public:
  RedisConnection(event_base& base, const Clock& clock, Logger& logger, MetricsRegistry& metrics,
                  RedisEndpoint endpoint, RedisConnectionOptions options);
  ~RedisConnection();
  // Its address is the privdata of every hiredis callback and timer.
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Commands sent after AUTH/SELECT on every (re)connect, before the
  // connection counts as ready; an error reply to any of them fails the
  // handshake. Set before start().
  void setSetupCommands(std::vector<RedisArgv> commands) { setup_ = std::move(commands); }
  // Told (on a later loop turn) each time the connection becomes ready or
  // stops being ready.
  void setStateListener(std::function<void(bool ready)> listener) {
    listener_ = std::move(listener);
  }
  // First connection attempt; later ones schedule themselves.
  void start();

  // Sends one command (binary-safe arguments). Answers with the reply —
  // error replies are values, not failures — or kUnavailable when not ready
  // (fail fast: nothing is queued inside hiredis) or when the connection is
  // lost before the reply, or kTimeout when the connection was dropped
  // because a command (this one or one ahead of it) missed its deadline:
  // then whether it ran is unknown.
  void send(const RedisArgv& argv, ReplyCallback done);

  bool connected() const noexcept { return phase_ == Phase::kReady; }
  bool everConnected() const noexcept { return ever_connected_; }
  size_t inFlight() const noexcept { return in_flight_.size(); }

 private:
  enum class Phase { kIdle, kConnecting, kReady };
  struct InFlight {
    ReplyCallback done;
    int64_t deadline_ms = 0;
  };
  static void onReplyCb(redisAsyncContext* ac, void* reply, void* privdata) noexcept;
  static void onRetryTimer(evutil_socket_t, short, void* arg) noexcept;
  static void onDeadlineTimer(evutil_socket_t, short, void* arg) noexcept;

  void connect();
  void sendHandshake();
  void onHandshakeReply(uint64_t generation, std::string_view command, Result<RedisReply> r);
  bool submit(const RedisArgv& argv, ReplyCallback done);
  void onReply(void* reply);
  void checkDeadline();
  void armDeadline();
  // Frees the context ourselves; pending commands complete with `code`.
  void drop(std::string_view reason, ErrorCode code);
  // The single place a context's end is handled, however it ended.
  void onContextGone(std::string_view reason);
  void scheduleRetry();
  void notify(bool ready);
  // The circuit breaker's answer, delivered on a later turn like any reply.
  void failUnavailable(ReplyCallback done, std::string message);

  const Clock& clock_;
  Logger& logger_;
  RedisEndpoint endpoint_;
  RedisConnectionOptions options_;
  std::vector<RedisArgv> setup_;
  std::function<void(bool)> listener_;
  Backoff backoff_;

  Phase phase_ = Phase::kIdle;
  bool ever_connected_ = false;
  bool started_ = false;
  bool destroying_ = false;
  uint64_t generation_ = 0;  // bumped per context, so stale handshake replies are ignored
  size_t handshake_pending_ = 0;
  ErrorCode drop_code_ = ErrorCode::kUnavailable;  // what NULL replies mean right now
  std::deque<InFlight> in_flight_;  // hiredis answers in send order, so FIFO matches replies

  Gauge& connected_gauge_;
  Counter& reconnects_total_;
  Counter& errors_unavailable_;
  Counter& errors_disconnected_;
  Counter& errors_timeout_;

  // Declared last: destroyed first, while everything it calls back into
  // (the queue, the in-flight list) still exists.
  DeferredQueue queue_;
  EventPtr retry_timer_;
  EventPtr deadline_timer_;
  RedisContext context_;
};

}  // namespace sidecar::sessionstore
