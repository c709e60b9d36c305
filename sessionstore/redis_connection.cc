#include "sessionstore/redis_connection.h"

#include <cassert>
#include <cstdlib>
#include <random>
#include <utility>

#include <hiredis/async.h>

namespace sidecar::sessionstore {
namespace {

constexpr std::string_view kCtx = "redis";

timeval toTimeval(int64_t ms) {
  if (ms < 0) ms = 0;
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(ms / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((ms % 1000) * 1000);
  return tv;
}

uint64_t randomSeed() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

EventPtr newTimer(event_base& base, event_callback_fn fn, void* arg) {
  EventPtr timer(event_new(&base, -1, 0, fn, arg));
  if (!timer) std::abort();  // out of memory at start-up: nothing sensible to do
  return timer;
}

}  // namespace

RedisEndpoint RedisEndpoint::fromConfig(const config::RedisConfig& redis) {
  return RedisEndpoint{redis.host, redis.port, redis.username, redis.password, redis.db};
}

std::optional<RedisArgv> RedisEndpoint::authCommand() const {
  if (password.empty()) return std::nullopt;
  if (username.empty()) return RedisArgv{"AUTH", password};
  return RedisArgv{"AUTH", username, password};
}

RedisConnection::RedisConnection(event_base& base, const Clock& clock, Logger& logger,
                                 MetricsRegistry& metrics, RedisEndpoint endpoint,
                                 RedisConnectionOptions options)
    : clock_(clock),
      logger_(logger),
      endpoint_(std::move(endpoint)),
      options_(options),
      backoff_(options.backoff_initial, options.backoff_max, randomSeed()),
      connected_gauge_(
          metrics.gauge("sidecar_redis_connected", "Redis connections ready for commands")),
      reconnects_total_(metrics.counter("sidecar_redis_reconnects_total",
                                        "Redis connection attempts after a failure or loss")),
      errors_unavailable_(metrics.counter("sidecar_redis_command_errors_total",
                                          "Redis commands that failed, by kind",
                                          R"(kind="unavailable")")),
      errors_disconnected_(metrics.counter("sidecar_redis_command_errors_total",
                                           "Redis commands that failed, by kind",
                                           R"(kind="disconnected")")),
      errors_timeout_(metrics.counter("sidecar_redis_command_errors_total",
                                      "Redis commands that failed, by kind", R"(kind="timeout")")),
      queue_(base),
      retry_timer_(newTimer(base, &RedisConnection::onRetryTimer, this)),
      deadline_timer_(newTimer(base, &RedisConnection::onDeadlineTimer, this)),
      context_(base, [this](std::string_view reason) { onContextGone(reason); }) {}

RedisConnection::~RedisConnection() {
  destroying_ = true;
  // redisAsyncFree runs every pending callback with a NULL reply right now;
  // onReply posts them to queue_, which is dropped with us undelivered.
  context_.close();
  if (phase_ == Phase::kReady) connected_gauge_.add(-1);
}

void RedisConnection::start() {
  if (started_) return;
  started_ = true;
  connect();
}

// ---- connecting ------------------------------------------------------------

void RedisConnection::connect() {
  assert(!context_.isOpen() && in_flight_.empty());
  // Numeric host (see RedisEndpoint): this never blocks on DNS.
  std::string refused;
  if (!context_.open(endpoint_.host, endpoint_.port, refused)) {
    onContextGone(refused);
    return;
  }
  phase_ = Phase::kConnecting;
  ++generation_;
  // hiredis buffers these until the socket connects; their deadlines also
  // bound the TCP connect, which the kernel would otherwise stretch to minutes.
  sendHandshake();
}

void RedisConnection::sendHandshake() {
  std::vector<RedisArgv> commands;
  if (auto auth = endpoint_.authCommand()) commands.push_back(std::move(*auth));
  commands.push_back({"SELECT", std::to_string(endpoint_.db)});
  for (const auto& command : setup_) commands.push_back(command);
  // Last, so that "ready" means the server answered after everything above.
  // A server still loading its dataset answers -LOADING here and we retry.
  commands.push_back({"PING"});

  handshake_pending_ = commands.size();
  const uint64_t generation = generation_;
  for (auto& command : commands) {
    // Only the verb goes to logs: AUTH's arguments are secrets.
    std::string verb = command.front();
    submit(command, [this, generation, verb = std::move(verb)](Result<RedisReply> r) {
      onHandshakeReply(generation, verb, std::move(r));
    });
  }
}

void RedisConnection::onHandshakeReply(uint64_t generation, std::string_view command,
                                       Result<RedisReply> r) {
  if (generation != generation_ || phase_ != Phase::kConnecting) return;  // an older context
  if (!r.ok()) return;  // the context is gone; onContextGone already scheduled a retry
  if (r.value().isError()) {
    logger_.error(kCtx, "redis_handshake_failed", {{"command", command}, {"error", r.value().str}});
    drop("handshake_failed", ErrorCode::kUnavailable);
    return;
  }
  if (--handshake_pending_ > 0) return;
  phase_ = Phase::kReady;
  ever_connected_ = true;
  connected_gauge_.add(1);
  logger_.info(kCtx, "redis_connected",
               {{"host", endpoint_.host},
                {"port", endpoint_.port},
                {"db", endpoint_.db},
                {"attempts", backoff_.attempt()}});
  backoff_.reset();
  notify(true);
}

void RedisConnection::drop(std::string_view reason, ErrorCode code) {
  if (!context_.isOpen()) return;
  drop_code_ = code;
  context_.close();  // NULL replies for everything pending, with drop_code_
  drop_code_ = ErrorCode::kUnavailable;
  onContextGone(reason);
}

void RedisConnection::onContextGone(std::string_view reason) {
  if (destroying_) return;
  const bool was_ready = phase_ == Phase::kReady;
  phase_ = Phase::kIdle;
  ++generation_;
  if (was_ready) {
    connected_gauge_.add(-1);
    logger_.warn(kCtx, "redis_disconnected",
                 {{"host", endpoint_.host}, {"port", endpoint_.port}, {"reason", reason}});
    notify(false);
  } else {
    logger_.warn(kCtx, "redis_connect_failed",
                 {{"host", endpoint_.host},
                  {"port", endpoint_.port},
                  {"reason", reason},
                  {"attempt", backoff_.attempt()}});
  }
  scheduleRetry();
}

void RedisConnection::scheduleRetry() {
  const config::Millis delay = backoff_.next();
  logger_.info(kCtx, "redis_retry", {{"delay_ms", delay.count()}, {"attempt", backoff_.attempt()}});
  const timeval tv = toTimeval(delay.count());
  event_add(retry_timer_.get(), &tv);
}

void RedisConnection::onRetryTimer(evutil_socket_t, short, void* arg) noexcept {
  auto* self = static_cast<RedisConnection*>(arg);
  self->reconnects_total_.inc();
  self->connect();
}

// ---- commands --------------------------------------------------------------

void RedisConnection::send(const RedisArgv& argv, ReplyCallback done) {
  if (phase_ != Phase::kReady) {
    failUnavailable(std::move(done), "redis not connected");
    return;
  }
  submit(argv, std::move(done));
}

bool RedisConnection::submit(const RedisArgv& argv, ReplyCallback done) {
  if (!context_.command(argv, &RedisConnection::onReplyCb, this)) {
    // The context is on its way out; its callback was not registered.
    failUnavailable(std::move(done), "redis connection closing");
    return false;
  }
  in_flight_.push_back(
      InFlight{std::move(done), clock_.monotonicMs() + options_.command_timeout.count()});
  armDeadline();
  return true;
}

void RedisConnection::onReplyCb(redisAsyncContext*, void* reply, void* privdata) noexcept {
  static_cast<RedisConnection*>(privdata)->onReply(reply);
}

void RedisConnection::onReply(void* reply) {
  // hiredis calls back exactly once per command, in send order.
  assert(!in_flight_.empty());
  InFlight command = std::move(in_flight_.front());
  in_flight_.pop_front();
  if (reply == nullptr) {
    const bool timeout = drop_code_ == ErrorCode::kTimeout;
    (timeout ? errors_timeout_ : errors_disconnected_).inc();
    Result<RedisReply> result =
        makeError(drop_code_, timeout ? "redis command deadline passed" : "redis connection lost");
    queue_.post([done = std::move(command.done), result = std::move(result)]() mutable {
      done(std::move(result));
    });
    return;
  }
  // The reply dies when we return: copy it out now, deliver it next turn.
  Result<RedisReply> result = RedisReply::copyOf(*static_cast<const redisReply*>(reply));
  queue_.post([done = std::move(command.done), result = std::move(result)]() mutable {
    done(std::move(result));
  });
}

void RedisConnection::failUnavailable(ReplyCallback done, std::string message) {
  errors_unavailable_.inc();
  queue_.post([done = std::move(done),
               error = makeError(ErrorCode::kUnavailable, std::move(message))]() mutable {
    done(std::move(error));
  });
}

// ---- deadlines -------------------------------------------------------------

void RedisConnection::armDeadline() {
  if (in_flight_.empty() || event_pending(deadline_timer_.get(), EV_TIMEOUT, nullptr)) return;
  // Every command has the same timeout, so the oldest expires first.
  const timeval tv = toTimeval(in_flight_.front().deadline_ms - clock_.monotonicMs());
  event_add(deadline_timer_.get(), &tv);
}

void RedisConnection::onDeadlineTimer(evutil_socket_t, short, void* arg) noexcept {
  static_cast<RedisConnection*>(arg)->checkDeadline();
}

void RedisConnection::checkDeadline() {
  if (in_flight_.empty()) return;
  if (clock_.monotonicMs() < in_flight_.front().deadline_ms) {
    armDeadline();
    return;
  }
  // A stopped or overloaded server queues commands silently; only dropping
  // the socket gets us (and every command behind this one) unstuck.
  logger_.warn(
      kCtx, "redis_command_timeout",
      {{"timeout_ms", options_.command_timeout.count()}, {"in_flight", in_flight_.size()}});
  drop("command_timeout", ErrorCode::kTimeout);
}

void RedisConnection::notify(bool ready) {
  queue_.post([this, ready] {
    if (listener_) listener_(ready);
  });
}

}  // namespace sidecar::sessionstore
