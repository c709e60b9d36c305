#pragma once
// UpstreamHealth: probes the upstream every `health_interval` with a cheap
// HTTP OPTIONS on its own connection. Any HTTP answer means "up"; refusal,
// reset or no answer before the next probe is due means "down". Feeds
// /readyz, so a dead upstream takes the node out of the balancer within a
// couple of intervals.

#include "common/c_handles.h"
#include "common/logger.h"
#include "common/metrics.h"
#include "config/config.h"

namespace sidecar::proxy {

class UpstreamHealth {
 public:
  UpstreamHealth(event_base& base, const config::UpstreamConfig& cfg, Logger& log,
                 MetricsRegistry& metrics);
  UpstreamHealth(const UpstreamHealth&) = delete;
  UpstreamHealth& operator=(const UpstreamHealth&) = delete;
  ~UpstreamHealth();

  void start();
  bool healthy() const noexcept { return healthy_; }

 private:
  static void onTimerCb(evutil_socket_t, short, void* arg) noexcept;
  static void onProbeDoneCb(evhttp_request* req, void* arg) noexcept;
  void probe();
  void onProbeDone(evhttp_request* req);
  void setHealthy(bool healthy, const char* why);

  event_base& base_;
  const config::UpstreamConfig& cfg_;
  Logger& log_;
  Gauge& up_gauge_;
  EventPtr timer_;
  EvHttpConnectionPtr conn_;
  evhttp_request* in_flight_ = nullptr;
  bool healthy_ = false;
  bool reported_ = false;
};

}  // namespace sidecar::proxy
