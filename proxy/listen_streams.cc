#include "proxy/listen_streams.h"

#include <fmt/format.h>

#include "proxy/event_id.h"
#include "proxy/stream_leases.h"

namespace sidecar::proxy {

ListenStreams::ListenStreams(const ListenDeps& deps, MetricsRegistry& metrics, CopyLookup copy_of)
    : deps_(deps),
      copy_of_(std::move(copy_of)),
      open_(metrics.gauge("sidecar_upstream_listen_streams",
                          "Upstream GET streams this node holds for its session copies")) {}

void ListenStreams::copyMapped(const UpstreamSessionCopy& copy) {
  streams_.erase(copy.client_session_id);  // a replaced copy's stream goes with it
  publishSize();
  const std::string session = copy.client_session_id;
  lease_checks_[session] = deps_.store.readLease(
      session, std::string(stream_leases::kStandalone), [this, session](Result<std::optional<std::string>> held) {
        lease_checks_.erase(session);
        if (!held.ok() || !held.value().has_value()) return;
        if (const UpstreamSessionCopy* mapped = copy_of_(session)) listen(*mapped);
      });
}

void ListenStreams::copyDropped(const std::string& client_session_id) {
  lease_checks_.erase(client_session_id);
  streams_.erase(client_session_id);
  publishSize();
}

void ListenStreams::standaloneOpened(const std::string& client_session_id) {
  if (const UpstreamSessionCopy* copy = copy_of_(client_session_id)) listen(*copy);
}

void ListenStreams::listen(const UpstreamSessionCopy& copy) {
  const std::string session = copy.client_session_id;
  if (auto it = streams_.find(session); it != streams_.end() && !it->second->stopped()) return;
  auto stream = std::make_unique<ListenStream>(
      deps_, copy.client_session_id, copy.upstream_session_id, copy.credentials,
      fmt::format("{}{}-{}", kListenStreamPrefix, deps_.request_ids.nodeId(), ++next_),
      [this, session] {
        // An upstream without GET streams (405) costs nothing per session;
        // freed on a later turn, never inside its own callback.
        deps_.deferred.post([this, session] {
          auto it = streams_.find(session);
          if (it != streams_.end() && it->second->stopped()) {
            streams_.erase(it);
            publishSize();
          }
        });
      });
  ListenStream* started = stream.get();
  streams_[session] = std::move(stream);
  started->start();
  publishSize();
}

void ListenStreams::publishSize() { open_.set(static_cast<int64_t>(streams_.size())); }

}  // namespace sidecar::proxy
