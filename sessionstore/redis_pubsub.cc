#include "sessionstore/redis_pubsub.h"

#include <cstdlib>
#include <utility>

#include "common/timeval.h"

namespace sidecar::sessionstore {
namespace {

constexpr std::string_view kCtx = "store";

}  // namespace

RedisPubSub::RedisPubSub(event_base& base, Logger& logger, MetricsRegistry& metrics,
                         RedisConnection& publisher, const RedisKeys& keys, RedisEndpoint endpoint,
                         RedisConnectionOptions options, config::Millis sweep_interval)
    : logger_(logger),
      publisher_(publisher),
      keys_(keys),
      sweep_interval_(sweep_interval),
      publishes_dropped_total_(metrics.counter(
          "sidecar_store_publishes_dropped_total",
          "Bus messages not published because Redis was unreachable")),
      reply_errors_total_(metrics.counter("sidecar_redis_command_errors_total",
                                          "Redis commands that failed, by kind",
                                          R"(kind="reply")")),
      wakes_total_(metrics.counter("sidecar_store_session_wakes_total",
                                   "Watched sessions woken (appends elsewhere, resubscriptions)")),
      queue_(base),
      pending_wakes_(queue_, [this](const std::string& channel) { wakeNow(channel); }),
      sweep_timer_(event_new(&base, -1, EV_PERSIST, &RedisPubSub::onSweepTimer, this)),
      subscriber_(base, logger, metrics, std::move(endpoint), options,
                  SubscriberSink{
                      [this](const std::string& channel, std::string payload) {
                        onMessage(channel, std::move(payload));
                      },
                      [this](const std::string& channel) { onSubscribed(channel); },
                      [this] {
                        if (on_closures_live_) on_closures_live_(false);
                      }}) {
  if (!sweep_timer_) std::abort();  // out of memory at start-up: nothing sensible to do
}

// ---- registrations -------------------------------------------------------------

Subscription RedisPubSub::watch(const std::string& id, std::function<void()> wake) {
  return listen(keys_.session(id).wake, true,
                [wake = std::move(wake)](std::string_view) { wake(); });
}

Subscription RedisPubSub::subscribe(std::function<void(std::string_view)> on_message) {
  return listen(keys_.bus(), false, std::move(on_message));
}

Subscription RedisPubSub::listen(const std::string& channel, bool wake,
                                 std::function<void(std::string_view)> handler) {
  if (sweep_interval_.count() > 0 && !event_pending(sweep_timer_.get(), EV_TIMEOUT, nullptr)) {
    const timeval interval = toTimeval(sweep_interval_);
    event_add(sweep_timer_.get(), &interval);
  }
  auto [it, created] = channels_.try_emplace(channel);
  it->second.wake = wake;
  it->second.listeners.prune();
  // An existing entry is subscribed (or being subscribed) already, even if
  // every earlier listener was cancelled: nothing to send.
  if (created) subscriber_.subscribe(channel);
  return it->second.listeners.add(std::move(handler));
}

void RedisPubSub::feedClosures(std::function<void(std::string_view id)> on_closed,
                               std::function<void(bool live)> on_live) {
  if (on_closed_) return;
  on_closed_ = std::move(on_closed);
  on_closures_live_ = std::move(on_live);
  // Outside channels_: no listener list to sweep, never unsubscribed.
  subscriber_.subscribe(keys_.closed());
}

size_t RedisPubSub::sweep() {
  size_t given_up = 0;
  for (auto it = channels_.begin(); it != channels_.end();) {
    if (it->second.listeners.prune() > 0) {
      ++it;
      continue;
    }
    subscriber_.unsubscribe(it->first);
    it = channels_.erase(it);
    ++given_up;
  }
  if (channels_.empty()) event_del(sweep_timer_.get());
  return given_up;
}

void RedisPubSub::onSweepTimer(evutil_socket_t, short, void* arg) noexcept {
  static_cast<RedisPubSub*>(arg)->sweep();
}

ListenerList<std::string_view>::Snapshot RedisPubSub::liveListeners(const std::string& channel) {
  auto it = channels_.find(channel);
  if (it == channels_.end()) return {};
  auto snapshot = it->second.listeners.snapshot();
  if (snapshot.empty()) {
    subscriber_.unsubscribe(channel);
    channels_.erase(it);
  }
  return snapshot;
}

// ---- deliveries ----------------------------------------------------------------

void RedisPubSub::onMessage(const std::string& channel, std::string payload) {
  if (on_closed_ && channel == keys_.closed()) {
    on_closed_(payload);  // at once: a lookup must not see the session live one turn longer
    return;
  }
  auto it = channels_.find(channel);
  if (it == channels_.end()) return;
  if (it->second.wake) {
    pending_wakes_.add(channel);  // the payload (last seq) is only a hint: watchers read the log
    return;
  }
  queue_.post([this, channel, payload = std::move(payload)] { deliver(channel, payload); });
}

void RedisPubSub::onSubscribed(const std::string& channel) {
  if (on_closures_live_ && channel == keys_.closed()) {
    on_closures_live_(true);
    return;
  }
  auto it = channels_.find(channel);
  if (it != channels_.end() && it->second.wake) pending_wakes_.add(channel);
}

void RedisPubSub::wakeNow(const std::string& channel) {
  const auto snapshot = liveListeners(channel);
  if (snapshot.empty()) return;
  wakes_total_.inc();
  snapshot.notify(std::string_view());
}

void RedisPubSub::deliver(const std::string& channel, const std::string& payload) {
  liveListeners(channel).notify(payload);
}

// ---- publishing ----------------------------------------------------------------

void RedisPubSub::publish(std::string message) {
  if (!publisher_.connected()) {
    publishes_dropped_total_.inc();
    // Once per outage: the counter tracks the volume.
    if (!reported_drop_) {
      reported_drop_ = true;
      logger_.warn(kCtx, "store_publish_dropped",
                   {{"reason", "redis_unreachable"}, {"bytes", message.size()}});
    }
    return;
  }
  publisher_.send({"PUBLISH", keys_.bus(), std::move(message)}, [this](Result<RedisReply> r) {
    // A lost reply is counted by the connection; whether it went out is unknown.
    if (r.ok() && r.value().isError()) {
      reply_errors_total_.inc();
      logger_.warn(kCtx, "store_publish_failed", {{"error", r.value().str}});
    }
  });
}

}  // namespace sidecar::sessionstore
