#pragma once
// Rehydrator: answers "which session of the local upstream serves this
// client session?" for every request that names a live session. The answer
// is the mapped copy when this node holds one, or a new copy made by a
// Rehydration. Single flight: concurrent requests for one unmapped session
// share one rehydration and are answered in arrival order (bounded by
// max_waiters). Copies that fall out of the bounded map, or idle past their
// TTL, are released with a DELETE upstream. Owned by main; outlives every
// exchange. Completions always arrive on a later loop turn.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/metrics.h"
#include "proxy/listen_streams.h"
#include "proxy/rehydration.h"
#include "proxy/upstream_session_map.h"

namespace sidecar::proxy {

class Rehydrator {
 public:
  using Done = std::function<void(Result<std::string>)>;

  // Copies idle for min(upstream_session_idle_ttl, session_idle_ttl) are
  // released, so a session that expires in the store has no copy left.
  Rehydrator(const RehydrationDeps& deps, const config::RehydrationConfig& cfg,
             config::Millis session_idle_ttl, MetricsRegistry& metrics);
  Rehydrator(const Rehydrator&) = delete;
  Rehydrator& operator=(const Rehydrator&) = delete;
  ~Rehydrator();

  // The upstream session id for `record` on this node; `headers` are the
  // triggering request's end-to-end headers (credentials included) for the
  // synthetic initialize.
  CallHandle resolve(const sessionstore::SessionRecord& record, HeaderList headers, Done done);
  std::optional<std::string> mapped(const std::string& client_id);
  // This node's copy of the session (without refreshing it), or nullptr.
  const UpstreamSessionCopy* copyOf(const std::string& client_id) const { return map_.peek(client_id); }

  // This node created the session: the upstream's copy is the session.
  void adopt(const std::string& client_id, HeaderList credentials);
  // The upstream answered as if it no longer knew `stale_upstream_id`. If
  // that is still the mapped copy, it is dropped and released (harmless if
  // it really is gone; frees it if the upstream refused for another reason).
  // A newer copy made meanwhile by another request is left alone.
  void upstreamLost(const std::string& client_id, const std::string& stale_upstream_id);
  // The session ended and its DELETE reached the upstream copy.
  void closed(const std::string& client_id);
  // The session ended elsewhere: release this node's copy, if any.
  void releaseSession(const std::string& client_id);
  // Sends a client message (a response to the copy's request, a
  // cancellation) to this node's copy; dropped, with a log line, if there
  // is no copy any more.
  void deliver(const std::string& client_id, std::string message);

  // Told whenever a copy is mapped or dropped (the copy's listen stream).
  void setObserver(CopyObserver* observer) { observer_ = observer; }

 private:
  struct Waiter {
    std::shared_ptr<CancelState> cancel;
    Done done;
  };
  struct InFlight {
    std::unique_ptr<Rehydration> rehydration;
    std::vector<Waiter> waiters;
  };

  void onRehydrated(const std::string& client_id, HeaderList credentials, Result<std::string> result);
  void map(const std::string& client_id, std::string upstream_id, HeaderList credentials);
  void dropped(const std::string& client_id);
  // Runs one call of the sidecar's own to the upstream; its answer is only logged.
  void send(evhttp_cmd_type method, HeaderList headers, std::string body, const char* what);
  void publishSize();
  void release(const UpstreamSessionCopy& copy);
  void sweep();
  static void onSweepCb(evutil_socket_t, short, void* arg) noexcept;

  RehydrationDeps deps_;
  const config::RehydrationConfig& cfg_;
  UpstreamSessionMap map_;
  std::unordered_map<std::string, InFlight> in_flight_;
  std::unordered_map<uint64_t, std::unique_ptr<UpstreamCall>> calls_;
  CopyObserver* observer_ = nullptr;
  uint64_t next_number_ = 0;
  EventPtr sweep_timer_;
  Counter& succeeded_;
  Counter& failed_;
  Counter& mismatched_;
  Counter& coalesced_;
  Counter& rejected_waiters_;
  Counter& released_;
  Counter& delivered_;
  Counter& undeliverable_;
  Gauge& copies_;
};

}  // namespace sidecar::proxy
