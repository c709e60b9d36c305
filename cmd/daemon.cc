#include "cmd/daemon.h"
#include "common/timeval.h"

#include <csignal>
#include <cstdlib>
#include <memory>
#include <random>

#include <fmt/format.h>

#include "common/c_handles.h"
#include "common/clock.h"
#include "common/deferred_queue.h"
#include "common/metrics.h"
#include "proxy/admin_server.h"
#include "proxy/cluster_bus.h"
#include "proxy/listen_streams.h"
#include "proxy/message_router.h"
#include "proxy/server_request_ids.h"
#include "proxy/stream_id_source.h"
#include "proxy/local_replier.h"
#include "proxy/mcp_listener.h"
#include "proxy/proxy_metrics.h"
#include "proxy/rehydrator.h"
#include "proxy/upstream_health.h"
#include "proxy/upstream_pool.h"
#include "sessionstore/memory_session_store.h"
#include "sessionstore/redis_session_store.h"

namespace sidecar::cmd {
namespace {

constexpr int kDrainTickMs = 100;

std::string fingerprintKey(const config::SessionConfig& cfg, Logger& log) {
  if (!cfg.fingerprint_key.empty()) return cfg.fingerprint_key;
  log.warn("daemon", "fingerprint_key_random",
           {{"hint", "set session.fingerprint_key so every node computes the same fingerprints"}});
  std::random_device rd;
  return fmt::format("{:08x}{:08x}{:08x}{:08x}", rd(), rd(), rd(), rd());
}

// epoll with a changelist: the many enable/disable pairs evhttp makes per
// request collapse into one epoll_ctl at most (measured: ~10% CPU/request).
EventBasePtr newEventBase() {
  CPtr<event_config, &event_config_free> cfg(event_config_new());
  if (!cfg) std::abort();
  event_config_set_flag(cfg.get(), EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
  EventBasePtr base(event_base_new_with_config(cfg.get()));
  if (!base) std::abort();
  return base;
}

std::unique_ptr<sessionstore::SessionStore> makeStore(const config::Config& cfg, event_base& base,
                                                     const Clock& clock, Logger& log,
                                                     MetricsRegistry& metrics) {
  if (cfg.store.kind == config::StoreKind::kRedis) {
    return std::make_unique<sessionstore::RedisSessionStore>(base, clock, log, metrics, cfg.store,
                                                             cfg.session);
  }
  return std::make_unique<sessionstore::MemorySessionStore>(
      base, clock, log, metrics, sessionstore::MemoryStoreLimits::fromConfig(cfg.store, cfg.session));
}

// Owns every long-lived object, declared in dependency order so that they
// are destroyed in reverse.
class Daemon {
 public:
  Daemon(const config::Config& cfg, Logger& log)
      : cfg_(cfg),
        log_(log),
        base_(newEventBase()),
        deferred_(*base_),
        store_(makeStore(cfg, *base_, clock_, log_, metrics_)),
        proxy_metrics_(metrics_),
        replier_(log_, metrics_),
        pool_(*base_, deferred_, cfg.upstream, metrics_),
        health_(*base_, cfg.upstream, log_, metrics_),
        request_ids_(proxy::newNodeId()),
        bus_(*store_, log_, request_ids_.nodeId()),
        rehydrator_(proxy::RehydrationDeps{*base_, deferred_, pool_, *store_, log_, clock_,
                                           cfg.rehydration.timeout},
                    cfg.rehydration, cfg.session.idle_ttl, metrics_),
        listen_streams_(proxy::ListenDeps{*base_, deferred_, pool_, *store_, log_, clock_, request_ids_,
                                          cfg.upstream, listen_json_},
                        metrics_,
                        [this](const std::string& session) { return rehydrator_.copyOf(session); }),
        router_(request_ids_, bus_, rehydrator_, log_),
        listener_(*base_, deferred_,
                  proxy::ExchangeDeps{pool_, *store_, replier_, log_, proxy_metrics_, cfg_, clock_,
                                      rehydrator_, bus_, request_ids_, router_},
                  fingerprintKey(cfg.session, log)),
        admin_(*base_, cfg_, *store_, metrics_, log_, [this] { return readiness(); }),
        sigterm_(evsignal_new(base_.get(), SIGTERM, &Daemon::onSignalCb, this)),
        sigint_(evsignal_new(base_.get(), SIGINT, &Daemon::onSignalCb, this)),
        drain_tick_(event_new(base_.get(), -1, EV_PERSIST, &Daemon::onDrainTickCb, this)) {
    rehydrator_.setObserver(&listen_streams_);
    bus_.start({[this](const std::string& session) { rehydrator_.releaseSession(session); },
                [this](const std::string& session, std::string message) {
                  router_.fromBus(session, std::move(message));
                },
                [this](const std::string& session) { listen_streams_.standaloneOpened(session); }});
  }
  ~Daemon() { rehydrator_.setObserver(nullptr); }

  int run() {
    if (auto bound = admin_.bind(); !bound.ok()) {
      log_.error("daemon", "admin_bind_failed", {{"error", bound.error().message}});
      return 1;
    }
    if (auto bound = listener_.bind(); !bound.ok()) {
      log_.error("daemon", "listen_failed", {{"error", bound.error().message}});
      return 1;
    }
    health_.start();
    evsignal_add(sigterm_.get(), nullptr);
    evsignal_add(sigint_.get(), nullptr);
    log_.info("daemon", "started",
              {{"version", MCP_SIDECAR_VERSION},
               {"store", cfg_.store.kind == config::StoreKind::kRedis ? "redis" : "memory"}});
    event_base_dispatch(base_.get());
    log_.info("daemon", "stopped", {{"in_flight", listener_.inFlight()}});
    return 0;
  }

 private:
  static void onSignalCb(evutil_socket_t sig, short, void* arg) noexcept {
    static_cast<Daemon*>(arg)->onSignal(static_cast<int>(sig));
  }
  static void onDrainTickCb(evutil_socket_t, short, void* arg) noexcept {
    static_cast<Daemon*>(arg)->onDrainTick();
  }

  void onSignal(int sig) {
    if (listener_.draining()) {
      log_.warn("daemon", "second_signal_exit_now", {{"signal", sig}});
      event_base_loopbreak(base_.get());
      return;
    }
    log_.info("daemon", "signal_drain", {{"signal", sig}, {"timeout_ms", cfg_.drain.timeout.count()}});
    listener_.beginDrain();
    drain_deadline_ms_ = clock_.monotonicMs() + cfg_.drain.timeout.count();
    const timeval tick = toTimeval(kDrainTickMs);
    event_add(drain_tick_.get(), &tick);
    onDrainTick();
  }

  void onDrainTick() {
    if (listener_.inFlight() == 0) {
      log_.info("daemon", "drained", {});
      event_base_loopexit(base_.get(), nullptr);
    } else if (clock_.monotonicMs() >= drain_deadline_ms_) {
      log_.warn("daemon", "drain_timeout", {{"in_flight", listener_.inFlight()}});
      event_base_loopexit(base_.get(), nullptr);
    }
  }

  proxy::Readiness readiness() const {
    const bool listening = listener_.listening();
    const bool upstream = health_.healthy();
    const bool store = store_->healthy();
    const bool store_seen = store_->everReachable();
    const bool draining = listener_.draining();
    proxy::Readiness r;
    // A store outage after start-up is reported, not acted on: taking every
    // node out of the balancer would turn a degraded store into an outage.
    r.ready = listening && upstream && store_seen && !draining;
    r.json = fmt::format(
        "{{\"ready\":{},\"listening\":{},\"upstream\":{},\"store\":{},\"store_ever_reachable\":{},"
        "\"draining\":{}}}",
        r.ready, listening, upstream, store, store_seen, draining);
    return r;
  }

  const config::Config& cfg_;
  Logger& log_;
  SystemClock clock_;
  MetricsRegistry metrics_;
  EventBasePtr base_;
  DeferredQueue deferred_;
  std::unique_ptr<sessionstore::SessionStore> store_;
  proxy::ProxyMetrics proxy_metrics_;
  proxy::LocalReplier replier_;
  proxy::UpstreamPool pool_;
  proxy::UpstreamHealth health_;
  proxy::ServerRequestIds request_ids_;
  proxy::ClusterBus bus_;
  proxy::Rehydrator rehydrator_;
  proxy::JsonRpcParser listen_json_;
  proxy::ListenStreams listen_streams_;
  proxy::MessageRouter router_;
  proxy::McpListener listener_;
  proxy::AdminServer admin_;
  EventPtr sigterm_;
  EventPtr sigint_;
  EventPtr drain_tick_;
  int64_t drain_deadline_ms_ = 0;
};

}  // namespace

int runDaemon(const config::Config& cfg, Logger& log) {
  // A client that vanishes mid-write must cost an EPIPE, not the process.
  std::signal(SIGPIPE, SIG_IGN);
  Daemon daemon(cfg, log);
  return daemon.run();
}

}  // namespace sidecar::cmd
