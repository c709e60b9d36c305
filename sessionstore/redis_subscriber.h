#pragma once
// RedisSubscriber: the Redis store's dedicated pub/sub connection (a hiredis
// 0.14 context that carries nothing but SUBSCRIBE and UNSUBSCRIBE once
// subscribed; never SSUBSCRIBE, which hiredis 0.14 cannot route). Owned by
// RedisPubSub; must be destroyed before its event_base.
//
// It connects lazily, on the first subscribe(): a store that never watches
// or listens opens no second connection. Life of a connection: connect
// (numeric address) -> handshake (AUTH when a password is configured, PING;
// no SELECT: channels are not per database), bounded by the command
// deadline -> ready -> one SUBSCRIBE per wanted channel. Any failure or loss
// frees the context and retries after a capped exponential backoff with
// full jitter (redis_backoff.h); every connection subscribes every wanted
// channel again. With no channel wanted at a loss it stays closed until the
// next subscribe(). A frozen server goes unnoticed here (a subscribed context
// cannot PING); it delivers again once it runs.
//
// The sink is called from inside hiredis callbacks, so it must only record
// or queue what it is told, never call back into the subscriber:
//   on_message(channel, payload)  a message on a wanted channel
//   on_subscribed(channel)        the server confirmed the channel (after
//                                 every (re)subscription): notices before
//                                 this point may have been missed.
//   on_lost()                     the connection is gone: notices are missed
//                                 until each channel is confirmed again.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/c_handles.h"
#include "common/logger.h"
#include "common/metrics.h"
#include "sessionstore/redis_backoff.h"
#include "sessionstore/redis_connection.h"
#include "sessionstore/redis_context.h"

struct redisAsyncContext;

namespace sidecar::sessionstore {

struct SubscriberSink {
  std::function<void(const std::string& channel, std::string payload)> on_message;
  std::function<void(const std::string& channel)> on_subscribed;
  std::function<void()> on_lost;
};

class RedisSubscriber {
 public:
  RedisSubscriber(event_base& base, Logger& logger, MetricsRegistry& metrics,
                  RedisEndpoint endpoint, RedisConnectionOptions options, SubscriberSink sink);
  ~RedisSubscriber();
  // Its address is the privdata of every hiredis callback and timer.
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;

  // Reference counting is the caller's: one subscribe() per channel until
  // its unsubscribe().
  void subscribe(const std::string& channel);
  void unsubscribe(const std::string& channel);

  bool connected() const noexcept { return phase_ == Phase::kReady; }
  size_t channelCount() const noexcept { return wanted_; }
  // No channel wanted, or ready with every wanted channel confirmed.
  bool settled() const noexcept;

 private:
  enum class Phase { kIdle, kConnecting, kReady };
  struct Channel {
    bool wanted = false;
    int pending = 0;         // SUBSCRIBEs sent, not yet confirmed
    bool confirmed = false;  // the last SUBSCRIBE confirmed, wanted since
  };
  static void onHandshakeCb(redisAsyncContext* ac, void* reply, void* privdata) noexcept;
  static void onPubSubCb(redisAsyncContext* ac, void* reply, void* privdata) noexcept;
  static void onRetryTimer(evutil_socket_t, short, void* arg) noexcept;
  static void onDeadlineTimer(evutil_socket_t, short, void* arg) noexcept;

  void connect();
  void onHandshakeReply(void* reply);
  void onPubSubReply(void* reply);
  void sendChannelCommand(std::string_view verb, const std::string& channel);
  void drop(std::string_view reason);
  void onContextGone(std::string_view reason);

  Logger& logger_;
  RedisEndpoint endpoint_;
  RedisConnectionOptions options_;
  SubscriberSink sink_;
  Backoff backoff_;

  Phase phase_ = Phase::kIdle;
  bool started_ = false;
  bool destroying_ = false;
  size_t handshake_pending_ = 0;
  size_t wanted_ = 0;
  std::unordered_map<std::string, Channel> channels_;

  Gauge& connected_gauge_;
  Gauge& channels_gauge_;
  Counter& reconnects_total_;

  EventPtr retry_timer_;
  EventPtr deadline_timer_;
  RedisContext context_;  // last: freed first, while the members its callbacks touch exist
};

}  // namespace sidecar::sessionstore
