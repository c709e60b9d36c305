#include "sessionstore/redis_subscriber.h"

#include <cstdlib>
#include <random>
#include <utility>
#include <vector>

#include <hiredis/async.h>

#include "common/timeval.h"

namespace sidecar::sessionstore {
namespace {

constexpr std::string_view kCtx = "redis";

EventPtr newTimer(event_base& base, event_callback_fn fn, void* arg) {
  EventPtr timer(event_new(&base, -1, 0, fn, arg));
  if (!timer) std::abort();  // out of memory at start-up: nothing sensible to do
  return timer;
}

uint64_t randomSeed() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

std::string_view textOf(const redisReply* reply) {
  return reply->str != nullptr ? std::string_view(reply->str, reply->len) : std::string_view();
}

}  // namespace

RedisSubscriber::RedisSubscriber(event_base& base, Logger& logger, MetricsRegistry& metrics,
                                 RedisEndpoint endpoint, RedisConnectionOptions options,
                                 SubscriberSink sink)
    : logger_(logger),
      endpoint_(std::move(endpoint)),
      options_(options),
      sink_(std::move(sink)),
      backoff_(options.backoff_initial, options.backoff_max, randomSeed()),
      connected_gauge_(metrics.gauge("sidecar_redis_subscriber_connected",
                                     "Redis pub/sub connections ready (watches and the bus)")),
      channels_gauge_(metrics.gauge("sidecar_redis_subscribed_channels",
                                    "Redis channels this node subscribes (watched sessions, bus)")),
      reconnects_total_(metrics.counter("sidecar_redis_subscriber_reconnects_total",
                                        "Redis pub/sub connection attempts after a failure or loss")),
      retry_timer_(newTimer(base, &RedisSubscriber::onRetryTimer, this)),
      deadline_timer_(newTimer(base, &RedisSubscriber::onDeadlineTimer, this)),
      context_(base, [this](std::string_view reason) { onContextGone(reason); }) {}

RedisSubscriber::~RedisSubscriber() {
  destroying_ = true;
  context_.close();  // runs every callback with a NULL reply now; destroying_ makes them no-ops
  if (phase_ == Phase::kReady) connected_gauge_.add(-1);
  channels_gauge_.add(-static_cast<int64_t>(wanted_));
}

bool RedisSubscriber::settled() const noexcept {
  if (wanted_ == 0) return true;
  if (phase_ != Phase::kReady) return false;
  for (const auto& [name, channel] : channels_) {
    if (channel.wanted && !channel.confirmed) return false;
  }
  return true;
}

// ---- channels ----------------------------------------------------------------

void RedisSubscriber::subscribe(const std::string& channel) {
  Channel& state = channels_[channel];
  if (state.wanted) return;
  state.wanted = true;
  state.confirmed = false;
  ++wanted_;
  channels_gauge_.add(1);
  if (phase_ == Phase::kReady) {
    sendChannelCommand("SUBSCRIBE", channel);
    ++state.pending;
  } else if (!started_) {
    started_ = true;
    connect();
  }
  // Otherwise connecting or waiting to retry: the handshake subscribes it.
}

void RedisSubscriber::unsubscribe(const std::string& channel) {
  auto it = channels_.find(channel);
  if (it == channels_.end() || !it->second.wanted) return;
  it->second.wanted = false;
  it->second.confirmed = false;
  --wanted_;
  channels_gauge_.add(-1);
  if (phase_ == Phase::kReady) {
    sendChannelCommand("UNSUBSCRIBE", channel);  // forgotten when confirmed
  } else {
    channels_.erase(it);  // nothing on the server to undo
  }
}

void RedisSubscriber::sendChannelCommand(std::string_view verb, const std::string& channel) {
  // Fails only while the context is closing: the next connection subscribes again.
  (void)context_.command({std::string(verb), channel}, &RedisSubscriber::onPubSubCb, this);
}

void RedisSubscriber::onPubSubCb(redisAsyncContext*, void* reply, void* privdata) noexcept {
  static_cast<RedisSubscriber*>(privdata)->onPubSubReply(reply);
}

void RedisSubscriber::onPubSubReply(void* raw) {
  // NULL: the context is being freed (its end is handled by onContextGone).
  if (raw == nullptr || destroying_) return;
  const auto* reply = static_cast<const redisReply*>(raw);
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) return;
  const std::string_view kind = textOf(reply->element[0]);
  auto it = channels_.find(std::string(textOf(reply->element[1])));
  if (it == channels_.end()) return;
  Channel& state = it->second;
  if (kind == "message") {
    if (state.wanted) sink_.on_message(it->first, std::string(textOf(reply->element[2])));
  } else if (kind == "subscribe") {
    // The server answers in order: only the last SUBSCRIBE's confirmation
    // says the channel is subscribed now (an UNSUBSCRIBE may sit between).
    if (state.pending > 0) --state.pending;
    if (state.pending == 0 && state.wanted && !state.confirmed) {
      state.confirmed = true;
      sink_.on_subscribed(it->first);
    }
  } else if (kind == "unsubscribe") {
    if (!state.wanted && state.pending == 0) channels_.erase(it);
  }
}

