#pragma once
// RedisPubSub: session watches and the bus for the Redis store — who
// listens on which channel, over one RedisSubscriber connection.
//
//   watch(id)  -> <prefix>{tag}:wake  (the append script PUBLISHes the last seq)
//   subscribe  -> <prefix>bus         (publish() PUBLISHes through the main
//                                      connection, fire and forget)
//
// A channel is SUBSCRIBEd once however many listeners share it, and
// UNSUBSCRIBEd once none is live: checked when its next message arrives and
// by a periodic sweep. Every delivery runs on a later loop turn through an
// internal DeferredQueue. Wakes are coalesced to one per session per turn;
// a wake channel's watchers are also woken each time the server confirms
// its subscription — the first time (appends may have landed between the
// watch and the SUBSCRIBE) and after every reconnect (notices were missed).
// Bus messages are delivered one by one, in arrival order, to the listeners
// live when they are delivered; the bus misses what is published while the
// subscriber is disconnected.
//
// Owned by RedisSessionStore; uses its RedisConnection for PUBLISH, so it
// must be destroyed before that connection.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/c_handles.h"
#include "common/deferred_queue.h"
#include "common/logger.h"
#include "common/metrics.h"
#include "common/subscription.h"
#include "config/config.h"
#include "common/listener_list.h"
#include "sessionstore/per_turn_set.h"
#include "sessionstore/redis_connection.h"
#include "sessionstore/redis_keys.h"
#include "sessionstore/redis_subscriber.h"

namespace sidecar::sessionstore {

class RedisPubSub {
 public:
  RedisPubSub(event_base& base, Logger& logger, MetricsRegistry& metrics,
              RedisConnection& publisher, const RedisKeys& keys, RedisEndpoint endpoint,
              RedisConnectionOptions options, config::Millis sweep_interval);
  ~RedisPubSub() = default;
  // Timers, queued tasks and the subscriber's sink capture `this`.
  RedisPubSub(const RedisPubSub&) = delete;
  RedisPubSub& operator=(const RedisPubSub&) = delete;

  Subscription watch(const std::string& id, std::function<void()> wake);
  Subscription subscribe(std::function<void(std::string_view)> on_message);
  // The closed-session feed (<prefix>closed, published by the transition
  // script). Both callbacks run inside the subscriber's callbacks, so they
  // must only record: on_closed(id) for each session closed anywhere;
  // on_live(true) once the server confirmed the subscription, on_live(false)
  // when the subscriber connection is lost (closures are missed until the
  // next true). Set once; it holds its channel for the object's lifetime.
  void feedClosures(std::function<void(std::string_view id)> on_closed,
                    std::function<void(bool live)> on_live);
  // Dropped (counted, warned once per outage) while the main connection is down.
  void publish(std::string message);
  // The main connection is ready again: the next drop warns again.
  void onPublisherReady() { reported_drop_ = false; }

  // Forgets cancelled listeners and unsubscribes channels nobody listens
  // to; answers how many channels were given up. The sweep timer calls it.
  size_t sweep();

  // For tests and metrics: the subscriber's view.
  bool subscriberConnected() const noexcept { return subscriber_.connected(); }
  bool subscriptionsSettled() const noexcept { return subscriber_.settled(); }
  size_t channelCount() const noexcept { return subscriber_.channelCount(); }

 private:
  struct Channel {
    ListenerList<std::string_view> listeners;
    bool wake = false;  // a session's wake channel (else the bus)
  };

  static void onSweepTimer(evutil_socket_t, short, void* arg) noexcept;

  Subscription listen(const std::string& channel, bool wake,
                      std::function<void(std::string_view)> handler);
  // From the subscriber, inside hiredis callbacks: queue only.
  void onMessage(const std::string& channel, std::string payload);
  void onSubscribed(const std::string& channel);
  void wakeNow(const std::string& channel);
  void deliver(const std::string& channel, const std::string& payload);
  // The channel's live listeners; a channel left without any is given up.
  ListenerList<std::string_view>::Snapshot liveListeners(const std::string& channel);

  Logger& logger_;
  RedisConnection& publisher_;
  const RedisKeys& keys_;
  config::Millis sweep_interval_;
  std::unordered_map<std::string, Channel> channels_;
  std::function<void(std::string_view)> on_closed_;  // the closed-session feed, once set
  std::function<void(bool)> on_closures_live_;
  bool reported_drop_ = false;

  Counter& publishes_dropped_total_;
  Counter& reply_errors_total_;
  Counter& wakes_total_;

  DeferredQueue queue_;
  PerTurnSet pending_wakes_;  // by channel, posts to queue_
  EventPtr sweep_timer_;
  // Last: destroyed first, so its context is freed while the sink's target lives.
  RedisSubscriber subscriber_;
};

}  // namespace sidecar::sessionstore
