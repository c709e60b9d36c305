#include "proxy/rehydrator.h"
#include "common/timeval.h"

#include <algorithm>
#include <cstdlib>

namespace sidecar::proxy {
namespace {

constexpr int64_t kSweepIntervalMs = 5'000;

}  // namespace

Rehydrator::Rehydrator(const RehydrationDeps& deps, const config::RehydrationConfig& cfg,
                       config::Millis session_idle_ttl, MetricsRegistry& metrics)
    : deps_(deps),
      cfg_(cfg),
      map_(cfg.max_upstream_sessions,
           std::min(cfg.upstream_session_idle_ttl, session_idle_ttl).count()),
      sweep_timer_(event_new(&deps.base, -1, EV_PERSIST, &Rehydrator::onSweepCb, this)),
      succeeded_(metrics.counter("sidecar_rehydrations_total", "Rehydrations by outcome", "result=\"ok\"")),
      failed_(metrics.counter("sidecar_rehydrations_total", "Rehydrations by outcome", "result=\"failed\"")),
      mismatched_(metrics.counter("sidecar_rehydrations_total", "Rehydrations by outcome",
                                  "result=\"mismatch\"")),
      coalesced_(metrics.counter("sidecar_rehydration_waiters_total",
                                 "Requests that waited for a rehydration already under way")),
      rejected_waiters_(metrics.counter("sidecar_rehydration_waiters_rejected_total",
                                        "Requests refused because too many waited for one rehydration")),
      released_(metrics.counter("sidecar_upstream_sessions_released_total",
                                "Upstream session copies released with DELETE")),
      delivered_(metrics.counter("sidecar_routed_messages_total",
                                 "Client messages delivered to this node's copy", "result=\"sent\"")),
      undeliverable_(metrics.counter("sidecar_routed_messages_total",
                                     "Client messages delivered to this node's copy",
                                     "result=\"no_copy\"")),
      copies_(metrics.gauge("sidecar_upstream_session_copies", "Upstream session copies mapped on this node")) {
  if (!sweep_timer_) std::abort();
  const timeval tv = toTimeval(std::min<int64_t>(
      {kSweepIntervalMs, cfg.upstream_session_idle_ttl.count(), session_idle_ttl.count()}));
  event_add(sweep_timer_.get(), &tv);
}

Rehydrator::~Rehydrator() = default;

std::optional<std::string> Rehydrator::mapped(const std::string& client_id) {
  return map_.lookup(client_id, deps_.clock.monotonicMs());
}

CallHandle Rehydrator::resolve(const sessionstore::SessionRecord& record, HeaderList headers,
                               Done done) {
  auto cancel = std::make_shared<CancelState>();
  if (auto upstream_id = mapped(record.id)) {
    deps_.deferred.post([cancel, done = std::move(done), id = std::move(*upstream_id)]() mutable {
      if (!cancel->cancelled) done(std::move(id));
    });
    return CallHandle(cancel);
  }
  auto it = in_flight_.find(record.id);
  if (it != in_flight_.end()) {
    if (it->second.waiters.size() >= cfg_.max_waiters) {
      rejected_waiters_.inc();
      deps_.deferred.post([cancel, done = std::move(done)] {
        if (!cancel->cancelled) {
          done(makeError(ErrorCode::kResourceExhausted, "too many requests wait for this session"));
        }
      });
      return CallHandle(cancel);
    }
    coalesced_.inc();
    it->second.waiters.push_back({cancel, std::move(done)});
    return CallHandle(cancel);
  }
  InFlight flight;
  flight.waiters.push_back({cancel, std::move(done)});
  const std::string client_id = record.id;
  HeaderList credentials = headers;
  flight.rehydration = std::make_unique<Rehydration>(
      deps_, record, std::move(headers), ++next_number_,
      [this, client_id, credentials = std::move(credentials)](Result<std::string> result) mutable {
        onRehydrated(client_id, std::move(credentials), std::move(result));
      });
  Rehydration* started = flight.rehydration.get();
  in_flight_.emplace(client_id, std::move(flight));
  started->start();
  return CallHandle(cancel);
}

void Rehydrator::onRehydrated(const std::string& client_id, HeaderList credentials,
                              Result<std::string> result) {
  auto it = in_flight_.find(client_id);
  if (it == in_flight_.end()) return;
  InFlight flight = std::move(it->second);
  in_flight_.erase(it);
  if (result.ok()) {
    succeeded_.inc();
    map(client_id, result.value(), credentials);
  } else {
    (result.error().code == ErrorCode::kConflict ? mismatched_ : failed_).inc();
    const std::string& orphan = flight.rehydration->upstreamSessionId();
    if (!orphan.empty()) release({client_id, orphan, std::move(credentials)});
  }
  // Waiters resume in arrival order.
  for (auto& waiter : flight.waiters) {
    if (!waiter.cancel->cancelled) waiter.done(result);
  }
  // We run inside the rehydration's own completion: free it later.
  Rehydration* finished = flight.rehydration.release();
  deps_.deferred.post([finished] { std::unique_ptr<Rehydration> owned(finished); });
}

void Rehydrator::adopt(const std::string& client_id, HeaderList credentials) {
  map(client_id, client_id, std::move(credentials));
}

void Rehydrator::map(const std::string& client_id, std::string upstream_id, HeaderList credentials) {
  for (const auto& evicted :
       map_.insert(client_id, std::move(upstream_id), deps_.clock.monotonicMs(), std::move(credentials))) {
    if (evicted.client_session_id != client_id) dropped(evicted.client_session_id);
    release(evicted);
  }
  if (observer_ != nullptr) {
    if (const UpstreamSessionCopy* copy = map_.peek(client_id)) observer_->copyMapped(*copy);
  }
  publishSize();
}

void Rehydrator::dropped(const std::string& client_id) {
  if (observer_ != nullptr) observer_->copyDropped(client_id);
}

void Rehydrator::upstreamLost(const std::string& client_id, const std::string& stale_upstream_id) {
  auto current = map_.lookup(client_id, deps_.clock.monotonicMs());
  if (!current || *current != stale_upstream_id) return;
  if (auto copy = map_.erase(client_id)) {
    dropped(client_id);
    release(*copy);
  }
  publishSize();
}

void Rehydrator::closed(const std::string& client_id) {
  if (map_.erase(client_id)) dropped(client_id);
  publishSize();
}

void Rehydrator::releaseSession(const std::string& client_id) {
  if (auto copy = map_.erase(client_id)) {
    dropped(client_id);
    release(*copy);
  }
  publishSize();
}

void Rehydrator::deliver(const std::string& client_id, std::string message) {
  const UpstreamSessionCopy* copy = map_.peek(client_id);
  if (copy == nullptr) {
    undeliverable_.inc();
    deps_.log.warn("rehydrator", "routed_message_dropped",
                   {{"session", client_id}, {"reason", "no_upstream_copy_on_this_node"}});
    return;
  }
  delivered_.inc();
  HeaderList headers = copy->credentials;
  headers.emplace_back("Mcp-Session-Id", copy->upstream_session_id);
  headers.emplace_back("Content-Type", "application/json");
  headers.emplace_back("Accept", "application/json, text/event-stream");
  send(EVHTTP_REQ_POST, std::move(headers), std::move(message), "routed_message");
}

void Rehydrator::publishSize() { copies_.set(static_cast<int64_t>(map_.size())); }

void Rehydrator::release(const UpstreamSessionCopy& copy) {
  released_.inc();
  deps_.log.info("rehydrator", "upstream_session_released",
                 {{"session", copy.client_session_id}, {"upstream_session", copy.upstream_session_id}});
  HeaderList headers = copy.credentials;
  headers.emplace_back("Mcp-Session-Id", copy.upstream_session_id);
  send(EVHTTP_REQ_DELETE, std::move(headers), std::string(), "release");
}

void Rehydrator::send(evhttp_cmd_type method, HeaderList headers, std::string body, const char* what) {
  const uint64_t number = ++next_number_;
  auto call = std::make_unique<UpstreamCall>(
      deps_.pool, deps_.deferred, method, std::move(headers), std::move(body), std::string(),
      [this, number, what](Result<UpstreamReply> reply) {
        // Best effort: an upstream that already forgot the copy is fine.
        if (!reply.ok() || reply.value().status >= 300) {
          deps_.log.info("rehydrator", "upstream_call_refused",
                         {{"call", what},
                          {"status", reply.ok() ? reply.value().status : 0},
                          {"error", reply.ok() ? std::string() : reply.error().message}});
        }
        auto done = calls_.find(number);
        if (done == calls_.end()) return;
        UpstreamCall* finished = done->second.release();
        calls_.erase(done);
        deps_.deferred.post([finished] { std::unique_ptr<UpstreamCall> owned(finished); });
      });
  UpstreamCall* started = call.get();
  calls_.emplace(number, std::move(call));
  started->start();
}

void Rehydrator::sweep() {
  for (const auto& expired : map_.expireIdle(deps_.clock.monotonicMs())) {
    dropped(expired.client_session_id);
    release(expired);
  }
  publishSize();
}

void Rehydrator::onSweepCb(evutil_socket_t, short, void* arg) noexcept {
  static_cast<Rehydrator*>(arg)->sweep();
}

}  // namespace sidecar::proxy
