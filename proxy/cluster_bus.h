#pragma once
// ClusterBus: what one node tells the others about a session, over the
// store's broadcast channel (SessionStore::publish/subscribe: Redis pub/sub
// on a dedicated connection, or the process itself with the memory store).
// No node-to-node connection is needed: every node already reaches Redis.
//
//   closed     the session ended (DELETE on some node): every node releases
//              its upstream copy and ends the session's streams
//   taken      a client GET opened the session's standalone stream on some
//              node: standalone streams of the session elsewhere end, so a
//              message is never delivered on two streams
//   deliver    a client message for the upstream copies: a response to a
//              server request (addressed to the node whose copy asked) or a
//              notifications/cancelled (to every node holding a copy)
//
// Pub/sub is at most once: a node that is disconnected from Redis when a
// message is published misses it. What that costs for each kind is in
// docs/failure-modes.md. Owned by main, outlives exchanges.

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/listener_list.h"
#include "common/logger.h"
#include "common/subscription.h"
#include "sessionstore/session_store.h"

namespace sidecar::proxy {

enum class BusSignal { kClosed, kTaken };

class ClusterBus {
 public:
  struct Handlers {
    std::function<void(const std::string& session_id)> closed;
    std::function<void(const std::string& session_id, std::string message)> deliver;
    std::function<void(const std::string& session_id)> standalone_opened;
  };

  ClusterBus(sessionstore::SessionStore& store, Logger& log, std::string node_id);
  ClusterBus(const ClusterBus&) = delete;
  ClusterBus& operator=(const ClusterBus&) = delete;

  // Subscribes; the handlers see every node's messages, this node's included.
  void start(Handlers handlers);
  const std::string& nodeId() const noexcept { return node_id_; }

  void sessionClosed(const std::string& session_id);
  void standaloneTaken(const std::string& session_id, const std::string& stream_id);
  // To the copy on `node`, or to the copies on every node but this one.
  void deliverTo(const std::string& session_id, const std::string& node, std::string_view message);
  void deliverToOthers(const std::string& session_id, std::string_view message);

  // Signals about one session, for the streams serving it on this node.
  // `arg` is the stream id for kTaken.
  Subscription watch(const std::string& session_id,
                     std::function<void(BusSignal, std::string_view arg)> fn);

 private:
  void onMessage(std::string_view message);
  void signal(const std::string& session_id, BusSignal what, std::string_view arg);

  sessionstore::SessionStore& store_;
  Logger& log_;
  std::string node_id_;
  Handlers handlers_;
  Subscription subscription_;
  std::unordered_map<std::string, ListenerList<BusSignal, std::string_view>> watchers_;
  uint64_t watches_since_sweep_ = 0;
};

}  // namespace sidecar::proxy