// ---- connecting --------------------------------------------------------------

void RedisSubscriber::connect() {
  // Numeric host (see RedisEndpoint): this never blocks on DNS.
  std::string refused;
  if (!context_.open(endpoint_.host, endpoint_.port, refused)) {
    onContextGone(refused);
    return;
  }
  // A subscribed context cannot PING: TCP keepalive is what notices a peer
  // that vanished without closing the socket.
  (void)redisEnableKeepAlive(&context_.get()->c);
  phase_ = Phase::kConnecting;

  // Buffered by hiredis until the socket connects. Not yet subscribed, so
  // ordinary commands are still allowed; the deadline also bounds the connect.
  std::vector<RedisArgv> commands;
  if (auto auth = endpoint_.authCommand()) commands.push_back(std::move(*auth));
  commands.push_back({"PING"});
  handshake_pending_ = commands.size();
  for (const auto& command : commands) {
    (void)context_.command(command, &RedisSubscriber::onHandshakeCb, this);
  }
  const timeval deadline = toTimeval(options_.command_timeout);
  event_add(deadline_timer_.get(), &deadline);
}

void RedisSubscriber::onHandshakeCb(redisAsyncContext*, void* reply, void* privdata) noexcept {
  static_cast<RedisSubscriber*>(privdata)->onHandshakeReply(reply);
}

void RedisSubscriber::onHandshakeReply(void* raw) {
  if (raw == nullptr || destroying_ || phase_ != Phase::kConnecting) return;
  const auto* reply = static_cast<const redisReply*>(raw);
  if (reply->type == REDIS_REPLY_ERROR) {
    // Only the verb is logged: AUTH's arguments are secrets.
    const bool auth = !endpoint_.password.empty() && handshake_pending_ == 2;
    logger_.error(kCtx, "redis_subscriber_handshake_failed",
                  {{"command", auth ? "AUTH" : "PING"}, {"error", textOf(reply)}});
    drop("handshake_failed");  // inside a callback: hiredis frees it when we return
    return;
  }
  if (--handshake_pending_ > 0) return;
  phase_ = Phase::kReady;
  event_del(deadline_timer_.get());
  connected_gauge_.add(1);
  logger_.info(kCtx, "redis_subscriber_connected",
               {{"host", endpoint_.host},
                {"port", endpoint_.port},
                {"channels", wanted_},
                {"attempts", backoff_.attempt()}});
  backoff_.reset();
  for (auto& [name, state] : channels_) {
    sendChannelCommand("SUBSCRIBE", name);
    ++state.pending;
  }
}

void RedisSubscriber::onDeadlineTimer(evutil_socket_t, short, void* arg) noexcept {
  auto* self = static_cast<RedisSubscriber*>(arg);
  if (self->phase_ == Phase::kConnecting) self->drop("handshake_timeout");
}

void RedisSubscriber::drop(std::string_view reason) {
  if (!context_.isOpen()) return;
  context_.close();  // inside a hiredis callback: freed when it returns
  onContextGone(reason);
}

void RedisSubscriber::onContextGone(std::string_view reason) {
  if (destroying_) return;
  const bool was_ready = phase_ == Phase::kReady;
  phase_ = Phase::kIdle;
  event_del(deadline_timer_.get());
  // Nothing is subscribed on the server any more; the next connection
  // subscribes every wanted channel and confirms each again.
  std::erase_if(channels_, [](const auto& entry) { return !entry.second.wanted; });
  for (auto& [name, state] : channels_) {
    state.pending = 0;
    state.confirmed = false;
  }
  if (sink_.on_lost) sink_.on_lost();
  if (was_ready) {
    connected_gauge_.add(-1);
    logger_.warn(kCtx, "redis_subscriber_disconnected",
                 {{"host", endpoint_.host}, {"port", endpoint_.port}, {"reason", reason}});
  } else {
    logger_.warn(kCtx, "redis_subscriber_connect_failed",
                 {{"host", endpoint_.host},
                  {"port", endpoint_.port},
                  {"reason", reason},
                  {"attempt", backoff_.attempt()}});
  }
  if (wanted_ == 0) {
    // Nobody listens: stay closed until the next subscribe() connects again.
    started_ = false;
    backoff_.reset();
    return;
  }
  const config::Millis delay = backoff_.next();
  logger_.info(kCtx, "redis_subscriber_retry",
               {{"delay_ms", delay.count()}, {"attempt", backoff_.attempt()}});
  const timeval tv = toTimeval(delay);
  event_add(retry_timer_.get(), &tv);
}

void RedisSubscriber::onRetryTimer(evutil_socket_t, short, void* arg) noexcept {
  auto* self = static_cast<RedisSubscriber*>(arg);
  self->reconnects_total_.inc();
  self->connect();
}

}  // namespace sidecar::sessionstore
