#include "proxy/listen_streams.h"

#include <fmt/format.h>

#include "proxy/event_id.h"

namespace sidecar::proxy {

ListenStreams::ListenStreams(const ListenDeps& deps, MetricsRegistry& metrics)
    : deps_(deps),
      open_(metrics.gauge("sidecar_upstream_listen_streams",
                          "Upstream GET streams this node holds for its session copies")) {}

void ListenStreams::copyMapped(const UpstreamSessionCopy& copy) {
  const std::string session = copy.client_session_id;
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
  streams_[copy.client_session_id] = std::move(stream);
  started->start();
  publishSize();
}

void ListenStreams::copyDropped(const std::string& client_session_id) {
  streams_.erase(client_session_id);
  publishSize();
}

void ListenStreams::publishSize() { open_.set(static_cast<int64_t>(streams_.size())); }

}  // namespace sidecar::proxy
