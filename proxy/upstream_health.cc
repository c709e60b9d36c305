#include "proxy/upstream_health.h"
#include "common/timeval.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "proxy/upstream_pool.h"

namespace sidecar::proxy {

UpstreamHealth::UpstreamHealth(event_base& base, const config::UpstreamConfig& cfg, Logger& log,
                               MetricsRegistry& metrics)
    : base_(base),
      cfg_(cfg),
      log_(log),
      up_gauge_(metrics.gauge("sidecar_upstream_up", "1 when the last upstream probe was answered")),
      timer_(event_new(&base, -1, EV_PERSIST, &UpstreamHealth::onTimerCb, this)) {
  if (!timer_) std::abort();
}

UpstreamHealth::~UpstreamHealth() {
  if (in_flight_ != nullptr) evhttp_cancel_request(std::exchange(in_flight_, nullptr));
}

void UpstreamHealth::start() {
  const timeval tv = toTimeval(cfg_.health_interval.count());
  event_add(timer_.get(), &tv);
  probe();
}

void UpstreamHealth::onTimerCb(evutil_socket_t, short, void* arg) noexcept {
  static_cast<UpstreamHealth*>(arg)->probe();
}

void UpstreamHealth::probe() {
  if (in_flight_ != nullptr) {
    // The previous probe is still unanswered after a whole interval.
    evhttp_cancel_request(std::exchange(in_flight_, nullptr));
    setHealthy(false, "probe_timeout");
  }
  if (!conn_) {
    conn_.reset(evhttp_connection_base_new(&base_, nullptr, cfg_.host.c_str(), cfg_.port));
    if (!conn_) std::abort();
    evhttp_connection_set_retries(conn_.get(), 0);
  }
  setConnectionTimeout(conn_.get(), std::max(cfg_.health_interval, config::Millis{1000}));
  evhttp_request* req = evhttp_request_new(&UpstreamHealth::onProbeDoneCb, this);
  evkeyvalq* headers = evhttp_request_get_output_headers(req);
  const std::string host = cfg_.host + ":" + std::to_string(cfg_.port);
  evhttp_add_header(headers, "Host", host.c_str());
  evhttp_add_header(headers, "Connection", "close");
  in_flight_ = req;
  if (evhttp_make_request(conn_.get(), req, EVHTTP_REQ_OPTIONS, cfg_.path.c_str()) != 0) {
    in_flight_ = nullptr;
    setHealthy(false, "probe_not_sent");
  }
}

void UpstreamHealth::onProbeDoneCb(evhttp_request* req, void* arg) noexcept {
  static_cast<UpstreamHealth*>(arg)->onProbeDone(req);
}

void UpstreamHealth::onProbeDone(evhttp_request* req) {
  in_flight_ = nullptr;
  const bool answered = req != nullptr && evhttp_request_get_response_code(req) > 0;
  setHealthy(answered, answered ? "answered" : "unreachable");
}

void UpstreamHealth::setHealthy(bool healthy, const char* why) {
  up_gauge_.set(healthy ? 1 : 0);
  if (healthy == healthy_ && reported_) return;
  healthy_ = healthy;
  reported_ = true;
  if (healthy) {
    log_.info("upstream", "upstream_up", {{"url", cfg_.url}});
  } else {
    log_.warn("upstream", "upstream_down", {{"url", cfg_.url}, {"reason", why}});
  }
}

}  // namespace sidecar::proxy
